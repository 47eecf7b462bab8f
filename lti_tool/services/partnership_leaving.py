"""Leaving a partnership group, or being removed from it by the teacher, and what goes with it:
the member's invitations, the group once empty, and the word to a removed member
(docs/decisions/0046-partnership-groups-review.md, 0048-partnership-group-leftovers.md)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from lti_tool.extensions import db, rowcount
from lti_tool.models import (
    Launch,
    PartnershipCodeFailure,
    PartnershipGroup,
    PartnershipInvite,
    PartnershipMember,
    PartnershipRemoval,
)
from lti_tool.models.base import utcnow
from lti_tool.services.partnership import CODE_WINDOW, activity_of, forget_removal, membership

NOTICE_DAYS = 30  # a removal older than this is not news any more


def leave(launch: Launch) -> str | None:
    """Leave the group (the learner's own attempts, report and grade stay); the group's name."""
    current = membership(launch)
    if current is None:
        return None
    group = db.session.get(PartnershipGroup, current.group_id)
    name = group.name if group else None
    db.session.execute(delete(PartnershipMember).where(PartnershipMember.id == current.id))
    _withdraw_invites(current.group_id, current.user_pk)
    _drop_if_empty(current.group_id)
    db.session.commit()
    return name


def _withdraw_invites(group_id: int, user_pk: int) -> None:
    """A member who leaves or is removed takes back the invitations they sent: the invitee
    accepted a person's word, not the group's (docs/decisions/0048-partnership-group-leftovers.md)."""
    db.session.execute(
        delete(PartnershipInvite).where(
            PartnershipInvite.group_id == group_id, PartnershipInvite.invited_by_pk == user_pk
        )
    )


def _drop_if_empty(group_id: int) -> None:
    """A group nobody is in any more goes, with its codes and invitations (cascade): otherwise
    its name stays taken with no member to give its code, and an invitation leads into it."""
    still = select(PartnershipMember.id).where(PartnershipMember.group_id == group_id)
    db.session.execute(delete(PartnershipGroup).where(PartnershipGroup.id == group_id, ~still.exists()))


def remove_member(resource_link_pk: int, group_id: int, member_id: int) -> bool:
    """The teacher removes a member from a group of their activity; they will be told."""
    group = db.session.get(PartnershipGroup, group_id)
    gone = db.session.scalar(
        delete(PartnershipMember)
        .where(
            PartnershipMember.id == member_id,
            PartnershipMember.group_id == group_id,
            PartnershipMember.resource_link_pk == resource_link_pk,
        )
        .returning(PartnershipMember.user_pk)
    )
    if gone is not None and group is not None:
        _withdraw_invites(group_id, gone)
        _drop_if_empty(group_id)  # the name is kept in the notice: the group may be gone
        forget_removal(resource_link_pk, gone)
        db.session.add(
            PartnershipRemoval(resource_link_pk=resource_link_pk, user_pk=gone, group_name=group.name)
        )
    db.session.commit()
    return gone is not None


def removed_from(launch: Launch) -> str | None:
    """The name of the group the teacher removed this person from, while it is news: until
    they start or join another group (which clears it), for NOTICE_DAYS at most. Shown on every
    visit, not once: a reload or a second tab would otherwise lose it unread."""
    return db.session.scalar(
        select(PartnershipRemoval.group_name).where(
            PartnershipRemoval.resource_link_pk == activity_of(launch),
            PartnershipRemoval.user_pk == launch.user_pk,
            PartnershipRemoval.removed_at > utcnow() - timedelta(days=NOTICE_DAYS),
        )
    )


def purge_old_records() -> tuple[int, int]:
    """`flask cleanup`: removal notices no longer shown (past NOTICE_DAYS) and wrong join codes no
    longer counted (past CODE_WINDOW), so that neither table grows for ever. (notices, codes)"""
    now = utcnow()
    old_notice = PartnershipRemoval.removed_at <= now - timedelta(days=NOTICE_DAYS)
    notices = rowcount(db.session.execute(delete(PartnershipRemoval).where(old_notice)))
    codes = rowcount(
        db.session.execute(
            delete(PartnershipCodeFailure).where(PartnershipCodeFailure.created_at <= now - CODE_WINDOW)
        )
    )
    db.session.commit()
    return notices, codes
