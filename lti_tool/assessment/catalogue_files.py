"""Catalogue files as teachers write them: CSV or YAML read with the line and column of every
value, problems said in plain words, and example files written from the schema itself (so that
the example always loads, whatever the schema or the instrument becomes).

Teachers' word for a dimension is "area" (what learners see): a file may name the column
``areas`` or ``dimensions``; messages use the name the file used.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from lti_tool.assessment.instrument import Instrument
from lti_tool.assessment.model import EFFORTS, HORIZONS, Mechanism

CSV_COLUMNS = ("id", "title", "summary", "dimensions", "effort", "horizon", "source")
# French texts are optional in a teacher's file: where one is missing, French pages show the English.
FRENCH_COLUMNS = {"title": "title_fr", "summary": "summary_fr", "source": "source_fr"}
OPTIONAL_COLUMNS = ("addresses", *FRENCH_COLUMNS.values())
ALL_COLUMNS = CSV_COLUMNS + OPTIONAL_COLUMNS
ALIASES = {"areas": "dimensions"}  # the teacher's word, accepted for the schema's
SHOWN = {"dimensions": "areas"}  # how a column is named where the file did not name it
LIST_FIELDS = ("dimensions", "addresses")  # "a; b" in a CSV cell (or a YAML string)


class CatalogueError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Place:
    """Where a mechanism sits in its file: its first line, and where each of its values is
    (``cells``: field -> (line, column, the name the file gave it))."""

    line: int
    item: int | None = None  # YAML: the mechanism's number in the list
    cells: Mapping[str, tuple[int, int, str]] = field(default_factory=dict)

    def at(self, name: str | None = None) -> str:
        if name is None:
            return f"Line {self.line}" + (f" (mechanism {self.item})" if self.item else "")
        line, column, written = self.cells.get(name, (self.line, 0, SHOWN.get(name, name)))
        where = f"Line {line}, column {column}" if column else f"Line {line}"
        return where + f" (“{written}”" + (f" of mechanism {self.item})" if self.item else ")")


def where(row: Any, name: str | None = None) -> str:
    """A record's place for a message: a Place from a file, or a mechanism's number in data."""
    if isinstance(row, Place):
        return row.at(name)
    return f"Mechanism {row}" + (f", field {name}" if name else "")


_PLAIN = {
    "Missing data for required field.": "empty; this column needs a value",
    "Unknown field.": "unknown column; the columns are " + ", ".join(c for c in ALL_COLUMNS),
    "Not a valid string.": "must be text",
    "Not a valid list.": "must be a list",
    "Field may not be null.": "empty; this column needs a value",
}


def plain(message: str) -> str:
    """marshmallow's messages, in the words a teacher would use."""
    if message in _PLAIN:
        return _PLAIN[message]
    if message.startswith("Length must be between "):
        low, _, high = message.removeprefix("Length must be between ").rstrip(".").partition(" and ")
        return f"use {low} to {high} characters"
    if message.startswith("Longer than maximum length "):
        most = message.removeprefix("Longer than maximum length ").rstrip(".")
        return f"use at most {most} characters"
    return message


def _canonical(name: str) -> str:
    name = name.strip().lower()
    return ALIASES.get(name, name)


