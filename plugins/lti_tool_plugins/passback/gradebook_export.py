"""For platforms without AGS: the grade is kept by the tool and exported as CSV.

The instructor downloads the CSV from the tool's gradebook page and uploads it to the LMS.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from lti_tool.i18n import N_
from lti_tool.plugin_api import (
    TOOL_TEXTS,
    ExportFile,
    GradePassback,
    GradeRecord,
    GradeToSend,
    GradeTransport,
    PassbackResult,
)
from lti_tool.spreadsheet import safe_cell

# The tool's own catalogue: the door every plugin's texts go through (docs/plugins.md).
_l = TOOL_TEXTS.lazy_gettext

COLUMNS = (
    "user_id",
    "name",
    "email",
    "score_given",
    "score_maximum",
    "percent",
    "comment",
    "graded_at",
    "status",
)


class GradebookExportPassback(GradePassback):
    name = "gradebook_export"
    label = _l("Gradebook export (CSV)")
    description = _l(
        "Keeps grades in the tool for a CSV export from the instructor's gradebook "
        "page, for platforms without Assignment and Grade Services."
    )
    version = "1"
    api_version = "1.0"  # the plugin API it was written for
    uses_transport = False
    auto_priority = 0  # the fallback: it takes any launch
    export_label = "CSV"

    def deliver(
        self, grade: GradeToSend, transport: GradeTransport | None, settings: Mapping[str, Any]
    ) -> PassbackResult:
        return PassbackResult.delivered(N_("Kept for the CSV export (no gradebook service in this course)"))

    def export(self, grades: Sequence[GradeRecord], settings: Mapping[str, Any]) -> ExportFile:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for grade in grades:
            percent = round(100 * grade.score_given / grade.score_maximum, 2)
            row = (
                grade.user_id,
                grade.name,
                grade.email,
                grade.score_given,
                grade.score_maximum,
                percent,
                grade.comment,
                grade.graded_at.strftime("%Y-%m-%d %H:%M:%S"),
                grade.status,
            )
            writer.writerow([safe_cell(v) for v in row])
        return ExportFile("grades.csv", "text/csv", out.getvalue())
