"""What the self-assessment's pages send, read into answer changes; and the review's list of
what is left, grouped by area. Plain functions (no database): the views call the services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lti_tool.assessment.instrument import Dimension, Instrument, Statement
from lti_tool.services.answers import Change


def _version(raw: Any) -> int | None:
    try:
        return max(int(raw), 0)
    except (TypeError, ValueError):
        return None


def page_changes(form: Mapping[str, str]) -> list[Change]:
    """The answers the person changed on the page. Each question carries ``a.<item>`` (the
    choice), ``o.<item>`` (the answer the page was shown with) and ``v.<item>`` (its version):
    an unchanged choice is not sent again, so a stale page cannot overwrite a newer answer.
    ``keep=<item>=<value>`` (a conflict's button) sets that answer whatever the radio says."""
    changes: dict[str, Change] = {}
    for key, value in form.items():
        if not key.startswith("a.") or not value:
            continue
        item = key[2:]
        if value == form.get("o." + item):
            continue
        changes[item] = Change(item, value, _version(form.get("v." + item)) or 0)
    item, _, value = str(form.get("keep") or "").partition("=")
    if item and value:
        changes[item] = Change(item, value, _version(form.get("v." + item)) or 0)
    return list(changes.values())


def json_change(data: Mapping[str, Any]) -> Change | None:
    """One autosaved answer: ``{"item", "value", "version"}``; without a version (a client
    that does not know them) the answer is saved whatever is stored. (The view refuses a body
    that is not an object before asking.)"""
    if not isinstance(data.get("item"), str) or not isinstance(data.get("value"), str):
        return None
    version = data.get("version")
    return Change(data["item"], data["value"], _version(version) if version is not None else None)


@dataclass
class AreaGaps:
    """An area with answers missing: its page, its statements left, and its importance."""

    page: int
    dimension: Dimension
    statements: list[Statement] = field(default_factory=list)
    importance: bool = False

    @property
    def untouched(self) -> bool:
        return self.importance and len(self.statements) == len(self.dimension.statements)

    @property
    def count(self) -> int:
        return len(self.statements) + (1 if self.importance else 0)


def missing_by_area(instrument: Instrument, gaps: list[Any]) -> list[AreaGaps]:
    """``services.assessment.missing``'s statements and areas, grouped in the areas' order."""
    missing_ids = {g.id for g in gaps if isinstance(g, Statement)}
    missing_areas = {g.id for g in gaps if isinstance(g, Dimension)}
    result = []
    for page, dimension in enumerate(instrument.dimensions, start=1):
        area = AreaGaps(
            page,
            dimension,
            [s for s in dimension.statements if s.id in missing_ids],
            dimension.id in missing_areas,
        )
        if area.count:
            result.append(area)
    return result


__all__ = ["AreaGaps", "json_change", "missing_by_area", "page_changes"]
