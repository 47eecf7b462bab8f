"""What a teacher can place in a course, and which page opens each kind of item.

The workshops' own items (the whole workshop, each session, the assignment) come from
lti_tool.content. Other features add items and pages through the registry: the
partnership self-assessment is listed already, and its page says "coming soon" until the
assessment feature registers its own endpoint for the "assessment" kind:

    registry(app).register_kind("assessment", "assessment.start", lambda item: {...})

The registry is built at start-up and kept in app.extensions["lti_tool.items"].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from lti_tool.content import (
    DEFAULT_MAX_POINTS,
    LinkableItem,
    Workshop,
    default_content_dir,
    linkable_items,
    load_workshops,
)

WORKSHOPS_KEY = "lti_tool.workshops"
ITEMS_KEY = "lti_tool.items"

ASSESSMENT_ITEM_ID = "partnership-assessment"

UrlValues = Callable[[LinkableItem], dict[str, Any]]


@dataclass(frozen=True)
class ItemKind:
    """The page that shows items of one kind: a Flask endpoint and its URL values."""

    name: str
    endpoint: str
    values: UrlValues


def _workshop_values(item: LinkableItem) -> dict[str, Any]:
    return {"workshop": item.workshop_slug}


def _session_values(item: LinkableItem) -> dict[str, Any]:
    return {"workshop": item.workshop_slug, "session": item.ref}


def _item_values(item: LinkableItem) -> dict[str, Any]:
    return {"item_id": item.item_id}


class ItemRegistry:
    """Linkable items and, per kind, the page that opens them."""

    def __init__(self, workshops: Mapping[str, Workshop]) -> None:
        self.workshops = dict(workshops)
        self._kinds: dict[str, ItemKind] = {}
        self._extra: list[LinkableItem] = []

    def register_kind(self, name: str, endpoint: str, values: UrlValues = _item_values) -> None:
        """Say which endpoint opens items of this kind (a later call replaces an earlier one)."""
        self._kinds[name] = ItemKind(name, endpoint, values)

    def add_item(self, item: LinkableItem) -> None:
        """List an item that does not come from a workshop file."""
        if self.find(item.item_id) is not None:
            raise ValueError(f"Duplicate item id {item.item_id!r}.")
        self._extra.append(item)

    def items(self) -> list[LinkableItem]:
        """Every workshop's items in order, then the items other features added."""
        found: list[LinkableItem] = []
        for workshop in self.workshops.values():
            found += linkable_items(workshop)
        return found + self._extra

    def offered(self) -> list[LinkableItem]:
        """The items the Deep Linking picker offers (the graded one last)."""
        found = [item for item in self.items() if item.offered]
        return [i for i in found if not i.graded] + [i for i in found if i.graded]

    def find(self, item_id: str) -> LinkableItem | None:
        return next((item for item in self.items() if item.item_id == item_id), None)

    def target(self, item: LinkableItem) -> tuple[str, dict[str, Any]]:
        """The endpoint and URL values of the page that opens this item."""
        kind = self._kinds.get(item.kind)
        if kind is None:
            raise LookupError(f"No page is registered for items of kind {item.kind!r}.")
        return kind.endpoint, kind.values(item)


def assessment_item(workshops: Mapping[str, Workshop]) -> LinkableItem:
    """The workshop's graded assignment: the partnership self-assessment, with the assignment's
    instructions on its first page. The only graded item (docs/decisions/0016-one-graded-activity.md)."""
    workshop = next(
        (w for w in workshops.values() if w.assignment and w.assignment.assessment_ref == ASSESSMENT_ITEM_ID),
        None,
    )
    assignment = workshop.assignment if workshop else None
    return LinkableItem(
        item_id=ASSESSMENT_ITEM_ID,
        kind="assessment",
        workshop_slug=workshop.slug if workshop else "",
        ref=None,
        title=f"Assignment: {assignment.title}" if assignment else "Partnership self-assessment",
        description=assignment.summary
        if assignment
        else "Rate how your organization works in partnership and see where to focus first.",
        graded=True,
        max_points=assignment.max_points if assignment else DEFAULT_MAX_POINTS,
    )


def content_dir(config: Mapping[str, Any]) -> Path:
    configured = config.get("CONTENT_DIR")
    return Path(configured) if configured else default_content_dir()


def init_app(app: Flask) -> None:
    """Load and validate the workshops (a ContentError stops start-up) and build the registry."""
    workshops = load_workshops(content_dir(app.config))
    registry = ItemRegistry(workshops)
    registry.register_kind("workshop", "pages.overview", _workshop_values)
    registry.register_kind("session", "pages.session", _session_values)
    registry.register_kind("assignment", "pages.assignment", _workshop_values)
    registry.register_kind("assessment", "assessment.start", lambda item: {})
    registry.add_item(assessment_item(workshops))
    app.extensions[WORKSHOPS_KEY] = workshops
    app.extensions[ITEMS_KEY] = registry


def registry(app: Flask | None = None) -> ItemRegistry:
    return (app or current_app).extensions[ITEMS_KEY]


def workshops() -> dict[str, Workshop]:
    return current_app.extensions[WORKSHOPS_KEY]
