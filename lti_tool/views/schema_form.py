"""Form fields generated from a plugin's marshmallow settings schema, and back again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, missing, validate
from werkzeug.datastructures import FileStorage

from lti_tool.i18n import decimal_symbol, integer
from lti_tool.i18n import gettext as _


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str  # number | integer | select | checkbox | textarea | text
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # what each choice shows: OneOf's labels, else the choice itself
    upload: str = ""  # metadata "upload": the file types a teacher may upload into this field
    allowed: str = ""  # what the field takes, said beside it (from the schema's validators)


def _kind(field: fields.Field[Any]) -> tuple[str, tuple[str, ...]]:
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            return "select", tuple(str(c) for c in validator.choices)
    if isinstance(field, fields.Boolean):
        return "checkbox", ()
    if isinstance(field, fields.Integer):
        return "integer", ()
    if isinstance(field, fields.Number):
        return "number", ()
    if isinstance(field, fields.String):
        long_text = any(isinstance(v, validate.Length) and (v.max or 0) > 500 for v in field.validators)
        return ("textarea" if long_text else "text"), ()
    return "text", ()


def _labels(field: fields.Field[Any], choices: tuple[str, ...]) -> tuple[str, ...]:
    """A select's option texts: `OneOf(choices, labels=[...])`'s labels (lazy texts, translated
    now, in the reader's language), else the choices themselves."""
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            given = [str(label) for label in validator.labels]
            return tuple(given[i] if i < len(given) and given[i] else c for i, c in enumerate(choices))
    return choices


def _number(value: Any) -> str | None:
    """A validator's bound as people write it (1, 2.5; French: 2,5)."""
    return None if value is None else f"{value:g}".replace(".", decimal_symbol())


def _allowed(field: fields.Field[Any], kind: str) -> str:
    """The values a field takes, in words, from its validators (a select lists its own)."""
    for validator in field.validators:
        if isinstance(validator, validate.Range) and kind in ("number", "integer"):
            low, high = _number(validator.min), _number(validator.max)
            whole = kind == "integer"
            if low is not None and high is not None:
                if whole:
                    return _("A whole number from %(low)s to %(high)s.", low=low, high=high)
                return _("A number from %(low)s to %(high)s.", low=low, high=high)
            if low is not None:
                if whole:
                    return _("A whole number of at least %(low)s.", low=low)
                return _("A number of at least %(low)s.", low=low)
            if whole:
                return _("A whole number up to %(high)s.", high=high)
            return _("A number up to %(high)s.", high=high)
        if isinstance(validator, validate.Length) and validator.max and kind in ("text", "textarea"):
            return _(
                "Up to %(count)s characters.",
                count=integer(validator.max),
            )
    return ""


def form_fields(schema_cls: type[Schema]) -> list[FormField]:
    schema = schema_cls()
    result = []
    for name, field in schema.fields.items():
        kind, choices = _kind(field)
        labels = _labels(field, choices)
        default = field.load_default if field.load_default is not missing else ""
        meta = field.metadata or {}
        result.append(
            FormField(
                name=name,
                label=str(meta.get("label") or name.replace("_", " ").capitalize()),
                kind=kind,
                default=default() if callable(default) else default,
                help=str(meta.get("description") or meta.get("help") or ""),
                choices=choices,
                labels=labels,
                upload=str(meta.get("upload") or ""),
                allowed=_allowed(field, kind),
            )
        )
    return result


def raw_values(schema_cls: type[Schema], form: Mapping[str, str], prefix: str) -> dict[str, Any]:
    """The submitted values for one plugin, typed just enough for strict schemas."""
    values: dict[str, Any] = {}
    for spec in form_fields(schema_cls):
        key = f"{prefix}.{spec.name}"
        if spec.kind == "checkbox":
            values[spec.name] = key in form
            continue
        if key not in form:
            continue
        value = form[key]
        if spec.kind == "integer":
            try:
                values[spec.name] = int(value)
            except ValueError:
                values[spec.name] = value  # the schema names the problem
        else:
            values[spec.name] = value
    return values


def with_uploads(
    form: Mapping[str, str], files: Mapping[str, FileStorage], limit: int = 300_000
) -> dict[str, str]:
    """The form's values, each uploaded file ``NAME.file`` read into the field ``NAME``."""
    values = dict(form)
    for key, upload in files.items():
        if key.endswith(".file") and upload.filename:
            values[key.removesuffix(".file")] = upload.read(limit).decode("utf-8", "replace")
    return values
