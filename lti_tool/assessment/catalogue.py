"""Validation of mechanism catalogues, shared by the built-in and the uploaded catalogue.

Every error names the row and the field, e.g. ``row 4, field dimensions: unknown dimension
'trusst'``. Rows are counted as a spreadsheet shows them: in CSV the header is row 1, so the first
mechanism is row 2; in YAML the first item of the list is row 1.

Coverage: a mechanism lists the ``dimensions`` it is for and, optionally, what it ``addresses``
within them (statement ids or themes). With addresses only, its dimensions are those of the
statements it addresses. The report's "no obvious mechanism" list comes from this coverage.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Collection, Iterable
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from lti_tool.assessment.instrument import SLUG, Instrument, flatten_errors
from lti_tool.assessment.model import EFFORTS, HORIZONS, Mechanism

CSV_COLUMNS = ("id", "title", "summary", "dimensions", "effort", "horizon", "source")
OPTIONAL_COLUMNS = ("addresses",)
ALL_COLUMNS = CSV_COLUMNS + OPTIONAL_COLUMNS
LIST_FIELDS = ("dimensions", "addresses")  # "a; b" in a CSV cell (or a YAML string)
FORMATS = ("csv", "yaml")
MAX_ROWS = 500
MAX_ERRORS = 50  # enough to fix a file; more would drown the useful ones


class CatalogueError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


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

    @validates_schema(skip_on_field_errors=True)
    def _dimensions_or_addresses(self, data: dict[str, Any], **_: Any) -> None:
        if not data["dimensions"] and not data["addresses"]:
            raise ValidationError("Give at least one dimension (or what it addresses).", "dimensions")


def mechanisms_from_records(
    records: Iterable[tuple[int, Any]], instrument: Instrument | None
) -> list[Mechanism]:
    """Validate ``(row number, mapping)`` pairs. Given an ``instrument``, unknown dimensions and
    addresses are errors, and a mechanism's dimensions are completed from what it addresses."""
    schema = MechanismSchema()
    errors: list[str] = []
    mechanisms: list[Mechanism] = []
    first_row: dict[str, int] = {}
    for row, record in records:
        if not isinstance(record, dict):
            errors.append(f"row {row}: expected a mapping of field names to values")
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
        mechanism = Mechanism(
            **{**data, "dimensions": tuple(data["dimensions"]), "addresses": tuple(data["addresses"])}
        )
        resolved = resolve(mechanism, instrument) if instrument is not None else mechanism
        mechanisms.append(resolved or mechanism)
    if errors:
        raise CatalogueError(errors[:MAX_ERRORS])
    return mechanisms


def _row_errors(row: int, messages: Any) -> list[str]:
    found = []
    for line in flatten_errors(messages):
        path, _, message = line.partition(": ")
        field = path.split("[")[0].split(".")[0]
        # Columns in file order, unknown fields after them: a stable order for the reader.
        order = ALL_COLUMNS.index(field) if field in ALL_COLUMNS else len(ALL_COLUMNS)
        found.append((order, f"row {row}, field {field}: {message}"))
    return [line for _, line in sorted(found)]


def _check_row(
    row: int,
    data: dict[str, Any],
    instrument: Instrument | None,
    first_row: dict[str, int],
) -> list[str]:
    errors = []
    if data.get("id") in first_row:
        errors.append(
            f"row {row}, field id: duplicate id {data['id']!r} (first used in row {first_row[data['id']]})"
        )
    if instrument is None:
        return errors
    dimension_ids = set(instrument.dimension_ids)
    dimensions = [d for d in data.get("dimensions", ()) if isinstance(d, str)]
    errors.extend(
        f"row {row}, field dimensions: unknown dimension {dim!r}"
        for dim in dimensions
        if dim not in dimension_ids
    )
    for address in data.get("addresses", ()):
        if not isinstance(address, str):
            continue
        where = _dimensions_addressed(instrument, (address,))
        if not where:
            errors.append(f"row {row}, field addresses: unknown statement or theme {address!r}")
        elif dimensions and not where & set(dimensions):
            errors.append(
                f"row {row}, field addresses: {address!r} is in {', '.join(sorted(where))}, "
                "not in the row's dimensions"
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
    """Parse an uploaded catalogue (``csv`` or ``yaml``) against the instrument's dimensions."""
    if fmt not in FORMATS:
        raise CatalogueError([f"format: must be one of {', '.join(FORMATS)}, not {fmt!r}"])
    records = _csv_records(text) if fmt == "csv" else _yaml_records(text)
    if not records:
        raise CatalogueError(["the catalogue has no mechanisms"])
    if len(records) > MAX_ROWS:
        raise CatalogueError([f"the catalogue has {len(records)} mechanisms; at most {MAX_ROWS} are allowed"])
    return mechanisms_from_records(records, instrument)


def _csv_records(text: str) -> list[tuple[int, Any]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))  # Excel adds a byte-order mark
    rows = [(n, cells) for n, cells in enumerate(reader, start=1) if any(c.strip() for c in cells)]
    if not rows:
        return []
    _, header = rows[0]
    columns = [c.strip().lower() for c in header]
    _check_header(columns)
    records = []
    for row, cells in rows[1:]:
        if len(cells) > len(columns):
            raise CatalogueError(
                [f"row {row}: {len(cells)} cells but only {len(columns)} columns in the header"]
            )
        record: dict[str, Any] = {
            col: cell.strip() for col, cell in zip(columns, cells, strict=False) if cell.strip()
        }
        records.append((row, _split_lists(record)))
    return records


def _check_header(columns: list[str]) -> None:
    errors = [
        f"row 1, field {c or '(blank)'}: unknown column; expected {', '.join(CSV_COLUMNS)}"
        f" (and optionally {', '.join(OPTIONAL_COLUMNS)})"
        for c in columns
        if c not in ALL_COLUMNS
    ]
    missing = [c for c in CSV_COLUMNS if c not in columns]
    if missing:
        errors.append(f"row 1: missing column(s) {', '.join(missing)}")
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        errors.append(f"row 1: column(s) {', '.join(duplicated)} appear more than once")
    if errors:
        raise CatalogueError(errors)


def _yaml_records(text: str) -> list[tuple[int, Any]]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError([f"not valid YAML: {exc}"]) from exc
    if isinstance(raw, dict) and set(raw) == {"mechanisms"}:
        raw = raw["mechanisms"]
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CatalogueError(["expected a list of mechanisms (or a 'mechanisms:' list)"])
    # The CSV spelling "need; trust" is accepted in YAML too.
    return [(row, _split_lists(r) if isinstance(r, dict) else r) for row, r in enumerate(raw, start=1)]


def _split_lists(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    for key in LIST_FIELDS:
        if isinstance(out.get(key), str):
            out[key] = [part.strip() for part in out[key].split(";") if part.strip()]
    return out
