"""Deep Linking: the teacher's picker (content items are added by the content feature)."""

from __future__ import annotations

from flask import Blueprint, render_template

from lti_tool.lti import session as launch_session
from lti_tool.lti.roles import INSTRUCTOR

bp = Blueprint("deep_linking", __name__, url_prefix="/app/deep-linking")


@bp.get("/")
@launch_session.launch_required(role=INSTRUCTOR)
def picker() -> str:
    return render_template("deep_linking/picker.html", launch=launch_session.current(), items=[])
