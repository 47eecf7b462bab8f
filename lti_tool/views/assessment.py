"""The partnership self-assessment: taking it, submitting, the report, the instructor's pages.

Thin: answers, attempts and settings live in lti_tool.services; scoring and reports in
lti_tool.assessment and the plugins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response

from lti_tool import items as item_registry
from lti_tool.assessment.instrument import NA, Instrument, default_instrument
from lti_tool.assessment.model import format_number
from lti_tool.assessment.report_charts import report_charts
from lti_tool.i18n import gettext as _
from lti_tool.items import ASSESSMENT_ITEM_ID
from lti_tool.lti import session as launch_session
from lti_tool.lti.roles import INSTRUCTOR
from lti_tool.models import AssessmentAttempt, Launch
from lti_tool.models.assessment import DRAFT
from lti_tool.plugin_manager import plugins
from lti_tool.services import activities, activity_settings
from lti_tool.services import answers as answer_service
from lti_tool.services import assessment as service
from lti_tool.services import partnership as partnership_service
from lti_tool.services.answers import IMPORTANCE_PREFIX, AnswerError, SubmitRefused
from lti_tool.services.grades import scale as grade_scale
from lti_tool.views import activity, answer_forms
from lti_tool.views.assessment_class import class_view
from lti_tool.views.params import MAX_ID

bp = Blueprint("assessment", __name__, url_prefix="/app/assessment")


@bp.app_template_filter("num")
def _num(value: float | None) -> str:
    """Every number on the assessment's pages is written one way (2.25, 2.67, 3.0)."""
    return "–" if value is None else format_number(value)


@bp.app_template_filter("signed")
def _signed(value: float | None) -> str:
    if value is None:
        return "–"
    return ("+" if value > 0 else "−" if value < 0 else "±") + format_number(abs(value))


@bp.app_template_filter("first_sentence")
def _first_sentence(text: str | None) -> str:
    """The first sentence of a note: the "why" in the report's summary (the rest is below)."""
    text = (text or "").strip()
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


_activity_launch = activity.activity_launch
_assessment_launch = activity.assessment_launch
_link = activity.link_of
bp.context_processor(activity.scale_context)


def _settings(launch: Launch) -> dict[str, Any]:
    return activity_settings.load(_link(launch))


def _go(endpoint: str, **values: Any) -> Response:
    return redirect(launch_session.launch_url(endpoint, **values), code=303)


@bp.get("/")
@launch_session.launch_required()
def start() -> Any:
    launch = _activity_launch()
    if not activities.is_assessment_activity(launch):
        return _elsewhere(launch)
    if launch.role == INSTRUCTOR:
        return _overview(launch)
    return _start_page(launch)


def _elsewhere(launch: Launch) -> str:
    """In any other activity: no attempt, no grade; where the graded self-assessment is."""
    return render_template(
        "assessment/elsewhere.html",
        placed=[link.title for link in activities.placed_assessments(launch)],
        item=item_registry.registry().find(ASSESSMENT_ITEM_ID),
    )


def _assignment() -> Any:
    """The workshop's assignment whose self-assessment this is (its steps open the page)."""
    return next(
        (w.assignment for w in item_registry.workshops().values() if w.assignment is not None),
        None,
    )


def _start_page(launch: Launch, problem: str = "", status: int = 200) -> Any:
    settings = _settings(launch)
    history = service.attempts(_link(launch), launch.user_pk)
    current = history[-1] if history else None
    answered, total = service.count_answered(current) if current else (0, 0)
    instrument = service.instrument_of(current) if current else default_instrument()
    group = partnership_service.group_of(launch) if settings["partnership_groups"] else None
    return render_template(
        "assessment/start.html",
        instrument=instrument,
        current=current,
        history=history,
        answered=answered,
        total=total,
        retakes=settings["retakes"],
        grading=settings["grading"],
        instructions=settings["instructions"],
        assignment=_assignment(),
        problem=problem,
        name=request.form.get(
            "partnership", current.partnership_name if current else group.name if group else ""
        ),
        groups_on=settings["partnership_groups"],
        group=group,
    ), status


@bp.post("/begin")
@launch_session.launch_required()
def begin() -> Any:
    """The learner names the partnership they assess; then the questions, which refer to it."""
    launch = _assessment_launch()
    try:
        name = service.partnership_name(request.form.get("partnership"))
        service.begin(launch, name)
    except AnswerError as exc:
        return _start_page(launch, str(exc), 400)
    except SubmitRefused as exc:
        abort(409, description=str(exc))
    return _go("assessment.take")


