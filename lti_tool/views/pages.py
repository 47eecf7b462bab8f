"""The learner's and instructor's pages inside the LMS."""

from __future__ import annotations

import json

from flask import Blueprint, render_template

from lti_tool.lti import session as launch_session

bp = Blueprint("pages", __name__, url_prefix="/app")


@bp.get("/")
@launch_session.launch_required()
def home() -> str:
    launch = launch_session.current()
    custom = json.loads(launch.custom_json or "{}")
    return render_template("home.html", launch=launch, custom=custom)


@bp.get("/session-check")
@launch_session.launch_required()
def session_check() -> dict[str, object]:
    """A small JSON view that proves the session survives fetches (used by tests and pages)."""
    launch = launch_session.current()
    return {
        "user": launch.user.sub,
        "role": launch.role,
        "context": launch.context.context_id if launch.context else None,
    }
