"""Validation of mechanism catalogues, shared by the built-in and the uploaded catalogue.

Every error names the row and the field, e.g. ``row 4, field dimensions: unknown dimension
'trusst'``. Rows are counted as a spreadsheet shows them: in CSV the header is row 1, so the first
mechanism is row 2; in YAML the first item of the list is row 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from lti_tool.assessment.instrument import SLUG, Instrument, flatten_errors
from lti_tool.assessment.model import EFFORTS, HORIZONS, Mechanism

CSV_COLUMNS = ("id", "title", "summary", "dimensions", "effort", "horizon", "source")
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
    dimensions = fields.List(fields.String(validate=SLUG), required=True, validate=validate.Length(min=1))
    effort = fields.String(required=True, validate=validate.OneOf(EFFORTS))
    horizon = fields.String(required=True, validate=validate.OneOf(HORIZONS))
    source = fields.String(required=True, validate=validate.Length(min=1, max=300))


def mechanisms_from_records(
    records: Iterable[tuple[int, Any]], dimension_ids: Collection[str] | None
) -> list[Mechanism]:
    """Validate ``(row number, mapping)`` pairs; unknown dimensions are errors when
    ``dimension_ids`` is given."""
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
            errors.extend(_check_row(row, valid, dimension_ids, first_row))
            continue
        errors.extend(_check_row(row, data, dimension_ids, first_row))
        first_row.setdefault(data["id"], row)
        mechanisms.append(Mechanism(**{**data, "dimensions": tuple(data["dimensions"])}))
    if errors:
        raise CatalogueError(errors[:MAX_ERRORS])
    return mechanisms


def _row_errors(row: int, messages: Any) -> list[str]:
    found = []
    for line in flatten_errors(messages):
        path, _, message = line.partition(": ")
        field = path.split("[")[0].split(".")[0]
        # Columns in file order, unknown fields after them: a stable order for the reader.
        order = CSV_COLUMNS.index(field) if field in CSV_COLUMNS else len(CSV_COLUMNS)
        found.append((order, f"row {row}, field {field}: {message}"))
    return [line for _, line in sorted(found)]


def _check_row(
    row: int,
    data: dict[str, Any],
    dimension_ids: Collection[str] | None,
    first_row: dict[str, int],
) -> list[str]:
    errors = []
    if data.get("id") in first_row:
        errors.append(
            f"row {row}, field id: duplicate id {data['id']!r} (first used in row {first_row[data['id']]})"
        )
    if dimension_ids is not None:
        errors.extend(
            f"row {row}, field dimensions: unknown dimension {dim!r}"
            for dim in data.get("dimensions", ())
            if dim not in dimension_ids
        )
    return errors


def parse_catalogue(text: str, fmt: str, instrument: Instrument) -> list[Mechanism]:
    """Parse an uploaded catalogue (``csv`` or ``yaml``) against the instrument's dimensions."""
    if fmt not in FORMATS:
        raise CatalogueError([f"format: must be one of {', '.join(FORMATS)}, not {fmt!r}"])
    records = _csv_records(text) if fmt == "csv" else _yaml_records(text)
    if not records:
        raise CatalogueError(["the catalogue has no mechanisms"])
    if len(records) > MAX_ROWS:
        raise CatalogueError([f"the catalogue has {len(records)} mechanisms; at most {MAX_ROWS} are allowed"])
    return mechanisms_from_records(records, set(instrument.dimension_ids))


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
            col: cell.strip() for col, cell in zip(columns, cells, strict=False) if cell
        }
        if "dimensions" in record:
            record["dimensions"] = [d.strip() for d in record["dimensions"].split(";") if d.strip()]
        records.append((row, record))
    return records


def _check_header(columns: list[str]) -> None:
    errors = [
        f"row 1, field {c or '(blank)'}: unknown column; expected {', '.join(CSV_COLUMNS)}"
        for c in columns
        if c not in CSV_COLUMNS
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
    records = list(enumerate(raw, start=1))
    for _, record in records:  # allow the CSV spelling "need; trust" in YAML too
        if isinstance(record, dict) and isinstance(record.get("dimensions"), str):
            record["dimensions"] = [d.strip() for d in record["dimensions"].split(";") if d.strip()]
    return records
