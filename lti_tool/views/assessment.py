"""The partnership self-assessment: taking it, submitting, the report, the instructor's pages.

Thin: answers, attempts and settings live in lti_tool.services; scoring and reports in
lti_tool.assessment and the plugins.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response

from lti_tool.assessment.instrument import NA, Instrument, default_instrument
from lti_tool.assessment.model import format_number
from lti_tool.assessment.report_charts import report_charts
from lti_tool.lti import session as launch_session
from lti_tool.lti.roles import INSTRUCTOR
from lti_tool.models import AssessmentAttempt, Launch
from lti_tool.models.assessment import DRAFT
from lti_tool.plugin_manager import GRADE_PASSBACK, MECHANISM_CATALOGUES, SCORING_MODELS, plugins
from lti_tool.services import activity_settings
from lti_tool.services import assessment as service
from lti_tool.services.assessment import IMPORTANCE_PREFIX, AnswerError, SubmitRefused
from lti_tool.views.schema_form import form_fields, raw_values, with_uploads

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


def _activity_launch() -> Launch:
    launch = launch_session.current()
    _link(launch)
    return launch


def _link(launch: Launch) -> int:
    """The activity's resource link (``_activity_launch`` made sure there is one)."""
    if launch.resource_link_pk is None:
        abort(400, description="Open the self-assessment from its activity in your course.")
    return launch.resource_link_pk


def _settings(launch: Launch) -> dict[str, Any]:
    return activity_settings.load(_link(launch))


def _go(endpoint: str, **values: Any) -> Response:
    return redirect(launch_session.launch_url(endpoint, **values), code=303)


@bp.get("/")
@launch_session.launch_required()
def start() -> Any:
    launch = _activity_launch()
    if launch.role == INSTRUCTOR:
        return _overview(launch)
    return _start_page(launch)


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
        problem=problem,
        name=request.form.get("partnership", current.partnership_name if current else ""),
    ), status


@bp.post("/begin")
@launch_session.launch_required()
def begin() -> Any:
    """The learner names the partnership they assess; then the questions, which refer to it."""
    launch = _activity_launch()
    try:
        name = service.partnership_name(request.form.get("partnership"))
        service.begin(launch, name)
    except AnswerError as exc:
        return _start_page(launch, str(exc), 400)
    except SubmitRefused as exc:
        abort(409, description=str(exc))
    return _go("assessment.take")


def _overview(launch: Launch) -> str:
    rows = service.attempts_with_people(_link(launch))
    settings = _settings(launch)
    model = next(
        (p for p in plugins().available(SCORING_MODELS) if p.name == settings["scoring_model"]), None
    )
    return render_template("assessment/overview.html", rows=rows, settings=settings, model=model)


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
    launch = _activity_launch()
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
    launch = _activity_launch()
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
    launch = _activity_launch()
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
    launch = _activity_launch()
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
    launch = _activity_launch()
    attempt = service.latest(launch)
    if attempt is None:
        abort(400, description="There is nothing to submit yet.")
    try:
        service.submit(attempt, launch, _settings(launch), plugins())
    except SubmitRefused:
        return _go("assessment.review")
    return _go("assessment.report", attempt_id=attempt.id)


@bp.post("/retake")
@launch_session.launch_required()
def retake() -> Any:
    launch = _activity_launch()
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
        grade=service.grade_explanation(attempt, settings, plugins()) if outcome.report else None,
        score_maximum=settings.get("score_maximum"),
    )


# --- instructor settings -------------------------------------------------------------------


def _settings_form_context(settings: dict[str, Any], problems: Any = None) -> dict[str, Any]:
    manager = plugins()
    return {
        "settings": settings,
        "models": [(p, form_fields(p.settings_schema)) for p in manager.available(SCORING_MODELS)],
        "catalogues": [(p, form_fields(p.settings_schema)) for p in manager.available(MECHANISM_CATALOGUES)],
        "passbacks": [(p, form_fields(p.settings_schema)) for p in manager.available(GRADE_PASSBACK)],
        "unavailable": [
            i
            for i in manager.describe()
            if i.status != "available"
            and i.kind in {SCORING_MODELS.name, MECHANISM_CATALOGUES.name, GRADE_PASSBACK.name}
        ],
        "problems": problems.by_section if problems else {},
    }


@bp.get("/settings")
@launch_session.launch_required(role=INSTRUCTOR)
def settings_form() -> str:
    launch = _activity_launch()
    return render_template("assessment/settings.html", **_settings_form_context(_settings(launch)))


# The settings form may carry a catalogue file (at most 200,000 characters, plugins/catalogues/
# uploaded.py): its request may be larger than the tool's general limit (MAX_CONTENT_LENGTH).
CATALOGUE_FORM_MAX_BYTES = 2_000_000


@bp.before_request
def _catalogue_form_limit() -> None:
    # Before anything reads the form (the launch token may be a form field).
    if request.endpoint == "assessment.save_settings":
        request.max_content_length = CATALOGUE_FORM_MAX_BYTES
        request.max_form_memory_size = CATALOGUE_FORM_MAX_BYTES  # the text may come as a field


@bp.post("/settings")
@launch_session.launch_required(role=INSTRUCTOR)
def save_settings() -> Any:
    launch = _activity_launch()
    manager = plugins()
    form = request.form
    form_values = with_uploads(form.to_dict(), request.files)
    raw: dict[str, Any] = {
        "scoring_model": form.get("scoring_model", ""),
        "scoring_settings": {
            p.name: raw_values(p.settings_schema, form_values, f"scoring.{p.name}")
            for p in manager.available(SCORING_MODELS)
        },
        "catalogues": form.getlist("catalogues"),
        "catalogue_settings": {
            p.name: raw_values(p.settings_schema, form_values, f"catalogue.{p.name}")
            for p in manager.available(MECHANISM_CATALOGUES)
        },
        "passback": form.get("passback", ""),
        "passback_settings": {
            p.name: raw_values(p.settings_schema, form_values, f"passback.{p.name}")
            for p in manager.available(GRADE_PASSBACK)
        },
        "grading": form.get("grading"),
        "score_maximum": form.get("score_maximum"),
        "retakes": form.get("retakes") == "on",
    }
    from lti_tool.assessment.instrument import default_instrument

    clean, problems = activity_settings.validate(raw, manager, default_instrument())
    if problems:
        shown = {**_settings(launch), **{k: v for k, v in raw.items() if not k.endswith("_settings")}}
        shown["submitted"] = raw
        return render_template("assessment/settings.html", **_settings_form_context(shown, problems)), 400
    activity_settings.save(_link(launch), clean)
    return _go("assessment.start", saved=1)
