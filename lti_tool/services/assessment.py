"""Attempts and answers of the partnership self-assessment, and what a report is made of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lti_tool.assessment.instrument import Instrument, default_instrument, get_instrument
from lti_tool.assessment.model import Responses, format_number, missing_answers, rating_counts
from lti_tool.assessment.report import AreaChange, Report, build_report, compare_attempts
from lti_tool.extensions import db, rowcount
from lti_tool.i18n import decimal, integer, percent
from lti_tool.i18n import gettext as _
from lti_tool.models import AssessmentAreaTotal, AssessmentAttempt, Launch, LtiUser
from lti_tool.models.assessment import DRAFT, PARTNERSHIP_NAME_MAX, SUBMITTED
from lti_tool.models.base import utcnow
from lti_tool.plugin_api import MechanismCatalogue, PluginRuntimeError, SettingsError
from lti_tool.plugin_manager import MECHANISM_CATALOGUES, SCORING_MODELS, PluginManager, UnknownPluginError
from lti_tool.services.answers import (
    IMPORTANCE_PREFIX,
    AnswerError,
    Autosaved,
    Change,
    SubmitRefused,
    answers,
    save_changes,
)
from lti_tool.services.answers import autosave as answers_autosave
from lti_tool.services.answers import count as answer_count
from lti_tool.signals import activity_graded


def instrument_of(attempt: AssessmentAttempt) -> Instrument:
    return get_instrument(attempt.instrument_version, attempt.instrument_id)


def attempts(resource_link_pk: int, user_pk: int | None = None) -> list[AssessmentAttempt]:
    query = select(AssessmentAttempt).where(AssessmentAttempt.resource_link_pk == resource_link_pk)
    if user_pk is not None:
        query = query.where(AssessmentAttempt.user_pk == user_pk)
    return list(db.session.scalars(query.order_by(AssessmentAttempt.user_pk, AssessmentAttempt.number)))


def latest(launch: Launch) -> AssessmentAttempt | None:
    found = attempts(launch.resource_link_pk, launch.user_pk)  # type: ignore[arg-type]
    return found[-1] if found else None


def partnership_name(raw: object) -> str:
    """The learner's name for the partnership they assess: required, one line, bounded."""
    name = " ".join(str(raw or "").split())
    if not name:
        raise AnswerError(_("Name the partnership you will assess."))
    if len(name) > PARTNERSHIP_NAME_MAX:
        raise AnswerError(
            _("Use at most %(max)s characters for the partnership's name.", max=integer(PARTNERSHIP_NAME_MAX))
        )
    return name


def _create(launch: Launch, number: int, name: str = "") -> AssessmentAttempt:
    instrument = default_instrument()  # new attempts use the newest version; old ones keep theirs
    attempt = AssessmentAttempt(
        resource_link_pk=launch.resource_link_pk,
        user_pk=launch.user_pk,
        launch_id=launch.id,
        number=number,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        partnership_name=name,
        status=DRAFT,
    )
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # another tab created it a moment ago: use that one
        db.session.rollback()
        return next(
            a
            for a in attempts(launch.resource_link_pk, launch.user_pk)  # type: ignore[arg-type]
            if a.number == number
        )
    return attempt


def draft_for(launch: Launch) -> AssessmentAttempt:
    """The learner's attempt in progress, started on first use."""
    current = latest(launch)
    if current is None:
        return _create(launch, 1)
    return current


def own_draft(launch: Launch, asked: int | None = None) -> AssessmentAttempt | None:
    """The learner's draft; None when the page was about an attempt that is submitted now
    (``asked``: the attempt a form was made for, which a retake may have replaced)."""
    attempt = draft_for(launch)
    if attempt.status != DRAFT or (asked is not None and asked != attempt.id):
        return None
    return attempt


def autosave(launch: Launch, link_pk: int, asked: int | None, change: Change) -> Autosaved:
    """One answer as it is given. The page names its attempt (static/assessment.js): straight
    into it while it is the learner's draft (three statements); otherwise, or for a client that
    does not name it, the draft is looked up, and an answer to a submitted attempt refused."""
    if asked is not None:
        done = answers_autosave(asked, launch.user_pk, link_pk, change)
        if done is not None:
            return done
    attempt = own_draft(launch, asked)
    if attempt is None:
        raise SubmitRefused(_("This self-assessment is submitted; its answers are final."))
    saved = save_changes(attempt, [change])
    answered, total = count_answered(attempt)
    return Autosaved(saved, answered, total)


def begin(launch: Launch, name: str) -> AssessmentAttempt:
    """Start (or rename) the learner's draft, for the partnership they name."""
    current = latest(launch)
    if current is not None and current.status != DRAFT:
        raise SubmitRefused(_("Your self-assessment is submitted; start a new attempt to assess again."))
    attempt = current or _create(launch, 1, name)
    if attempt.partnership_name != name:
        attempt.partnership_name = name
        db.session.commit()
    return attempt


