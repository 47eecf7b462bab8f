"""Invitations to a partnership group from the course roster (NRPS): by the invitee's LTI user
id (``sub``), answered when they next open the activity (docs/decisions/0023-partnership-groups.md).
Scoped by the activity like every group lookup (lti_tool.services.partnership)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lti_tool.extensions import db
from lti_tool.models import Launch, PartnershipGroup, PartnershipInvite
from lti_tool.services.partnership import activity_of


def invite(launch: Launch, group: PartnershipGroup, sub: str, name: str) -> None:
    """Invite someone from the course roster; inviting twice is the same invitation."""
    db.session.add(
        PartnershipInvite(
            group_id=group.id,
            resource_link_pk=group.resource_link_pk,
            sub=sub[:255],
            name=name[:255],
            invited_by_pk=launch.user_pk,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def invitations(launch: Launch) -> list[tuple[PartnershipInvite, PartnershipGroup]]:
    """Invitations waiting for this person in this activity."""
    rows = db.session.execute(
        select(PartnershipInvite, PartnershipGroup)
        .join(PartnershipGroup, PartnershipGroup.id == PartnershipInvite.group_id)
        .where(
            PartnershipInvite.resource_link_pk == activity_of(launch),
            PartnershipInvite.sub == launch.user.sub,
        )
        .order_by(PartnershipInvite.created_at)
    ).all()
    return [(i, g) for i, g in rows]


def invited_to(launch: Launch, invite_id: int) -> PartnershipGroup | None:
    return next((g for i, g in invitations(launch) if i.id == invite_id), None)


def decline(launch: Launch, invite_id: int) -> None:
    db.session.execute(
        delete(PartnershipInvite).where(
            PartnershipInvite.id == invite_id,
            PartnershipInvite.resource_link_pk == activity_of(launch),
            PartnershipInvite.sub == launch.user.sub,
        )
    )
    db.session.commit()


def pending_invites(group: PartnershipGroup, invited_by: int) -> list[PartnershipInvite]:
    """The invitations this member sent that are not answered yet (only the inviter sees them)."""
    return list(
        db.session.scalars(
            select(PartnershipInvite)
            .where(PartnershipInvite.group_id == group.id, PartnershipInvite.invited_by_pk == invited_by)
            .order_by(PartnershipInvite.created_at)
        )
    )
