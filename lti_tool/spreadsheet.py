"""Cells and rows of the CSV files people open in a spreadsheet.

A spreadsheet runs a cell that starts like a formula (=, +, -, @, or a tab or carriage return
before one); a learner's name or a partnership's name could be written to do harm. Every text
cell a CSV export writes goes through ``safe_cell``, which keeps such cells text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_rows(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text (every cell through ``safe_cell``), for writing or streaming in chunks."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
