"""Partnership groups inside a self-assessment activity: partners answer alone, the group sees
the spread of their views (docs/decisions/0023-partnership-groups.md).

A group belongs to one activity (resource link), so to one course of one platform: nothing in
it can be reached from another activity. Members keep their own attempts; the joint report is
derived from their submitted attempts' area totals when shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow

SIDES = ("public", "private", "non-profit", "other")
GROUP_NAME_MAX = 150
ORGANIZATION_MAX = 150


class PartnershipGroup(Model):
    __tablename__ = "partnership_group"
    __table_args__ = (
        # Two groups of one activity cannot share a name (compared case-insensitively): the
        # second person gets a message naming the way in (the first group's code), not a twin.
        UniqueConstraint("resource_link_pk", "name_key", name="uq_partnership_group_link_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_link_pk: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(GROUP_NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(GROUP_NAME_MAX))
    # The instrument version new members' attempts use when the group is made (a later version
    # is compared area by area: lti_tool.assessment.partnership).
    instrument_version: Mapped[int] = mapped_column(Integer)
    created_by_pk: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PartnershipMember(Model):
    __tablename__ = "partnership_member"
    __table_args__ = (
        # One group per person and activity: joining twice (two tabs, two codes) cannot happen.
        UniqueConstraint("resource_link_pk", "user_pk", name="uq_partnership_member_link_user"),
        Index("ix_partnership_member_group", "group_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("partnership_group.id", ondelete="CASCADE"))
    resource_link_pk: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(16))  # one of SIDES
    organization: Mapped[str] = mapped_column(String(ORGANIZATION_MAX), default="")
    # Agreed to be named beside their scores; otherwise "a public-sector member", and a side
    # with this member alone is not shown at all.
    named: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PartnershipCode(Model):
    """A join code. Codes are kept after they are replaced, so that an old code gets "replaced
    by a newer one" rather than "unknown"; a code works only in its own group's activity."""

    __tablename__ = "partnership_code"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("partnership_group.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class PartnershipInvite(Model):
    """A member invited someone from the course roster (NRPS) by their LTI user id (``sub``),
    who may not have opened the tool yet; they accept when they next open the activity."""

    __tablename__ = "partnership_invite"
    __table_args__ = (UniqueConstraint("group_id", "sub", name="uq_partnership_invite_group_sub"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("partnership_group.id", ondelete="CASCADE"))
    resource_link_pk: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    invited_by_pk: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PartnershipCodeFailure(Model):
    """A wrong join code typed: a person gets a few tries per window (codes cannot be guessed)."""

    __tablename__ = "partnership_code_failure"
    __table_args__ = (Index("ix_partnership_code_failure_user_at", "user_pk", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PartnershipRemoval(Model):
    """The teacher removed this person from a group of this activity: they are told so (the
    group's name kept, the group may be gone) until they start or join another group
    (docs/decisions/0048-partnership-group-leftovers.md)."""

    __tablename__ = "partnership_removal"
    __table_args__ = (
        UniqueConstraint("resource_link_pk", "user_pk", name="uq_partnership_removal_link_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_link_pk: Mapped[int] = mapped_column(ForeignKey("resource_link.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    group_name: Mapped[str] = mapped_column(String(GROUP_NAME_MAX))
    removed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
