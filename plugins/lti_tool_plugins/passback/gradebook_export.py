"""For platforms without AGS: the grade is kept by the tool and exported as CSV.

The instructor downloads the CSV from the tool's gradebook page and uploads it to the LMS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lti_tool.plugin_api import GradePassback, GradeToSend, GradeTransport, PassbackResult


class GradebookExportPassback(GradePassback):
    name = "gradebook_export"
    label = "Gradebook export (CSV)"
    description = (
        "Keeps grades in the tool for a CSV export from the instructor's gradebook "
        "page, for platforms without Assignment and Grade Services."
    )
    version = "1"
    uses_transport = False

    def deliver(
        self, grade: GradeToSend, transport: GradeTransport | None, settings: Mapping[str, Any]
    ) -> PassbackResult:
        self.load_settings(settings)
        return PassbackResult.delivered("kept for the CSV export")