def _overview(launch: Launch) -> str:
    return class_view(launch)


def _submitted_page(launch: Launch, status: int = 200) -> tuple[str, int]:
    """Reached by the back button or a stale tab after submitting: no dead end, the report."""
    attempt = service.latest(launch)
    return render_template(
        "assessment/submitted.html",
        attempt=attempt,
        retakes=_settings(launch)["retakes"],
    ), status


def _page_index(instrument: Instrument, attempt: AssessmentAttempt) -> int:
    """The requested area, or where the learner left off: the first with a gap."""
    asked = request.args.get("d", type=int)
    count = len(instrument.dimensions)
    if asked is not None:
        return min(max(asked, 1), count)
    given = answer_service.answers(attempt)
    for index, dimension in enumerate(instrument.dimensions, start=1):
        items = [s.id for s in dimension.statements] + [IMPORTANCE_PREFIX + dimension.id]
        if any(i not in given for i in items):
            return index
    return count


def _take_page(
    attempt: AssessmentAttempt,
    index: int,
    conflicts: dict[str, answer_service.Conflict] | None = None,
    mine: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """An area's questions. After a refused save (``conflicts``), the person's own choices
    (``mine``) stay selected and each conflict says what was saved elsewhere."""
    instrument = service.instrument_of(attempt)
    stored = answer_service.answers(attempt)
    answered, total = service.count_answered(attempt)
    return render_template(
        "assessment/take.html",
        instrument=instrument,
        attempt=attempt,
        index=index,
        dimension=instrument.dimensions[index - 1],
        count=len(instrument.dimensions),
        given={**stored, **(mine or {})},
        stored=stored,
        versions=answer_service.versions(attempt),
        conflicts=conflicts or {},
        answered=answered,
        total=total,
        NA=NA,
        importance_key=IMPORTANCE_PREFIX,
    ), status


@bp.get("/take")
@launch_session.launch_required()
def take() -> Any:
    launch = _assessment_launch()
    attempt = service.own_draft(launch)
    if attempt is None:
        return _submitted_page(launch)
    if not attempt.partnership_name:  # every prompt names it: ask for it first
        return _go("assessment.start")
    return _take_page(attempt, _page_index(service.instrument_of(attempt), attempt))


@bp.post("/take")
@launch_session.launch_required()
def save_page() -> Any:
    """The no-JavaScript way: the answers the person changed on the page, in one form post,
    then the next page. An answer changed elsewhere since the page was shown is not
    overwritten: the page comes back saying so (``keep`` buttons settle it)."""
    launch = _assessment_launch()
    attempt = service.own_draft(launch, request.form.get("attempt", type=int))
    if attempt is None:
        return _submitted_page(launch, 409)
    index = request.form.get("d", type=int) or 1
    changes = answer_forms.page_changes(request.form)
    try:
        saved = answer_service.save_changes(attempt, changes)
    except AnswerError as exc:
        abort(400, description=str(exc))
    except SubmitRefused:
        return _submitted_page(launch, 409)
    count = len(service.instrument_of(attempt).dimensions)
    index = min(max(index, 1), count)
    if saved.conflicts:
        mine = {c.item: c.yours for c in saved.conflicts}
        return _take_page(attempt, index, {c.item: c for c in saved.conflicts}, mine, 409)
    if request.form.get("keep"):  # a conflict settled: back to the same questions
        return _go("assessment.take", d=index)
    if request.form.get("go") == "previous":
        return _go("assessment.take", d=max(index - 1, 1))
    if index >= count or request.form.get("go") == "review":
        return _go("assessment.review")
    return _go("assessment.take", d=index + 1)


@bp.post("/answer")
@launch_session.launch_required()
def save_answer() -> Any:
    """One answer, saved as it is given (fetch from the take page), with the version the page
    showed: 409 ``conflict`` when it was changed elsewhere since (nothing overwritten)."""
    launch = _assessment_launch()
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, Mapping):  # unreadable JSON, or an array, a string, a number
        return jsonify(error="bad_answer", message=_("Send a JSON object with an item and a value.")), 400
    change = answer_forms.json_change(data)
    if change is None:
        return jsonify(error="bad_answer", message=_("Send an item and a value.")), 400
    asked = data.get("attempt")  # the attempt the page was made for
    asked = asked if isinstance(asked, int) and not isinstance(asked, bool) else None
    if asked is not None and not 1 <= asked <= MAX_ID:  # no such record: never sent to the database
        return jsonify(error="bad_attempt", message=_("The attempt is not a valid attempt number.")), 400
    try:
        done = service.autosave(launch, _link(launch), asked, change)
    except AnswerError as exc:
        return jsonify(error="bad_answer", message=str(exc)), 400
    except SubmitRefused as exc:
        report = service.latest(launch)
        return jsonify(
            error="submitted",
            message=str(exc),
            report_url=launch_session.launch_url("assessment.report", attempt_id=report.id)
            if report is not None and report.status != DRAFT
            else launch_session.launch_url("assessment.start"),
        ), 409
    if done.saved.conflicts:
        conflict = done.saved.conflicts[0]
        return jsonify(
            error="conflict",
            message=_("This answer was changed in another tab or window."),
            item=conflict.item,
            yours=conflict.yours,
            theirs=conflict.theirs,
            version=conflict.version,
        ), 409
    return jsonify(
        saved=True,
        item=change.item,
        value=change.value,
        version=done.saved.versions[change.item],
        answered=done.answered,
        total=done.total,
    )


