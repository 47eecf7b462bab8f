"""Numbers from URLs and forms, bounded to what the database can hold: a huge id is "not
found", never a database error."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # INTEGER on PostgreSQL and SQLite alike


class RecordIdConverter(IntegerConverter):
    """``<int:…>`` in every route: ids beyond MAX_ID do not match (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # IntegerConverter's own
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def record_id(raw: str) -> int:
    """``request.form.get(name, type=record_id)``: None unless a plausible record id."""
    value = int(raw)
    if not 1 <= value <= MAX_ID:
        raise ValueError(f"{raw!r} is not a record id")
    return value
