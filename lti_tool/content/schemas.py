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
    validate,
    validates_schema,
)

from .bilingual import DEFAULT_LANGUAGE, LANGUAGES, Bilingual, localize
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


def _words(*, required: bool = True, max_len: int | None = None, **kwargs: Any) -> Bilingual:
    """A text readers see: ``{en: ..., fr: ...}``, neither blank (bilingual.py)."""
    each: list[Callable[[str], Any]] = [_not_blank]
    if max_len is not None:
        each.append(validate.Length(max=max_len))
    if not required:
        kwargs.setdefault("load_default", None)
    return Bilingual(each=tuple(each), required=required, **kwargs)


def _words_list(*, min_items: int = 1) -> fields.List[Any]:
    return fields.List(_words(), required=True, validate=validate.Length(min=min_items))


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
    note = _words(required=False, allow_none=True)
    # The language the work is published in: on a page in another language its title keeps
    # its own (lang="en") and is marked "(en anglais)". Titles stay as published.
    language = fields.String(load_default=DEFAULT_LANGUAGE, validate=validate.OneOf(LANGUAGES))


class SessionSchema(StrictSchema):
    number = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    slug = _slug()
    title = _words()
    summary = _words(max_len=SUMMARY_MAX)
    objectives = _words_list()
    required_readings = fields.List(fields.Nested(ReadingSchema), required=True)
    additional_readings = fields.List(fields.Nested(ReadingSchema), load_default=list)
    discussion_prompts = _words_list()

    @validates_schema
    def check_slug(self, data: dict[str, Any], **_: Any) -> None:
        if data["slug"] in RESERVED_SESSION_SLUGS:
            raise ValidationError(f"'{data['slug']}' is reserved.", field_name="slug")


class AssignmentSchema(StrictSchema):
    title = _words()
    summary = _words(max_len=SUMMARY_MAX)
    steps = _words_list()
    # Slug of a self-assessment defined elsewhere; not resolved here.
    assessment_ref = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(SLUG_RE))
    max_points = fields.Integer(strict=True, load_default=DEFAULT_MAX_POINTS, validate=validate.Range(min=1))


class WorkshopSchema(StrictSchema):
    slug = _slug()
    title = _words()
    series = _words(required=False, allow_none=True)
    provider = _text()  # a firm's name: the same in both languages
    summary = _words(max_len=SUMMARY_MAX)
    background = _words_list()
    objectives = _words_list()
    sessions = fields.List(fields.Nested(SessionSchema), required=True, validate=validate.Length(min=1))
    assignment = fields.Nested(AssignmentSchema, allow_none=True, load_default=None)
    text = fields.Nested(ReadingSchema, allow_none=True, load_default=None)
    bibliography = fields.List(fields.Nested(ReadingSchema), load_default=list)
    help_text = _words()

    # Cross-entry checks run only once every field is valid (marshmallow's default).
    @validates_schema
    def check_sessions(self, data: dict[str, Any], **_: Any) -> None:
        _check_sessions(data["sessions"])

    @validates_schema
    def check_bibliography(self, data: dict[str, Any], **_: Any) -> None:
        _check_unique(data["bibliography"], "bibliography", "title", _reading_key, "entry")


def build_workshop(data: dict[str, Any], lang: str = DEFAULT_LANGUAGE) -> Workshop:
    """The workshop in one language, from ``WorkshopSchema().load`` (validated, both languages)."""
    data = _tuples(localize(data, lang))
    data["text"] = _reading(data["text"]) if data["text"] is not None else None
    data["bibliography"] = tuple(_reading(r) for r in data["bibliography"])
    sessions = (_session(s) for s in data["sessions"])
    data["sessions"] = tuple(sorted(sessions, key=lambda s: s.number))
    if data["assignment"] is not None:
        data["assignment"] = Assignment(**_tuples(data["assignment"]))
    return Workshop(**data, lang=lang)


def _reading(data: dict[str, Any]) -> Reading:
    return Reading(**{**data, "authors": tuple(data["authors"])})


def _session(data: dict[str, Any]) -> Session:
    data = _tuples(data)
    for key in ("required_readings", "additional_readings"):
        data[key] = tuple(_reading(r) for r in data[key])
    return Session(**data)


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    """Lists become tuples so the frozen dataclasses are deeply immutable."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def _reading_key(reading: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    return (reading["title"].casefold(), tuple(a.casefold() for a in reading["authors"]))


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


def _check_sessions(sessions: list[dict[str, Any]]) -> None:
    _check_unique(sessions, "sessions", "number", lambda s: s["number"], "session number")
    _check_unique(sessions, "sessions", "slug", lambda s: s["slug"], "session slug")
    count = len(sessions)
    for index, session in enumerate(sessions):
        if session["number"] > count:
            message = f"Session numbers must run 1..{count} without gaps."
            raise ValidationError({"sessions": {index: {"number": [message]}}})
