"""What instructors see of a resource link's grades: rows, statuses, "send again"."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update

from lti_tool.extensions import db, rowcount
from lti_tool.i18n import N_, date_time
from lti_tool.i18n import gettext as _
from lti_tool.models import Grade, Launch
from lti_tool.models.base import utcnow
from lti_tool.models.grades import DELIVERED, FAILED, NOT_SENT, PENDING
from lti_tool.services.grades.outbox import kick_after_commit
from lti_tool.services.grades.roster import roster


@dataclass(frozen=True)
class GradebookRow:
    user_id: str
    name: str
    email: str
    grade: Grade | None
    in_roster: bool


# The LMS's answers as lti_tool/lti/ags.py words them: stored in English with a detail (the HTTP
# status and the LMS's error code: "HTTP 422 (unprocessable)"), translated here, the detail as is.
COMPOSED = (
    ("the LMS refused the request: ", N_("the LMS refused the request: %(detail)s")),
    ("the LMS refused the access token: ", N_("the LMS refused the access token: %(detail)s")),
    ("the LMS answered ", N_("the LMS answered %(detail)s")),
)


def _said(message: str) -> str:
    for prefix, words in COMPOSED:
        detail = message[len(prefix) :]
        if message.startswith(prefix) and detail.startswith("HTTP "):
            return _(words, detail=detail)
    return _(message)


def status_of(grade: Grade | None, platform_enabled: bool = True) -> tuple[str, str]:
    """(status key, words for people) of a grade; ``platform_enabled`` False: its platform is
    disabled in /admin, so a grade not yet delivered is held (decision 0043)."""
    # A plugin's words are stored as it wrote them (marked N_ when they are the built-ins'):
    # translated here, for the person reading the gradebook.
    said = _said(grade.last_error) if grade is not None and grade.last_error else ""
    if grade is None:
        return "none", _("No grade yet")
    if grade.status == DELIVERED:  # the words are the plugin's (PassbackResult.delivered)
        when = date_time(grade.delivered_at) if grade.delivered_at else ""
        return "delivered", _("%(what)s (since %(when)s)", what=said or _("Delivered to the LMS"), when=when)
    if grade.status == FAILED:
        return "failed", _("Not accepted by the LMS: %(why)s", why=said)
    if grade.status == NOT_SENT:  # decision 0050: the LMS grades its students, not observers
        return "not_sent", _(
            "Not sent to the LMS: this person is in the course as an observer, and the LMS "
            "gradebook takes only students' grades. The result stays in the tool."
        )
    if not platform_enabled:
        return "held", _(
            "Held: this LMS is disabled in the tool by its administrator. The grade is kept and "
            "will be sent once it is enabled again."
        )
    if grade.attempts and grade.last_error:
        return "pending", _(
            "Waiting to reach the LMS (attempt %(attempt)s: %(why)s); next try %(when)s",
            attempt=grade.attempts,
            why=said,
            when=date_time(grade.next_attempt_at),
        )
    return "pending", _("Waiting to reach the LMS")


def grades_of_link(resource_link_pk: int) -> list[Grade]:
    return list(
        db.session.scalars(select(Grade).where(Grade.resource_link_pk == resource_link_pk).order_by(Grade.id))
    )


def learner_grade(launch: Launch) -> Grade | None:
    if launch.resource_link_pk is None:
        return None
    return db.session.scalars(
        select(Grade).where(
            Grade.resource_link_pk == launch.resource_link_pk, Grade.user_pk == launch.user_pk
        )
    ).first()


def gradebook(launch: Launch, refresh_roster: bool = False) -> tuple[list[GradebookRow], str]:
    """Each learner of the roster with their grade, then graded users not in the roster."""
    grades = grades_of_link(launch.resource_link_pk) if launch.resource_link_pk else []
    by_sub = {g.user.sub: g for g in grades}
    members, problem = roster(launch, refresh_roster)
    rows = [
        GradebookRow(m.user_id, m.name, m.email, by_sub.pop(m.user_id, None), True)
        for m in members
        if m.is_learner
    ]
    rows += [GradebookRow(g.user.sub, g.user.name, g.user.email, g, False) for g in by_sub.values()]
    return rows, problem


def _again() -> dict[str, Any]:
    """A grade sent again: waiting from now, the old failure gone (it is not the new try's: the
    row says "waiting" until the new try answers)."""
    now = utcnow()
    return {
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "updated_at": now,
        "last_error": "",
        "last_status": None,
    }


def resend_failed(*where: ColumnElement[bool], kick: bool = True) -> Counter[int]:
    """Send again every grade the LMS refused (status failed) that matches ``where``: how many
    per platform id. The same status-guarded UPDATE as ``resend``: a grade already sent again
    (pending, in flight or delivered) is not touched, so a second call sends nothing twice.
    ``kick``: wake this process's delivery thread (not from a command that exits at once)."""
    requeued = db.session.scalars(
        update(Grade)
        .where(Grade.status == FAILED, *where)
        .values(**_again())
        .returning(Grade.platform_id)
        .execution_options(synchronize_session=False)
    ).all()
    if requeued and kick:
        kick_after_commit()
    db.session.commit()
    return Counter(requeued)


def resend_failed_of_link(launch: Launch) -> int:
    """Send again every grade of this activity the LMS refused (the gradebook's "Send again all"):
    how many were queued (0 on a second click)."""
    if launch.resource_link_pk is None:
        return 0
    return sum(resend_failed(Grade.resource_link_pk == launch.resource_link_pk).values())


def resend_failed_everywhere(
    platform_id: int | None = None, since_days: float | None = None, kick: bool = False
) -> Counter[int]:
    """An administrator's requeue (``flask grades resend --failed``), e.g. once a platform's
    registration is fixed: the failed grades of one platform or all, refused in the last
    ``since_days`` days or ever; how many per platform id. ``kick`` from the web process (/admin);
    from the command, which exits at once, the workers deliver them."""
    where: list[ColumnElement[bool]] = []
    if platform_id is not None:
        where.append(Grade.platform_id == platform_id)
    if since_days is not None:
        where.append(Grade.updated_at >= utcnow() - timedelta(days=since_days))
    return resend_failed(*where, kick=kick)


def resend(launch: Launch, grade_id: int) -> str | None:
    """Send a grade again (after the cause of a failure was fixed): "resent"; "delivered" when
    it is already in the LMS (a second click: nothing is sent); None if not this link's."""
    mine = (Grade.id == grade_id, Grade.resource_link_pk == launch.resource_link_pk)
    done = rowcount(
        db.session.execute(
            update(Grade)
            .where(*mine, Grade.status.in_([FAILED, PENDING]))
            .values(**_again())
            .execution_options(synchronize_session=False)
        )
    )
    if done:
        kick_after_commit()
    db.session.commit()
    if done:
        return "resent"
    delivered = db.session.scalars(select(Grade.id).where(*mine, Grade.status == DELIVERED)).first()
    return "delivered" if delivered is not None else None