@bp.get("/review")
@launch_session.launch_required()
def review() -> Any:
    launch = _assessment_launch()
    attempt = service.own_draft(launch)
    if attempt is None:
        return _submitted_page(launch)
    instrument = service.instrument_of(attempt)
    return render_template(
        "assessment/review.html",
        attempt=attempt,
        instrument=instrument,
        areas=answer_forms.missing_by_area(instrument, service.missing(attempt)),
    )


@bp.post("/submit")
@launch_session.launch_required()
def submit() -> Response:
    launch = _assessment_launch()
    attempt = service.latest(launch)
    if attempt is None:
        abort(400, description=_("There is nothing to submit yet."))
    asked = request.form.get("attempt", type=int)
    if asked is not None and asked != attempt.id:  # a stale tab's form for an earlier attempt
        return _go("assessment.start")
    try:
        points = grade_scale.scale_of(launch.resource_link_pk).points
        service.submit(attempt, launch, _settings(launch), plugins(), points)
    except SubmitRefused:
        return _go("assessment.review")
    return _go("assessment.report", attempt_id=attempt.id)


@bp.post("/retake")
@launch_session.launch_required()
def retake() -> Any:
    launch = _assessment_launch()
    try:
        name = request.form.get("partnership")
        service.start_retake(
            launch, bool(_settings(launch)["retakes"]), service.partnership_name(name) if name else ""
        )
    except AnswerError as exc:
        return _start_page(launch, str(exc), 400)
    except SubmitRefused as exc:
        abort(403, description=str(exc))
    return _go("assessment.take")


def _viewable(launch: Launch, attempt_id: int) -> AssessmentAttempt:
    """A learner sees only their own attempts; an instructor, those of their activity."""
    attempt = service.get_attempt(attempt_id)
    if attempt is None or attempt.resource_link_pk != launch.resource_link_pk:
        abort(404, description=_("No such attempt in this activity."))
    if launch.role != INSTRUCTOR and attempt.user_pk != launch.user_pk:
        abort(403, description=_("You can only see your own report."))
    return attempt


@bp.get("/report/<int:attempt_id>")
@launch_session.launch_required()
def report(attempt_id: int) -> str:
    launch = _activity_launch()
    attempt = _viewable(launch, attempt_id)
    settings = _settings(launch)
    outcome = service.report(attempt, settings, plugins())
    instrument = service.instrument_of(attempt)
    earlier = service.previous_submitted(attempt)
    changes = service.changes_since(earlier, attempt) if earlier else None
    own = attempt.user_pk == launch.user_pk  # else a teacher reads a learner's report
    charts = report_charts(outcome.report, instrument, changes, own) if outcome.report else None
    return render_template(
        "assessment/report.html",
        attempt=attempt,
        instrument=instrument,
        outcome=outcome,
        report=outcome.report,
        charts=charts,
        earlier=earlier,
        changes=changes,
        person=service.person(attempt.user_pk),
        own=own,
        retakes=settings["retakes"],
        grade=service.grade_explanation(
            attempt, settings, plugins(), grade_scale.scale_of(attempt.resource_link_pk).points
        )
        if outcome.report
        else None,
    )
