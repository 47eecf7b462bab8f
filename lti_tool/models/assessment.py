"""The self-assessment's records: attempts, their answers, and each activity's settings.

Only answers are stored; scores, priorities and reports are derived when shown, from the
answers and the activity's current settings (docs/decisions/0007-assessment-storage.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow

DRAFT = "draft"
SUBMITTED = "submitted"
PARTNERSHIP_NAME_MAX = 150


class AssessmentAttempt(Model):
    __tablename__ = "assessment_attempt"
    __table_args__ = (
        # One attempt per number: a double click or two tabs cannot start two.
        UniqueConstraint("resource_link_pk", "user_pk", "number", name="uq_attempt_link_user_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_link_pk: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    launch_id: Mapped[str] = mapped_column(String(36))  # the launch that submitted (for grades)
    number: Mapped[int] = mapped_column(Integer, default=1)
    instrument_id: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[int] = mapped_column(Integer)
    # The partnership the learner assesses, named at the start; every prompt refers to it.
    partnership_name: Mapped[str] = mapped_column(String(PARTNERSHIP_NAME_MAX), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AssessmentAnswer(Model):
    """One answer: a statement's rating ("1".."5" or "na") or a dimension's importance.
    A row per answer, so two answers saved at the same moment never overwrite each other."""

    __tablename__ = "assessment_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "item", name="uq_answer_attempt_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("assessment_attempt.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(100))  # statement id, or "importance:<dimension id>"
    value: Mapped[str] = mapped_column(String(8))
    # Counts the saves of this answer: a page sends the version it showed, and a save based
    # on an older one is refused instead of overwriting (services/assessment.save_changes).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AssessmentAreaTotal(Model):
    """A submitted attempt's ratings in one area, summed: what the class view aggregates.

    Written in the submission's transaction; a submitted attempt's answers are final, so these
    never go stale, and they hold no interpretation (no scoring model): the sum and the number
    of ratings on the scale (N/A excluded), and the importance given (None: no view).
    """

    __tablename__ = "assessment_area_total"
    __table_args__ = (
        # The class view groups an activity's totals by these: an index walk, not a sort.
        Index("ix_area_total_link_group", "resource_link_pk", "dimension_id", "total", "rated", "importance"),
    )

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_attempt.id", ondelete="CASCADE"), primary_key=True
    )
    dimension_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource_link_pk: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    total: Mapped[int] = mapped_column(Integer)
    rated: Mapped[int] = mapped_column(Integer)
    importance: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ActivitySettings(Model):
    """An instructor's choices for one activity (resource link), as validated JSON."""

    __tablename__ = "activity_settings"

    resource_link_pk: Mapped[int] = mapped_column(
        ForeignKey("resource_link.id", ondelete="CASCADE"), primary_key=True
    )
    settings_json: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
