"""Marshmallow schemas that validate workshop YAML and build the frozen model.

Unknown fields are rejected everywhere (marshmallow's default, stated explicitly
so that nobody relaxes it by accident): a misspelt key in hand-edited YAML
should fail loudly rather than silently drop content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from .model import DEFAULT_MAX_POINTS, Assignment, Reading, Session, Workshop

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Session slugs share the item-id namespace with the assignment (see loader.linkable_items).
RESERVED_SESSION_SLUGS = frozenset({"assignment"})
SUMMARY_MAX = 600


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def _text(*, required: bool = True, max_len: int | None = None, **kwargs: Any) -> fields.String:
    """A string field that rejects blank values (and is optional only when asked)."""
    validators: list[Callable[[str], Any]] = [_not_blank]
    if max_len is not None:
        validators.append(validate.Length(max=max_len))
    if not required:
        kwargs.setdefault("load_default", None)
    return fields.String(required=required, validate=validators, **kwargs)


def _text_list(*, min_items: int = 1) -> fields.List[Any]:
    return fields.List(_text(), required=True, validate=validate.Length(min=min_items))


def _slug(**kwargs: Any) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Regexp(SLUG_RE, error="Must be lowercase words joined by hyphens."),
        **kwargs,
    )


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class ReadingSchema(StrictSchema):
    title = _text()
    authors = fields.List(_text(), required=True)
    source = _text(required=False, allow_none=True)
    year = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(1500, 2100)
    )
    url = fields.URL(schemes={"http", "https"}, allow_none=True, load_default=None)
    note = _text(required=False, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Reading:
        return Reading(**{**data, "authors": tuple(data["authors"])})


class SessionSchema(StrictSchema):
    number = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    slug = _slug()
    title = _text()
    summary = _text(max_len=SUMMARY_MAX)
    objectives = _text_list()
    required_readings = fields.List(fields.Nested(ReadingSchema), required=True)
    additional_readings = fields.List(fields.Nested(ReadingSchema), load_default=list)
    discussion_prompts = _text_list()

    @validates_schema
    def check_slug(self, data: dict[str, Any], **_: Any) -> None:
        if data["slug"] in RESERVED_SESSION_SLUGS:
            raise ValidationError(f"'{data['slug']}' is reserved.", field_name="slug")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Session:
        return Session(**_tuples(data))


class AssignmentSchema(StrictSchema):
    title = _text()
    summary = _text(max_len=SUMMARY_MAX)
    steps = _text_list()
    # Slug of a self-assessment defined elsewhere; not resolved here.
    assessment_ref = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(SLUG_RE))
    max_points = fields.Integer(strict=True, load_default=DEFAULT_MAX_POINTS, validate=validate.Range(min=1))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Assignment:
        return Assignment(**_tuples(data))


class WorkshopSchema(StrictSchema):
    slug = _slug()
    title = _text()
    series = _text(required=False, allow_none=True)
    provider = _text()
    summary = _text(max_len=SUMMARY_MAX)
    background = _text_list()
    objectives = _text_list()
    sessions = fields.List(fields.Nested(SessionSchema), required=True, validate=validate.Length(min=1))
    assignment = fields.Nested(AssignmentSchema, allow_none=True, load_default=None)
    text = fields.Nested(ReadingSchema, allow_none=True, load_default=None)
    bibliography = fields.List(fields.Nested(ReadingSchema), load_default=list)
    help_text = _text()

    # Cross-entry checks run only once every field is valid (marshmallow's default),
    # so they can rely on fully built Session and Reading objects.
    @validates_schema
    def check_sessions(self, data: dict[str, Any], **_: Any) -> None:
        _check_sessions(data["sessions"])

    @validates_schema
    def check_bibliography(self, data: dict[str, Any], **_: Any) -> None:
        _check_unique(data["bibliography"], "bibliography", "title", _reading_key, "entry")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Workshop:
        data = _tuples(data)
        data["sessions"] = tuple(sorted(data["sessions"], key=lambda s: s.number))
        return Workshop(**data)


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    """Lists become tuples so the frozen dataclasses are deeply immutable."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def _reading_key(reading: Reading) -> tuple[str, tuple[str, ...]]:
    return (reading.title.casefold(), tuple(a.casefold() for a in reading.authors))


def _check_unique(
    items: Sequence[Any], list_name: str, field: str, key: Callable[[Any], Any], what: str
) -> None:
    """Raise on the first item whose key repeats an earlier one, naming both positions."""
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        k = key(item)
        if k in seen:
            message = f"Duplicate {what} (same as {list_name}[{seen[k]}])."
            raise ValidationError({list_name: {index: {field: [message]}}})
        seen[k] = index


def _check_sessions(sessions: list[Session]) -> None:
    _check_unique(sessions, "sessions", "number", lambda s: s.number, "session number")
    _check_unique(sessions, "sessions", "slug", lambda s: s.slug, "session slug")
    count = len(sessions)
    for index, session in enumerate(sessions):
        if session.number > count:
            message = f"Session numbers must run 1..{count} without gaps."
            raise ValidationError({"sessions": {index: {"number": [message]}}})