def _split_lists(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    for key in LIST_FIELDS:
        if isinstance(out.get(key), str):
            out[key] = [part.strip() for part in out[key].split(";") if part.strip()]
    return out


def csv_records(text: str) -> list[tuple[Place, dict[str, Any]]]:
    """Rows after the header, each with its line (a quoted cell may span lines) and columns."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))  # Excel adds a byte-order mark
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise CatalogueError([f"Line {reader.line_num}: this line is not valid CSV ({exc})."]) from exc
    if not rows:
        return []
    _, header = rows[0]
    written = [c.strip() for c in header]
    columns = [_canonical(c) for c in header]
    _check_header(written, columns)
    records = []
    for line, cells in rows[1:]:
        if len(cells) > len(columns):
            raise CatalogueError(
                [
                    f"Line {line}: {len(cells)} values, but the first line names only {len(columns)} "
                    "columns (a comma inside a value needs the value in double quotes)."
                ]
            )
        record = {col: cell.strip() for col, cell in zip(columns, cells, strict=False) if cell.strip()}
        cells_at = {col: (line, i + 1, written[i]) for i, col in enumerate(columns)}
        records.append((Place(line, None, cells_at), _split_lists(record)))
    return records


def _check_header(written: list[str], columns: list[str]) -> None:
    expected = ", ".join(SHOWN.get(c, c) for c in CSV_COLUMNS)
    optional = ", ".join(OPTIONAL_COLUMNS)
    errors = [
        f"Line 1, column {i} (“{w or 'blank'}”): unknown column; the columns are {expected} "
        f"(and, if you wish, {optional})."
        for i, (w, c) in enumerate(zip(written, columns, strict=True), start=1)
        if c not in ALL_COLUMNS
    ]
    missing = [SHOWN.get(c, c) for c in CSV_COLUMNS if c not in columns]
    if missing:
        errors.append(f"Line 1: these columns are missing: {', '.join(missing)}.")
    duplicated = sorted({w for w, c in zip(written, columns, strict=True) if columns.count(c) > 1})
    if duplicated:
        errors.append(f"Line 1: the column(s) {', '.join(duplicated)} appear more than once.")
    if errors:
        raise CatalogueError(errors)


def yaml_records(text: str) -> list[tuple[Place, Any]]:
    """The list's items (or a ``mechanisms:`` list's), each with its line and each value's."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError([_yaml_problem(exc)]) from exc
    if isinstance(root, yaml.MappingNode) and isinstance(data, dict) and set(data) == {"mechanisms"}:
        root, data = root.value[0][1], data["mechanisms"]
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise CatalogueError(
            ["Line 1: expected a list of mechanisms, each starting with “- id:” (or a “mechanisms:” list)."]
        )
    records: list[tuple[Place, Any]] = []
    for number, (node, item) in enumerate(zip(root.value, data, strict=True), start=1):
        line = node.start_mark.line + 1
        if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
            records.append((Place(line, number), item))
            continue
        cells = {}
        renamed = {}
        for key_node, value_node in node.value:
            written = str(key_node.value)
            name = _canonical(written)
            renamed[written] = name
            cells[name] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1, written)
        record = {renamed.get(str(k), str(k)): v for k, v in item.items()}
        records.append((Place(line, number, cells), _split_lists(record)))
    return records


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    where = f"Line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "The file"
    said = f"{problem}" + (f" ({context})" if context else "")
    return (
        f"{where}: this is not valid YAML: {said}. Check the indentation and that every “[” or "
        "“{” is closed; a value containing “: ” needs quotes."
    )


# -- Examples, written from the schema ------------------------------------------------------


def example_rows(
    instrument: Instrument, mechanisms: Sequence[Mechanism] = (), french: Sequence[Mechanism] = ()
) -> list[dict[str, str]]:
    """Up to three example mechanisms, one per effort level where there are some: from
    ``mechanisms`` (a catalogue in use, in English; ``french``: the same in French, by id) or,
    without any, made up from the instrument."""
    in_french = {m.id: m for m in french}
    chosen: list[Mechanism] = []
    for effort in EFFORTS:
        found = next((m for m in mechanisms if m.effort == effort and m not in chosen), None)
        if found is not None:
            chosen.append(found)
    chosen += [m for m in mechanisms if m not in chosen][: 3 - len(chosen)]
    if not chosen:
        first, second = instrument.dimensions[0], instrument.dimensions[-1]
        chosen = [
            Mechanism(
                id="joint-review",
                title="A joint review every six months",
                summary="Partners review together what the partnership set out to do and what it did.",
                dimensions=(first.id, second.id),
                effort=EFFORTS[0],
                horizon=HORIZONS[0],
                source="Your own practice",
            )
        ]
        in_french = {
            "joint-review": dataclasses.replace(
                chosen[0],
                title="Un examen conjoint tous les six mois",
                summary="Les partenaires examinent ensemble ce que le partenariat s'était fixé "
                "et ce qu'il a fait.",
                source="Votre propre pratique",
            )
        }
    return [
        {
            "id": m.id,
            "title": m.title,
            "summary": m.summary,
            "areas": "; ".join(m.dimensions),
            "effort": m.effort,
            "horizon": m.horizon,
            "source": m.source,
            "addresses": "; ".join(m.addresses),
            **{
                column: getattr(in_french[m.id], field)
                for field, column in FRENCH_COLUMNS.items()
                if m.id in in_french and getattr(in_french[m.id], field) != getattr(m, field)
            },
        }
        for m in chosen
    ]


def _columns() -> list[str]:
    return [SHOWN.get(c, c) for c in ALL_COLUMNS]


def example_csv(rows: Sequence[Mapping[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_columns(), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def example_yaml(rows: Sequence[Mapping[str, str]]) -> str:
    items = []
    for row in rows:
        item: dict[str, Any] = {}
        for column in _columns():
            value = row.get(column, "")
            if column in ("areas", "addresses"):
                item[column] = [v.strip() for v in value.split(";") if v.strip()]
                if not item[column]:
                    del item[column]
            elif value:
                item[column] = value
        items.append(item)
    header = "# Mechanisms for the self-assessment's report: one item per mechanism.\n"
    return header + yaml.safe_dump(
        {"mechanisms": items}, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
