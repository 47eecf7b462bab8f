"""Grade passback: one outbox row per learner and resource link, and cached access tokens.

A grade row holds the latest grade of a learner in an activity and a version counter. A new
grade bumps the version; delivering version V records delivered_version = V. So a grade
version is delivered at most once, and a later grade supersedes an undelivered earlier one.
See docs/decisions/0008-grade-outbox.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow
from lti_tool.models.launch import LtiUser, ResourceLink

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
# Kept, reported, never sent: an observer's, whose score the LMS always refuses (decision 0050).
NOT_SENT = "not_sent"


class Grade(Model):
    __tablename__ = "grade"
    __table_args__ = (
        UniqueConstraint("resource_link_pk", "user_pk", name="uq_grade_link_user"),
        Index("ix_grade_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    resource_link_pk: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    # The grade_passback plugin that delivers it, and the launch's AGS claim (JSON) it uses.
    plugin: Mapped[str] = mapped_column(String(64))
    ags_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    delivered_version: Mapped[int] = mapped_column(Integer, default=0)
    source_ref: Mapped[str] = mapped_column(String(255), default="")
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    graded_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lease_token: Mapped[str | None] = mapped_column(String(36), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[LtiUser] = relationship()
    resource_link: Mapped[ResourceLink] = relationship()


class GradeLineItem(Model):
    """The platform line item found or created for a resource link (url NULL: being created)."""

    __tablename__ = "grade_line_item"

    resource_link_pk: Mapped[int] = mapped_column(
        ForeignKey("resource_link.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ServiceToken(Model):
    """An OAuth2 access token of a platform for one scope set, shared by every worker."""

    __tablename__ = "service_token"

    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"), primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(500), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class ActivityScale(Model):
    """The points an activity is graded on: the LMS's line item is the scale.

    ``source`` says where ``points`` came from: "placement" (the lineItem the tool put in its
    Deep Linking answer, carried back as a custom parameter) or "lms" (the line item read from
    the LMS). ``checked_at`` is when the LMS was last asked; ``graded`` False when it answered
    that it keeps no grade column for the activity; ``problem`` why the last asking failed.
    See docs/decisions/0015-lms-points-are-the-scale.md.
    """

    __tablename__ = "activity_scale"

    resource_link_pk: Mapped[int] = mapped_column(
        ForeignKey("resource_link.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="")
    line_item_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    graded: Mapped[bool] = mapped_column(Boolean, default=True)
    problem: Mapped[str] = mapped_column(String(500), default="")
    checked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
