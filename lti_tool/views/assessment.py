"""The partnership self-assessment: taking it, submitting, the report, the instructor's pages.

Thin: answers, attempts and settings live in lti_tool.services; scoring and reports in
lti_tool.assessment and the plugins.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response

from lti_tool import items as item_registry
from lti_tool.assessment.instrument import NA, Instrument, default_instrument
from lti_tool.assessment.model import format_number
from lti_tool.assessment.report_charts import report_charts
from lti_tool.items import ASSESSMENT_ITEM_ID
from lti_tool.lti import session as launch_session
from lti_tool.lti.roles import INSTRUCTOR
from lti_tool.models import AssessmentAttempt, Launch
from lti_tool.models.assessment import DRAFT
from lti_tool.plugin_manager import plugins
from lti_tool.services import activities, activity_settings
from lti_tool.services import assessment as service
from lti_tool.services.assessment import IMPORTANCE_PREFIX, AnswerError, SubmitRefused
from lti_tool.services.grades import scale as grade_scale
from lti_tool.views import activity
from lti_tool.views.assessment_class import class_view

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
        name=request.form.get("partnership", current.partnership_name if current else ""),
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


def _own_draft(launch: Launch) -> AssessmentAttempt:
    attempt = service.draft_for(launch)
    if attempt.status != DRAFT:
        abort(
            409,
            description="Your self-assessment is submitted. Open your report, or start a "
            "new attempt if your instructor allows it.",
        )
    return attempt


def _page_index(instrument: Instrument, attempt: AssessmentAttempt) -> int:
    """The requested dimension, or where the learner left off: the first with a gap."""
    asked = request.args.get("d", type=int)
    count = len(instrument.dimensions)
    if asked is not None:
        return min(max(asked, 1), count)
    given = service.answers(attempt)
    for index, dimension in enumerate(instrument.dimensions, start=1):
        items = [s.id for s in dimension.statements] + [IMPORTANCE_PREFIX + dimension.id]
        if any(i not in given for i in items):
            return index
    return count


@bp.get("/take")
@launch_session.launch_required()
def take() -> Any:
    launch = _assessment_launch()
    attempt = _own_draft(launch)
    if not attempt.partnership_name:  # every prompt names it: ask for it first
        return _go("assessment.start")
    instrument = service.instrument_of(attempt)
    index = _page_index(instrument, attempt)
    answered, total = service.count_answered(attempt)
    return render_template(
        "assessment/take.html",
        instrument=instrument,
        attempt=attempt,
        index=index,
        dimension=instrument.dimensions[index - 1],
        count=len(instrument.dimensions),
        given=service.answers(attempt),
        answered=answered,
        total=total,
        NA=NA,
        importance_key=IMPORTANCE_PREFIX,
    )


@bp.post("/take")
@launch_session.launch_required()
def save_page() -> Response:
    """The no-JavaScript way: the page's answers in one form post, then the next page."""
    launch = _assessment_launch()
    attempt = _own_draft(launch)
    given = {k[2:]: v for k, v in request.form.items() if k.startswith("a.") and v}
    try:
        service.save_answers(attempt, given)
    except AnswerError as exc:
        abort(400, description=str(exc))
    index = request.form.get("d", type=int) or 1
    count = len(service.instrument_of(attempt).dimensions)
    if request.form.get("go") == "previous":
        return _go("assessment.take", d=max(index - 1, 1))
    if index >= count or request.form.get("go") == "review":
        return _go("assessment.review")
    return _go("assessment.take", d=index + 1)


@bp.post("/answer")
@launch_session.launch_required()
def save_answer() -> Any:
    """One answer, saved as it is given (fetch from the take page)."""
    launch = _assessment_launch()
    data = request.get_json(silent=True) if request.is_json else request.form
    if not data or not isinstance(data.get("item"), str) or not isinstance(data.get("value"), str):
        return jsonify(error="bad_answer", message="Send an item and a value."), 400
    try:
        attempt = service.draft_for(launch)
        service.save_answers(attempt, {data["item"]: data["value"]})
    except AnswerError as exc:
        return jsonify(error="bad_answer", message=str(exc)), 400
    except SubmitRefused as exc:
        return jsonify(error="submitted", message=str(exc)), 409
    answered, total = service.count_answered(attempt)
    return jsonify(saved=True, answered=answered, total=total)


@bp.get("/review")
@launch_session.launch_required()
def review() -> str:
    launch = _assessment_launch()
    attempt = _own_draft(launch)
    instrument = service.instrument_of(attempt)
    return render_template(
        "assessment/review.html",
        attempt=attempt,
        instrument=instrument,
        missing=_missing_with_pages(instrument, attempt),
    )


def _missing_with_pages(instrument: Instrument, attempt: AssessmentAttempt) -> list[dict[str, Any]]:
    page_of = {}
    for index, dimension in enumerate(instrument.dimensions, start=1):
        page_of[dimension.id] = (index, dimension.title)
        for statement in dimension.statements:
            page_of[statement.id] = (index, dimension.title)
    result = []
    for gap in service.missing(attempt):
        index, title = page_of[gap.id]
        text = getattr(gap, "text", None)
        result.append(
            {"page": index, "dimension": title, "what": f"“{text}”" if text else "how important this area is"}
        )
    return result


@bp.post("/submit")
@launch_session.launch_required()
def submit() -> Response:
    launch = _assessment_launch()
    attempt = service.latest(launch)
    if attempt is None:
        abort(400, description="There is nothing to submit yet.")
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
        abort(404, description="No such attempt in this activity.")
    if launch.role != INSTRUCTOR and attempt.user_pk != launch.user_pk:
        abort(403, description="You can only see your own report.")
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
    charts = report_charts(outcome.report, instrument, changes) if outcome.report else None
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
        retakes=settings["retakes"],
        grade=service.grade_explanation(
            attempt, settings, plugins(), grade_scale.scale_of(attempt.resource_link_pk).points
        )
        if outcome.report
        else None,
    )