def start_retake(launch: Launch, retakes_allowed: bool, name: str = "") -> AssessmentAttempt:
    current = latest(launch)
    if current is None or current.status == DRAFT:
        return begin(launch, name) if name else draft_for(launch)
    if not retakes_allowed:
        raise SubmitRefused(_("This activity does not allow another attempt."))
    return _create(launch, current.number + 1, name or current.partnership_name)


def responses(attempt: AssessmentAttempt) -> Responses:
    ratings: dict[str, Any] = {}
    importance: dict[str, Any] = {}
    for item, value in answers(attempt).items():
        if item.startswith(IMPORTANCE_PREFIX):
            importance[item[len(IMPORTANCE_PREFIX) :]] = value
        else:
            ratings[item] = value
    return Responses.from_raw(ratings, importance)


def missing(attempt: AssessmentAttempt) -> list[Any]:
    """What is left to answer: statements, then areas' importance (a Statement or Dimension)."""
    instrument = instrument_of(attempt)
    rated = responses(attempt)
    gaps: list[Any] = list(missing_answers(instrument, rated))
    gaps += [d for d in instrument.dimensions if d.id not in rated.importance]
    return gaps


def submit(
    attempt: AssessmentAttempt,
    launch: Launch,
    settings: dict[str, Any],
    manager: PluginManager,
    points: float,
) -> bool:
    """Submit once. Returns False when it was already submitted (a double click, a second tab).
    The grade, on the activity's points (the LMS's: lti_tool.services.grades.scale), goes into
    the same transaction as the submission, through activity_graded."""
    gaps = missing(attempt)
    if attempt.status == DRAFT and (gaps or not attempt.partnership_name):
        raise SubmitRefused(_("Some answers are missing."), gaps)
    result = db.session.execute(
        update(AssessmentAttempt)
        .where(AssessmentAttempt.id == attempt.id, AssessmentAttempt.status == DRAFT)
        .values(status=SUBMITTED, submitted_at=utcnow(), launch_id=launch.id)
    )
    if rowcount(result) != 1:
        db.session.rollback()
        return False
    _record_area_totals(attempt)
    maximum = float(points)
    if maximum > 0:
        explained = grade_explanation(attempt, settings, manager, maximum)
        activity_graded.send(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            launch=launch,
            score_given=explained.fraction * maximum,
            score_maximum=maximum,
            comment=explained.line,
            source_ref=f"attempt:{attempt.id}",
        )
    db.session.commit()
    db.session.refresh(attempt)
    return True


def _record_area_totals(attempt: AssessmentAttempt) -> None:
    """The submitted attempt's sums per area, for the class view (in the submission's transaction)."""
    db.session.add_all(
        AssessmentAreaTotal(
            attempt_id=attempt.id,
            resource_link_pk=attempt.resource_link_pk,
            dimension_id=c.dimension_id,
            total=sum(c.values),
            rated=len(c.values),
            importance=c.importance,
        )
        for c in rating_counts(instrument_of(attempt), responses(attempt))
    )


@dataclass(frozen=True)
class GradeExplanation:
    fraction: float  # 0..1 of the activity's points
    line: str  # one line, sent to the LMS as the grade's comment
    detail: str  # the same in full, for the learner's grade page


