"""A learner's progress through the workshop: one row per person, course and session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow


class SessionProgress(Model):
    """Opened a session, and the private reflection written for it (if any)."""

    __tablename__ = "session_progress"
    __table_args__ = (
        UniqueConstraint(
            "user_pk",
            "context_pk",
            "workshop_slug",
            "session_slug",
            name="uq_session_progress_user_ctx_session",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    context_pk: Mapped[int | None] = mapped_column(
        ForeignKey("course_context.id", ondelete="CASCADE"), nullable=True
    )
    workshop_slug: Mapped[str] = mapped_column(String(100))
    session_slug: Mapped[str] = mapped_column(String(100))
    first_opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reflection: Mapped[str] = mapped_column(Text, default="")
    reflection_saved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Counts the saves of the reflection (0: never saved): a save based on an older version
    # is refused, so a stale tab cannot overwrite what another tab saved since.
    reflection_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
