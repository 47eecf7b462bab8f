"""Validation of mechanism catalogues, shared by the built-in and the uploaded catalogue.

Every error says where, in plain words, e.g. ``Line 4, column 4 (“areas”): unknown area
“trusst”; …``: the line and column of the value in the file (lti_tool.assessment.catalogue_files
reads files with positions and writes the example files).

Coverage: a mechanism lists the ``dimensions`` it is for and, optionally, what it ``addresses``
within them (statement ids or themes). With addresses only, its dimensions are those of the
statements it addresses. The report's "no obvious mechanism" list comes from this coverage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from lti_tool.assessment.catalogue_files import (
    ALL_COLUMNS,
    CSV_COLUMNS,
    FRENCH_COLUMNS,
    OPTIONAL_COLUMNS,
    SHOWN,
    CatalogueError,
    Place,
    csv_records,
    plain,
    where,
    yaml_records,
)
from lti_tool.assessment.instrument import SLUG, Instrument, flatten_errors
from lti_tool.assessment.model import EFFORTS, HORIZONS, Mechanism
from lti_tool.content.bilingual import DEFAULT_LANGUAGE, Text
from lti_tool.i18n import gettext, integer

__all__ = ["ALL_COLUMNS", "CSV_COLUMNS", "OPTIONAL_COLUMNS", "CatalogueError", "Place"]

FORMATS = ("csv", "yaml")
MAX_ROWS = 500
MAX_ERRORS = 50  # enough to fix a file; more would drown the useful ones


class MechanismSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=[SLUG, validate.Length(max=80)])
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    dimensions = fields.List(fields.String(validate=SLUG), load_default=list)
    effort = fields.String(required=True, validate=validate.OneOf(EFFORTS))
    horizon = fields.String(required=True, validate=validate.OneOf(HORIZONS))
    source = fields.String(required=True, validate=validate.Length(min=1, max=300))
    addresses = fields.List(fields.String(validate=SLUG), load_default=list)
    title_fr = fields.String(load_default=None, validate=validate.Length(min=1, max=120))
    summary_fr = fields.String(load_default=None, validate=validate.Length(min=1, max=2000))
    source_fr = fields.String(load_default=None, validate=validate.Length(min=1, max=300))

    @validates_schema(skip_on_field_errors=True)
    def _dimensions_or_addresses(self, data: dict[str, Any], **_: Any) -> None:
        if not data["dimensions"] and not data["addresses"]:
            raise ValidationError("empty; give at least one area (or what it addresses)", "dimensions")


def mechanisms_from_records(
    records: Iterable[tuple[Place | int, Any]], instrument: Instrument | None
) -> list[Mechanism]:
    """Validate ``(place, mapping)`` pairs (a Place in a file, or a number in data). Given an
    ``instrument``, unknown areas and addresses are errors, a mechanism's areas are completed
    from what it addresses, and its texts are in the instrument's language (the optional
    French columns; English where a French text is missing)."""
    lang = instrument.lang if instrument is not None else DEFAULT_LANGUAGE
    schema = MechanismSchema()
    errors: list[str] = []
    mechanisms: list[Mechanism] = []
    first_row: dict[str, Place | int] = {}
    for row, record in records:
        if not isinstance(record, dict):
            errors.append(f"{where(row)}: expected a mechanism, with a value for each column")
            continue
        try:
            data = schema.load(record)
        except ValidationError as exc:
            # Report the row's other problems too, so one upload shows everything to fix.
            errors.extend(_row_errors(row, exc.messages))
            valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
            errors.extend(_check_row(row, valid, instrument, first_row))
            continue
        errors.extend(_check_row(row, data, instrument, first_row))
        first_row.setdefault(data["id"], row)
        for field, column in FRENCH_COLUMNS.items():
            data[field] = Text(data[field], data.pop(column)).get(lang)
        mechanism = Mechanism(
            **{**data, "dimensions": tuple(data["dimensions"]), "addresses": tuple(data["addresses"])}
        )
        resolved = resolve(mechanism, instrument) if instrument is not None else mechanism
        mechanisms.append(resolved or mechanism)
    if errors:
        raise CatalogueError(errors[:MAX_ERRORS])
    return mechanisms


def _row_errors(row: Place | int, messages: Any) -> list[str]:
    found = []
    for line in flatten_errors(messages):
        path, _, message = line.partition(": ")
        field = path.split("[")[0].split(".")[0]
        # Columns in file order, unknown fields after them: a stable order for the reader.
        order = ALL_COLUMNS.index(field) if field in ALL_COLUMNS else len(ALL_COLUMNS)
        found.append((order, f"{where(row, field)}: {plain(message)}"))
    return [line for _, line in sorted(found)]


def _line(row: Place | int) -> str:
    return f"line {row.line}" if isinstance(row, Place) else f"mechanism {row}"


def _check_row(
    row: Place | int,
    data: dict[str, Any],
    instrument: Instrument | None,
    first_row: dict[str, Place | int],
) -> list[str]:
    errors = []
    if data.get("id") in first_row:
        errors.append(
            f"{where(row, 'id')}: the id “{data['id']}” is already used on "
            f"{_line(first_row[data['id']])}; give each mechanism its own id"
        )
    if instrument is None:
        return errors
    dimension_ids = set(instrument.dimension_ids)
    dimensions = [d for d in data.get("dimensions", ()) if isinstance(d, str)]
    unknown = [d for d in dimensions if d not in dimension_ids]
    if unknown:
        errors.append(
            f"{where(row, 'dimensions')}: unknown area {', '.join(f'“{d}”' for d in unknown)}; "
            f"the areas are {', '.join(instrument.dimension_ids)}"
        )
    for address in data.get("addresses", ()):
        if not isinstance(address, str):
            continue
        found = _dimensions_addressed(instrument, (address,))
        if not found:
            errors.append(
                f"{where(row, 'addresses')}: “{address}” is neither a statement id nor a theme "
                "of the questionnaire"
            )
        elif dimensions and not found & set(dimensions):
            errors.append(
                f"{where(row, 'addresses')}: “{address}” is in the area {', '.join(sorted(found))}, "
                "which is not among this mechanism's areas"
            )
    return errors


def _dimensions_addressed(instrument: Instrument, addresses: Collection[str]) -> set[str]:
    return {d.id for d, s in instrument.statements() if s.id in addresses or s.theme in addresses}


def resolve(mechanism: Mechanism, instrument: Instrument) -> Mechanism | None:
    """The mechanism as it applies to ``instrument``: dimensions it does not have are dropped
    and, when it names what it addresses, kept only where it addresses something (an older or
    newer instrument version may file a theme under another dimension). None: nothing applies."""
    known = set(instrument.dimension_ids)
    if mechanism.addresses:
        addressed = _dimensions_addressed(instrument, mechanism.addresses)
        listed = set(mechanism.dimensions) & known
        # Listed dimensions narrow the addressed ones, unless this instrument files the
        # addressed statements elsewhere (then the addresses say where it helps).
        wanted = (addressed & listed) or addressed
    else:
        wanted = set(mechanism.dimensions) & known
    dims = tuple(d for d in instrument.dimension_ids if d in wanted)
    if not dims:
        return None
    return dataclasses.replace(mechanism, dimensions=dims)


def parse_catalogue(text: str, fmt: str, instrument: Instrument) -> list[Mechanism]:
    """Parse an uploaded catalogue (``csv`` or ``yaml``) against the instrument's areas."""
    if fmt not in FORMATS:
        raise CatalogueError([f"Format: choose {' or '.join(FORMATS)}, not “{fmt}”."])
    records = csv_records(text) if fmt == "csv" else yaml_records(text)
    if not records:
        raise CatalogueError(["The file has no mechanisms: after the first line, one line per mechanism."])
    if len(records) > MAX_ROWS:
        raise CatalogueError([f"The file has {len(records)} mechanisms; at most {MAX_ROWS} are allowed."])
    return mechanisms_from_records(records, instrument)


