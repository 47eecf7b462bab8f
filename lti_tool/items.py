"""What a teacher can place in a course, and which page opens each kind of item.

The workshops' own items (the whole workshop, each session, the assignment) come from
lti_tool.content. Other features add items and pages through the registry: the
partnership self-assessment is listed already, and its page says "coming soon" until the
assessment feature registers its own endpoint for the "assessment" kind:

    registry(app).register_kind("assessment", "assessment.start", lambda item: {...})

The registry is built at start-up and kept in app.extensions["lti_tool.items"]. It holds the
workshops in every language and answers in the current one (lti_tool.i18n: the launch's), so a
French launch reads French pages and a French teacher places French titles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from lti_tool import i18n
from lti_tool.content import (
    DEFAULT_MAX_POINTS,
    LinkableItem,
    Workshop,
    default_content_dir,
    linkable_items,
    load_workshops,
)
from lti_tool.content.bilingual import DEFAULT_LANGUAGE

WORKSHOPS_KEY = "lti_tool.workshops"  # the workshops in English, by slug
ITEMS_KEY = "lti_tool.items"

ASSESSMENT_ITEM_ID = "partnership-assessment"

UrlValues = Callable[[LinkableItem], dict[str, Any]]
# An item other features add: fixed, or made from the workshops (in the current language).
ExtraItem = LinkableItem | Callable[[Mapping[str, Workshop]], LinkableItem]


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

    def __init__(self, workshops: Mapping[str, Mapping[str, Workshop]]) -> None:
        """``workshops``: by language ("en", "fr"), each by slug."""
        self._by_language = {lang: dict(found) for lang, found in workshops.items()}
        self._kinds: dict[str, ItemKind] = {}
        self._extra: list[ExtraItem] = []

    @property
    def workshops(self) -> dict[str, Workshop]:
        """The workshops in the current language (English when there are none in it)."""
        return self._by_language.get(i18n.language()) or self._by_language[DEFAULT_LANGUAGE]

    def register_kind(self, name: str, endpoint: str, values: UrlValues = _item_values) -> None:
        """Say which endpoint opens items of this kind (a later call replaces an earlier one)."""
        self._kinds[name] = ItemKind(name, endpoint, values)

    def add_item(self, item: ExtraItem) -> None:
        """List an item that does not come from a workshop file (or a function that makes it
        from the workshops, so that its title follows the language)."""
        made = item(self.workshops) if callable(item) else item
        if self.find(made.item_id) is not None:
            raise ValueError(f"Duplicate item id {made.item_id!r}.")
        self._extra.append(item)

    def items(self) -> list[LinkableItem]:
        """Every workshop's items in order, then the items other features added."""
        found: list[LinkableItem] = []
        for workshop in self.workshops.values():
            found += linkable_items(workshop)
        return found + [item(self.workshops) if callable(item) else item for item in self._extra]

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
        title=i18n.gettext("Assignment: %(title)s", title=assignment.title)
        if assignment
        else i18n.gettext("Partnership self-assessment"),
        description=assignment.summary
        if assignment
        else i18n.gettext("Rate how your organization works in partnership and see where to focus first."),
        graded=True,
        max_points=assignment.max_points if assignment else DEFAULT_MAX_POINTS,
    )


def content_dir(config: Mapping[str, Any]) -> Path:
    configured = config.get("CONTENT_DIR")
    return Path(configured) if configured else default_content_dir()


def init_app(app: Flask) -> None:
    """Load and validate the workshops (a ContentError stops start-up) and build the registry."""
    by_language = {lang: load_workshops(content_dir(app.config), lang) for lang in i18n.LANGUAGES}
    registry = ItemRegistry(by_language)
    registry.register_kind("workshop", "pages.overview", _workshop_values)
    registry.register_kind("session", "pages.session", _session_values)
    registry.register_kind("assignment", "pages.assignment", _workshop_values)
    registry.register_kind("assessment", "assessment.start", lambda item: {})
    registry.add_item(assessment_item)
    app.extensions[WORKSHOPS_KEY] = by_language[DEFAULT_LANGUAGE]
    app.extensions[ITEMS_KEY] = registry


def registry(app: Flask | None = None) -> ItemRegistry:
    found: ItemRegistry = (app or current_app).extensions[ITEMS_KEY]
    return found


def workshops() -> dict[str, Workshop]:
    """The workshops in the current language, by slug."""
    return registry().workshops
