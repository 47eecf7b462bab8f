"""The activity's gradebook for instructors, and a learner's own grade status."""

from __future__ import annotations

import math

from flask import Blueprint, Response, abort, redirect, render_template, request
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response as WerkzeugResponse

from lti_tool.i18n import gettext as _
from lti_tool.lti import session as launch_session
from lti_tool.lti.roles import INSTRUCTOR
from lti_tool.models import Launch
from lti_tool.models.grades import FAILED
from lti_tool.plugin_api import PluginRuntimeError
from lti_tool.plugin_manager import plugins
from lti_tool.services import activity_settings
from lti_tool.services import assessment as assessment_service
from lti_tool.services import grades as grade_service
from lti_tool.views import activity
from lti_tool.views.params import record_id

bp = Blueprint("grades", __name__, url_prefix="/app/grades")


bp.context_processor(activity.scale_context)


def _launch_in_activity() -> Launch:
    launch = launch_session.current()
    if launch.resource_link_pk is None:
        abort(404, description=_("Grades belong to an activity: open one from your course."))
    return launch


@bp.get("/")
@launch_session.launch_required(role=INSTRUCTOR)
def instructor() -> str:
    launch = _launch_in_activity()
    rows, roster_problem = grade_service.gradebook(
        launch, refresh_roster=request.args.get("refresh") == "roster"
    )
    return render_template(
        "grades/instructor.html",
        launch=launch,
        rows=rows,
        roster_problem=roster_problem,
        status_of=grade_service.status_of,
        # Read now (the roster's client read it too): held grades say why (decision 0043).
        platform_enabled=launch.platform.enabled,
        resent=request.args.get("resent"),
        already=request.args.get("already"),
        queued=request.args.get("queued", type=int),
        # Every grade of the activity is a row (learners of the roster or not): counted there.
        failed_count=sum(1 for row in rows if row.grade is not None and row.grade.status == FAILED),
        exporters=grade_service.exporters(launch),
    )


@bp.post("/resend")
@launch_session.launch_required(role=INSTRUCTOR)
def resend() -> WerkzeugResponse:
    launch = _launch_in_activity()
    grade_id = request.form.get("grade_id", type=record_id)
    done = grade_service.resend(launch, grade_id) if grade_id is not None else None
    if done is None:
        abort(
            400,
            description=_(
                "That grade cannot be sent again from this activity (it may already be in the LMS gradebook)."
            ),
        )
    # Already in the LMS (a double click): the gradebook says so, nothing was sent.
    answer = {"resent": grade_id} if done == "resent" else {"already": grade_id}
    return redirect(launch_session.launch_url("grades.instructor", **answer), code=303)


@bp.post("/resend-failed")
@launch_session.launch_required(role=INSTRUCTOR)
def resend_failed() -> WerkzeugResponse:
    """ "Send again all N refused grades": this activity's failed grades only. A second click
    queues nothing (the grades are pending or delivered by then) and says so."""
    launch = _launch_in_activity()
    queued = grade_service.resend_failed_of_link(launch)
    return redirect(launch_session.launch_url("grades.instructor", queued=queued), code=303)


@bp.get("/export/<name>")
@launch_session.launch_required(role=INSTRUCTOR)
def export(name: str) -> Response:
    launch = _launch_in_activity()
    try:
        found = grade_service.export(launch, name)
    except PluginRuntimeError as exc:
        abort(502, description=_("The export failed: %(error)s", error=exc.error))
    if found is None:
        abort(404, description=_("No grade export named %(name)r for this activity.", name=name))
    filename = secure_filename(found.filename) or "grades"
    return Response(
        found.body,
        mimetype=found.content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/mine")
@launch_session.launch_required()
def mine() -> str:
    launch = _launch_in_activity()
    grade = grade_service.learner_grade(launch)
    status, words = grade_service.status_of(grade)
    # The attempt the grade was given for: its report, and how the grade was computed.
    attempt = assessment_service.attempt_of_grade(grade.source_ref) if grade else None
    if attempt is not None and (attempt.user_pk, attempt.resource_link_pk) != (
        launch.user_pk,
        launch.resource_link_pk,
    ):
        attempt = None
    explained = None
    if grade is not None and attempt is not None:
        settings = activity_settings.load(attempt.resource_link_pk)
        explained = assessment_service.grade_explanation(attempt, settings, plugins(), grade.score_maximum)
        if not math.isclose(explained.fraction * grade.score_maximum, grade.score_given, abs_tol=1e-6):
            explained = None  # the activity's settings changed since: the recorded line says how
    return render_template(
        "grades/mine.html",
        launch=launch,
        grade=grade,
        status=status,
        words=words,
        attempt=attempt,
        explained=explained,
    )