@dataclass(frozen=True)
class ColumnHelp:
    name: str  # as a teacher writes it
    required: bool
    allowed: str


def column_help(instrument: Instrument) -> list[ColumnHelp]:
    """What each column of a catalogue file takes, from the schema and the instrument, for the
    settings page beside the upload."""
    areas = "; ".join(f"{d.id} ({d.title})" for d in instrument.dimensions)
    described = {
        "id": gettext("a short name: lower-case letters, digits, - or _; each mechanism its own"),
        "dimensions": gettext("one or more area ids, separated by “;”: %(areas)s", areas=areas),
        "addresses": gettext(
            "statement ids or themes within its areas, separated by “;” (empty: the whole areas)"
        ),
        **{
            column: gettext(
                "the %(column)s in French (optional: French pages show the English where it is empty)",
                column=field,
            )
            for field, column in FRENCH_COLUMNS.items()
        },
    }
    result = []
    for name, spec in MechanismSchema().fields.items():
        allowed = described.get(name) or _allowed(spec)
        result.append(ColumnHelp(SHOWN.get(name, name), name in CSV_COLUMNS, allowed))
    return result


def _allowed(spec: fields.Field[Any]) -> str:
    for check in spec.validators:
        if isinstance(check, validate.OneOf):
            return ", ".join(str(c) for c in check.choices)
        if isinstance(check, validate.Length) and check.max:
            return gettext("text, up to %(count)s characters", count=integer(check.max))
    return gettext("text")
