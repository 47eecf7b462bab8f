"""A resource link's grades as CSV, for platforms without a gradebook service."""

from __future__ import annotations

import csv
import io

from lti_tool.models import Launch
from lti_tool.services.grades.gradebook import grades_of_link


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula: keep them text.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def export_csv(launch: Launch) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "user_id",
            "name",
            "email",
            "score_given",
            "score_maximum",
            "percent",
            "comment",
            "graded_at",
            "status",
        ]
    )
    for grade in grades_of_link(launch.resource_link_pk) if launch.resource_link_pk else []:
        percent = round(100 * grade.score_given / grade.score_maximum, 2)
        writer.writerow(
            [
                _cell(v)
                for v in (
                    grade.user.sub,
                    grade.user.name,
                    grade.user.email,
                    grade.score_given,
                    grade.score_maximum,
                    percent,
                    grade.comment,
                    grade.graded_at.strftime("%Y-%m-%d %H:%M:%S"),
                    grade.status,
                )
            ]
        )
    return out.getvalue()