def grade_explanation(
    attempt: AssessmentAttempt, settings: dict[str, Any], manager: PluginManager, out_of: float
) -> GradeExplanation:
    """How the grade of ``attempt`` is computed under the activity's grading setting, out of the
    activity's points (the LMS's: lti_tool.services.grades.scale)."""
    maximum = float(out_of)
    points = decimal(maximum)
    # In the language of the request that submits (the learner's): the comment sent to the LMS too.
    what = _("Partnership self-assessment, attempt %(number)s", number=attempt.number)
    if settings.get("grading") != "model":
        return GradeExplanation(
            1.0,
            _(
                "%(what)s: full marks for submitting (%(points)s/%(points)s); the answers do not change it.",
                what=what,
                points=points,
            ),
            _(
                "This activity gives full marks for submitting: %(points)s of %(points)s points. Your "
                "answers do not change the grade; they are yours to learn from.",
                points=points,
            ),
        )
    outcome = report(attempt, settings, manager)
    overall = outcome.report.overall if outcome.report else None
    fraction = float(overall) if overall is not None else 0.0
    scale = instrument_of(attempt).scale
    low, high = scale.minimum, scale.maximum
    given = decimal(fraction * maximum)
    if overall is None:
        return GradeExplanation(
            0.0,
            _(
                "%(what)s: %(given)s/%(points)s: the scoring model had nothing to score (no area was rated).",
                what=what,
                given=given,
                points=points,
            ),
            _(
                "This activity grades with the scoring model's overall result, and no area was rated "
                "on the %(low)s-%(high)s scale, so the grade is 0 of %(points)s points.",
                low=low,
                high=high,
                points=points,
            ),
        )
    model = manager.get(SCORING_MODELS, settings["scoring_model"])
    mean = low + fraction * (high - low)
    describe = model.overall_description
    values = {
        "what": what,
        "given": given,
        "points": points,
        "model": str(model.label),
        "mean": format_number(mean),
        "low": low,
        "high": high,
        "span": high - low,
        "percent": percent(fraction),
        "describe": str(describe),
    }
    return GradeExplanation(
        fraction,
        _(
            "%(what)s: %(given)s/%(points)s = %(model)s overall result %(mean)s on the "
            "%(low)s-%(high)s scale, mapped onto 0-%(points)s (%(low)s gives 0, %(high)s gives %(points)s).",
            **values,
        ),
        _(
            "This activity grades with the scoring model's overall result. Under “%(model)s” "
            "your overall result is %(describe)s: %(mean)s on the %(low)s-%(high)s scale. "
            "The scale is mapped onto the activity's %(points)s points (%(low)s gives 0, %(high)s gives "
            "%(points)s): (%(mean)s − %(low)s) / %(span)s = %(percent)s, so %(given)s of "
            "%(points)s. The grade follows how you rated the partnership, not the quality of your work.",
            **values,
        ),
    )


@dataclass(frozen=True)
class ReportOutcome:
    report: Report | None
    problem: str | None = None


def report(attempt: AssessmentAttempt, settings: dict[str, Any], manager: PluginManager) -> ReportOutcome:
    """The report, from stored answers and the activity's current settings."""
    instrument = instrument_of(attempt)
    try:
        model = manager.get(SCORING_MODELS, settings["scoring_model"])
    except UnknownPluginError as exc:
        # The fixed part in the reader's language; the details (the plugin's, the tool's log's) as they are.
        return ReportOutcome(
            None, _("The scoring model chosen for this activity cannot be used: %(problem)s", problem=exc)
        )
    try:
        return ReportOutcome(
            build_report(
                instrument,
                responses(attempt),
                model,
                settings.get("scoring_settings", {}),
                catalogues(settings, manager),
            )
        )
    except (PluginRuntimeError, SettingsError) as exc:
        return ReportOutcome(
            None,
            _(
                "The scoring model “%(model)s” failed on these answers: %(problem)s",
                model=model.label,
                problem=exc,
            ),
        )


def catalogues(
    settings: dict[str, Any], manager: PluginManager
) -> list[tuple[MechanismCatalogue, dict[str, Any]]]:
    """The activity's mechanism catalogues with their settings (one missing is left out: the
    report's catalogue list shows it as missing)."""
    found = []
    for name in settings.get("catalogues", []):
        try:
            found.append(
                (
                    manager.get(MECHANISM_CATALOGUES, name),
                    settings.get("catalogue_settings", {}).get(name, {}),
                )
            )
        except UnknownPluginError:
            continue
    return found


def previous_submitted(attempt: AssessmentAttempt) -> AssessmentAttempt | None:
    """The learner's latest submitted attempt before this one, in the same activity."""
    return db.session.scalars(
        select(AssessmentAttempt)
        .where(
            AssessmentAttempt.resource_link_pk == attempt.resource_link_pk,
            AssessmentAttempt.user_pk == attempt.user_pk,
            AssessmentAttempt.number < attempt.number,
            AssessmentAttempt.status == SUBMITTED,
        )
        .order_by(AssessmentAttempt.number.desc())
        .limit(1)
    ).first()


def changes_since(earlier: AssessmentAttempt, attempt: AssessmentAttempt) -> tuple[AreaChange, ...]:
    return compare_attempts(
        (instrument_of(earlier), responses(earlier)), (instrument_of(attempt), responses(attempt))
    )


def attempt_of_grade(source_ref: str) -> AssessmentAttempt | None:
    """The attempt a grade was given for (its source_ref is "attempt:<id>")."""
    kind, _, ident = (source_ref or "").partition(":")
    if kind != "attempt" or not ident.isdigit():
        return None
    return db.session.get(AssessmentAttempt, int(ident))


def count_answered(attempt: AssessmentAttempt) -> tuple[int, int]:
    return answer_count(attempt), instrument_of(attempt).item_total


def get_attempt(attempt_id: int) -> AssessmentAttempt | None:
    return db.session.get(AssessmentAttempt, attempt_id)


def person(user_pk: int) -> LtiUser | None:
    return db.session.get(LtiUser, user_pk)
