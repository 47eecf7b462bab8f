"""Grade rows written straight into the outbox, for pages that show them (the gradebook, the
teacher's walk): what the worker would have recorded, without running it."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Grade, Launch, LtiUser
from lti_tool.models.grades import FAILED

# What the worker records after the LMS refused a score for good (HTTP 422).
REFUSED: dict[str, Any] = {
    "status": FAILED,
    "last_error": "the LMS refused the request: HTTP 422 (unprocessable)",
    "last_status": 422,
}


def launch_of(app: Flask, sub: str) -> str:
    """The id of a launch of the person ``sub``."""
    with app.app_context():
        found = db.session.scalars(
            select(Launch.id).join(LtiUser, LtiUser.id == Launch.user_pk).where(LtiUser.sub == sub)
        ).first()
    assert found is not None, sub
    return found


def recorded_grade(app: Flask, launch_id: str, **fields: Any) -> int:
    """A grade of the launch's learner and link (9 of 10, tried once), ``fields`` on top; its id."""
    with app.app_context():
        launch = db.session.get(Launch, launch_id)
        assert launch is not None and launch.resource_link_pk is not None
        values: dict[str, Any] = {
            "plugin": "lti_ags",
            "score_given": 9,
            "score_maximum": 10,
            "graded_at": launch.created_at,
            "attempts": 1,
            **fields,
        }
        grade = Grade(
            platform_id=launch.platform_id,
            user_pk=launch.user_pk,
            resource_link_pk=launch.resource_link_pk,
            **values,
        )
        db.session.add(grade)
        db.session.commit()
        return grade.id


def text_of(page: str) -> str:
    """A page's words as a reader gets them: tags dropped, entities read, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
