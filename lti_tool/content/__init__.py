"""Workshop content: validated YAML data turned into frozen dataclasses (no Flask, no SQL)."""

from .loader import (
    ContentError,
    LinkableItem,
    Problem,
    default_content_dir,
    find_item,
    linkable_items,
    load_workshop,
    load_workshops,
)
from .model import DEFAULT_MAX_POINTS, Assignment, Reading, Session, Workshop

__all__ = [
    "DEFAULT_MAX_POINTS",
    "Assignment",
    "ContentError",
    "LinkableItem",
    "Problem",
    "Reading",
    "Session",
    "Workshop",
    "default_content_dir",
    "find_item",
    "linkable_items",
    "load_workshop",
    "load_workshops",
]
