"""Grades held while their platform is disabled in /admin (docs/decisions/0043).

A disabled platform is called by nothing: delivery claims only grades of enabled platforms
(``deliverable``), and the one function that builds platform clients refuses a disabled one
(lti_tool.services.grades.tokens.service_client). Its grades stay pending, untouched, until it
is enabled again (``release``: due at once, the delivery thread woken), or until the platform is
removed with everything of it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, case, func, not_, select, update

from lti_tool.extensions import db, rowcount
from lti_tool.i18n import N_
from lti_tool.models import Grade, Platform
from lti_tool.models.base import utcnow
from lti_tool.models.grades import PENDING
from lti_tool.services.grades.outbox import kick_after_commit

# Recorded on a grade whose delivery was claimed just before the disable and refused before any
# call (translated where it is shown, lti_tool.services.grades.gradebook.status_of).
HELD_MESSAGE = N_("held: the LMS is disabled in the tool by its administrator")


def deliverable() -> ColumnElement[bool]:
    """Grades of an enabled platform: the only ones delivery claims or waits for. A subquery,
    not a join: PostgreSQL's FOR UPDATE of the claim then locks grade rows only."""
    return Grade.platform_id.in_(select(Platform.id).where(Platform.enabled.is_(True)))


def held_count() -> int:
    """Pending grades of disabled platforms, all platforms together (`flask grades status`)."""
    return int(
        db.session.scalar(select(func.count()).where(Grade.status == PENDING, not_(deliverable()))) or 0
    )


def release(platform_id: int) -> int:
    """The platform was enabled again: its pending grades are due now, and this process's
    delivery thread is woken after the caller's commit. How many grades were held."""
    released = rowcount(
        db.session.execute(
            update(Grade)
            .where(Grade.platform_id == platform_id, Grade.status == PENDING)
            .values(
                next_attempt_at=utcnow(),
                # A delivery refused by the disable leaves no word once it is lifted.
                last_error=case((Grade.last_error == HELD_MESSAGE, ""), else_=Grade.last_error),
            )
            .execution_options(synchronize_session=False)
        )
    )
    if released:
        kick_after_commit()
    return released
