"""The grade outbox: a learner's grade written in the submission's own transaction.

``record_grade`` (the ``activity_graded`` receiver) upserts the ``grade`` row and never commits;
after the transaction commits, the process's delivery thread is woken (``worker.GradePump``).
See docs/decisions/0008-grade-outbox.md.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from flask import Flask
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from lti_tool.extensions import db, this_app
from lti_tool.lti.ags import granted_ags_scopes
from lti_tool.lti.roles import INSTRUCTOR, observer_only
from lti_tool.models import Grade, Launch
from lti_tool.models.base import utcnow
from lti_tool.models.grades import NOT_SENT, PENDING
from lti_tool.plugin_api import GradeToSend
from lti_tool.services.grades import passback
from lti_tool.services.sql import insert_for
from lti_tool.signals import activity_graded

log = logging.getLogger("lti_tool.grades")

_KICK = "lti_tool.grades_kick"


class GradeError(ValueError):
    """A graded activity sent a grade that cannot be one (the sender's mistake)."""


def kick_after_commit() -> None:
    """Wake this process's delivery thread once the current transaction commits."""
    db.session.info[_KICK] = this_app()


# --- the receiver: the outbox row, in the submission's transaction -------------------------


def ags_claim(launch: Launch) -> dict[str, Any]:
    try:
        claim = json.loads(launch.ags_json) if launch.ags_json else {}
    except ValueError:
        claim = {}
    return claim if isinstance(claim, dict) else {}


def grade_for(claim: dict[str, Any], **fields: Any) -> GradeToSend:
    def url(key: str) -> str | None:
        value = claim.get(key)
        return value if isinstance(value, str) and value else None

    return GradeToSend(
        line_item_url=url("lineitem"),
        line_items_url=url("lineitems"),
        scopes=granted_ags_scopes(claim),
        **fields,
    )


def choose_plugin(claim: dict[str, Any], resource_link_pk: int | None, app: Flask | None = None) -> str:
    """The activity's grade_passback plugin for a launch (see ``passback.choose``)."""
    mode, raw = passback.activity_choice(resource_link_pk, app)
    probe = grade_for(claim, user_id="", score_given=0, score_maximum=1, comment="", timestamp="")
    try:
        return passback.choose(probe, mode, raw, app)
    except passback.NoPassbackError as exc:
        raise GradeError(str(exc)) from exc


def record_grade(
    launch: Launch, score_given: float, score_maximum: float, comment: str = "", source_ref: str = ""
) -> int | None:
    """Write a learner's grade into the outbox (no commit: the caller's transaction decides).

    Returns the grade row's id, or None when the launch is not in a resource link or is an
    instructor's: LMSs grade learners only (Moodle refuses a score for a user who is not
    gradable in the course, Canvas for one who is not a student), so a teacher trying the
    activity would leave a grade that can only be refused (decision 0041). An observer's grade
    is kept as ``not_sent``: shown to the teachers as such, never queued (decision 0050).
    """
    try:
        given, maximum = float(score_given), float(score_maximum)
    except (TypeError, ValueError) as exc:
        raise GradeError("score_given and score_maximum must be numbers") from exc
    if not (math.isfinite(given) and math.isfinite(maximum) and maximum > 0 and 0 <= given <= maximum):
        raise GradeError(f"score {given} out of {maximum} is not a grade")
    if launch.resource_link_pk is None:
        log.warning("grade of launch %s ignored: the launch has no resource link", launch.id)
        return None
    if launch.role == INSTRUCTOR:
        log.info("grade of launch %s not sent: an instructor's, which the LMS does not take", launch.id)
        return None
    claim = ags_claim(launch)
    now = utcnow()
    sent = not observer_only(_roles(launch))
    values = {
        "plugin": choose_plugin(claim, launch.resource_link_pk),
        "ags_json": json.dumps(claim) if claim else None,
        "source_ref": str(source_ref)[:255],
        "score_given": given,
        "score_maximum": maximum,
        "comment": str(comment or "")[:4000],
        "graded_at": now,
        "status": PENDING if sent else NOT_SENT,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "last_status": None,
        "updated_at": now,
    }
    key = {"resource_link_pk": launch.resource_link_pk, "user_pk": launch.user_pk}
    # Whether the row is new is read from RETURNING, not from the rowcount: on PostgreSQL
    # SQLAlchemy fetches the new id itself and reports a rowcount of -1, which read as "inserted"
    # and dropped every later attempt's grade (decision 0037).
    inserted = db.session.scalars(
        insert_for(Grade)
        .values(
            platform_id=launch.platform_id, version=1, delivered_version=0, created_at=now, **key, **values
        )
        .on_conflict_do_nothing(index_elements=["resource_link_pk", "user_pk"])
        .returning(Grade.id)
    ).one_or_none()
    grade_id = inserted or db.session.scalars(select(Grade.id).filter_by(**key)).one()
    if inserted is None:
        current = db.session.execute(
            select(Grade.source_ref, Grade.score_given, Grade.score_maximum, Grade.comment).where(
                Grade.id == grade_id
            )
        ).one()
        if source_ref and tuple(current) == (values["source_ref"], given, maximum, values["comment"]):
            return grade_id  # the same grade sent again: nothing new to deliver
        # A new version supersedes whatever was not delivered yet.
        db.session.execute(
            update(Grade).where(Grade.id == grade_id).values(version=Grade.version + 1, **values)
        )
    if sent:
        kick_after_commit()
    else:
        log.info("grade of launch %s kept, not sent: an observer's, which the LMS does not take", launch.id)
    return grade_id


def _roles(launch: Launch) -> list[str]:
    try:
        roles = json.loads(launch.roles_json or "[]")
    except ValueError:
        return []
    return [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else []


def _on_activity_graded(sender: Any, **kwargs: Any) -> None:
    record_grade(
        kwargs["launch"],
        kwargs["score_given"],
        kwargs["score_maximum"],
        kwargs.get("comment", ""),
        kwargs.get("source_ref", ""),
    )


def _after_commit(session: Session) -> None:
    app = session.info.pop(_KICK, None)
    if app is not None and app.config.get("GRADES_DELIVER_IN_PROCESS"):
        from lti_tool.services.grades.worker import pump  # the worker uses this module

        pump(app).kick()


def _after_rollback(session: Session) -> None:
    session.info.pop(_KICK, None)


def register(app: Flask) -> None:
    """Connect the receiver and the after-commit delivery (idempotent)."""
    activity_graded.connect(_on_activity_graded)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))


# --- delivery ------------------------------------------------------------------------------
