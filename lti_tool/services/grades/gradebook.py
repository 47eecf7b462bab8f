"""What instructors see of a resource link's grades: rows, statuses, "send again"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from lti_tool.extensions import db, rowcount
from lti_tool.models import Grade, Launch
from lti_tool.models.base import utcnow
from lti_tool.models.grades import DELIVERED, FAILED, PENDING
from lti_tool.services.grades.outbox import kick_after_commit
from lti_tool.services.grades.roster import roster


@dataclass(frozen=True)
class GradebookRow:
    user_id: str
    name: str
    email: str
    grade: Grade | None
    in_roster: bool


def status_of(grade: Grade | None) -> tuple[str, str]:
    """(status key, words for people) of a grade."""
    if grade is None:
        return "none", "No grade yet"
    if grade.status == DELIVERED:  # the words are the plugin's (PassbackResult.delivered)
        when = grade.delivered_at.strftime("%Y-%m-%d %H:%M UTC") if grade.delivered_at else ""
        return "delivered", f"{grade.last_error or 'Delivered'} (since {when})"
    if grade.status == FAILED:
        return "failed", f"Not accepted by the LMS: {grade.last_error}"
    if grade.attempts and grade.last_error:
        return "pending", (
            f"Waiting to reach the LMS (attempt {grade.attempts}: "
            f"{grade.last_error}); next try {grade.next_attempt_at:%H:%M:%S} UTC"
        )
    return "pending", "Waiting to reach the LMS"


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


def resend(launch: Launch, grade_id: int) -> bool:
    """Send a grade again (after the cause of a failure was fixed). False if not this link's."""
    done = rowcount(
        db.session.execute(
            update(Grade)
            .where(
                Grade.id == grade_id,
                Grade.resource_link_pk == launch.resource_link_pk,
                Grade.status.in_([FAILED, PENDING]),
            )
            .values(status=PENDING, attempts=0, next_attempt_at=utcnow(), updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    if done:
        kick_after_commit()
    db.session.commit()
    return bool(done)
