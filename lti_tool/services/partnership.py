"""Partnership groups of a self-assessment activity: starting one, joining by code or by
invitation, leaving, and what the joint report is made of (docs/decisions/0023-partnership-groups.md).

Every lookup is scoped by the activity (resource link) of the launch: a code, a group or an
invitation of another activity is "not found", whatever it is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from lti_tool.assessment.instrument import default_instrument
from lti_tool.assessment.partnership import Partner
from lti_tool.extensions import db
from lti_tool.i18n import gettext as _
from lti_tool.i18n import integer
from lti_tool.models import (
    AssessmentAreaTotal,
    AssessmentAttempt,
    Launch,
    LtiUser,
    PartnershipCode,
    PartnershipCodeFailure,
    PartnershipGroup,
    PartnershipInvite,
    PartnershipMember,
    PartnershipRemoval,
)
from lti_tool.models.assessment import DRAFT, SUBMITTED
from lti_tool.models.base import utcnow
from lti_tool.models.partnership import ORGANIZATION_MAX, SIDES

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: read aloud without doubt
CODE_LENGTH = 10  # 30**10, about 2**49: with a few tries per window, not guessable
CODE_DAYS = 30
WRONG_CODES_MAX = 10  # per person in CODE_WINDOW
CODE_WINDOW = timedelta(minutes=15)


class GroupError(Exception):
    """A refusal in plain words, with the HTTP status the page answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Details:
    """What a member says of themselves: their side, organization, and naming consent."""

    side: str
    organization: str
    named: bool


def details(side: object, organization: object, named: object) -> Details:
    side_text = str(side or "")
    if side_text not in SIDES:
        raise GroupError(_("Choose your side of the partnership: public, private, non-profit or other."))
    org = " ".join(str(organization or "").split())
    if len(org) > ORGANIZATION_MAX:
        raise GroupError(
            _("Use at most %(n)s characters for your organization's name.", n=integer(ORGANIZATION_MAX))
        )
    return Details(side_text, org, bool(named))


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def display_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def activity_of(launch: Launch) -> int:
    assert launch.resource_link_pk is not None
    return launch.resource_link_pk


def membership(launch: Launch) -> PartnershipMember | None:
    return db.session.scalars(
        select(PartnershipMember).where(
            PartnershipMember.resource_link_pk == activity_of(launch),
            PartnershipMember.user_pk == launch.user_pk,
        )
    ).first()


def group_of(launch: Launch) -> PartnershipGroup | None:
    """The group this person is in, in the launch's activity."""
    current = membership(launch)
    return db.session.get(PartnershipGroup, current.group_id) if current else None


def group_in(resource_link_pk: int, group_id: int) -> PartnershipGroup | None:
    """The group, only if it belongs to this activity."""
    group = db.session.get(PartnershipGroup, group_id)
    return group if group is not None and group.resource_link_pk == resource_link_pk else None


def members(group: PartnershipGroup) -> list[tuple[PartnershipMember, LtiUser]]:
    rows = db.session.execute(
        select(PartnershipMember, LtiUser)
        .join(LtiUser, LtiUser.id == PartnershipMember.user_pk)
        .where(PartnershipMember.group_id == group.id)
        .order_by(PartnershipMember.joined_at, PartnershipMember.id)
    ).all()
    return [(m, u) for m, u in rows]


def _new_code(group: PartnershipGroup) -> PartnershipCode:
    now = utcnow()
    code = PartnershipCode(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
        group_id=group.id,
        created_at=now,
        expires_at=now + timedelta(days=CODE_DAYS),
    )
    db.session.add(code)
    return code


def current_code(group: PartnershipGroup) -> PartnershipCode | None:
    return db.session.scalars(
        select(PartnershipCode)
        .where(
            PartnershipCode.group_id == group.id,
            PartnershipCode.revoked_at.is_(None),
            PartnershipCode.expires_at > utcnow(),
        )
        .order_by(PartnershipCode.created_at.desc())
    ).first()


def replace_code(group: PartnershipGroup) -> PartnershipCode:
    """A new code; the old ones stop working (said so to whoever types them)."""
    db.session.execute(
        update(PartnershipCode)
        .where(PartnershipCode.group_id == group.id, PartnershipCode.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    code = _new_code(group)
    db.session.commit()
    return code


def _already_in(launch: Launch) -> GroupError | None:
    current = membership(launch)
    if current is None:
        return None
    group = db.session.get(PartnershipGroup, current.group_id)
    name = group.name if group else ""
    return GroupError(
        _(
            "You are already in the partnership group “%(name)s”. Leave it first to start or join another.",
            name=name,
        ),
        409,
    )


def create(launch: Launch, name: str, who: Details) -> PartnershipGroup:
    """Start a group for the partnership ``name`` (already checked) with its first member."""
    if (problem := _already_in(launch)) is not None:
        raise problem
    link = activity_of(launch)
    group = PartnershipGroup(
        resource_link_pk=link,
        name=name,
        name_key=name_key(name),
        instrument_version=default_instrument().version,
        created_by_pk=launch.user_pk,
    )
    db.session.add(group)
    try:
        db.session.flush()
    except IntegrityError:  # the same name in this activity, maybe a moment ago
        db.session.rollback()
        raise GroupError(
            _(
                "A partnership group named “%(name)s” already exists in this activity. If it is "
                "yours, ask one of its members for its join code; if not, give yours a name that "
                "tells them apart (add the city or an organization).",
                name=name,
            ),
            409,
        ) from None
    _new_code(group)
    _add_member(launch, group, who)
    return group


def _add_member(launch: Launch, group: PartnershipGroup, who: Details) -> PartnershipMember:
    member = PartnershipMember(
        group_id=group.id,
        resource_link_pk=group.resource_link_pk,
        user_pk=launch.user_pk,
        side=who.side,
        organization=who.organization,
        named=who.named,
    )
    try:
        db.session.add(member)
        db.session.flush()  # the unique constraint speaks first: one group per person and activity
        # Invitations to this person in this activity are answered by joining any group.
        db.session.execute(
            delete(PartnershipInvite).where(
                PartnershipInvite.resource_link_pk == group.resource_link_pk,
                PartnershipInvite.sub == launch.user.sub,
            )
        )
        # In a group again: the teacher's earlier removal is no longer news (0048).
        forget_removal(group.resource_link_pk, launch.user_pk)
        # A draft in progress is about this partnership from now on (every prompt names it).
        db.session.execute(
            update(AssessmentAttempt)
            .where(
                AssessmentAttempt.resource_link_pk == group.resource_link_pk,
                AssessmentAttempt.user_pk == launch.user_pk,
                AssessmentAttempt.status == DRAFT,
            )
            .values(partnership_name=group.name)
        )
        db.session.commit()
    except IntegrityError:  # a second tab joined a moment ago
        db.session.rollback()
        raise _already_in(launch) or GroupError(_("You are already in a partnership group."), 409) from None
    return member


def forget_removal(resource_link_pk: int, user_pk: int) -> None:
    """The teacher's removal of this person from a group of this activity is no longer news
    (decision 0048): they are in a group again, or a newer removal replaces it."""
    db.session.execute(
        delete(PartnershipRemoval).where(
            PartnershipRemoval.resource_link_pk == resource_link_pk, PartnershipRemoval.user_pk == user_pk
        )
    )


def group_of_code(launch: Launch, raw: object) -> PartnershipGroup:
    """The group whose join code this is, in this activity only; wrong codes are counted.

    The try is written before the count is read, and taken back unless the code was wrong: read
    first, requests sent together all read "under the limit" and all got to guess."""
    user_pk = launch.user_pk
    attempt = PartnershipCodeFailure(user_pk=user_pk)
    db.session.add(attempt)
    db.session.commit()
    tried = attempt.id

    def not_counted() -> None:
        db.session.execute(delete(PartnershipCodeFailure).where(PartnershipCodeFailure.id == tried))
        db.session.commit()

    wrong = db.session.scalar(
        select(func.count())
        .select_from(PartnershipCodeFailure)
        .where(
            PartnershipCodeFailure.user_pk == user_pk,
            PartnershipCodeFailure.created_at > utcnow() - CODE_WINDOW,
        )
    )
    if (wrong or 0) > WRONG_CODES_MAX:  # this try included
        not_counted()
        raise GroupError(
            _(
                "Too many wrong codes in a row: wait %(minutes)s minutes, or ask your partner to "
                "invite you from the course list instead.",
                minutes=int(CODE_WINDOW.total_seconds() // 60),
            ),
            429,
        )
    code = "".join(ch for ch in str(raw or "").upper() if ch.isalnum())
    found = db.session.get(PartnershipCode, code) if len(code) == CODE_LENGTH else None
    group = db.session.get(PartnershipGroup, found.group_id) if found else None
    if code and (found is None or group is None or group.resource_link_pk != activity_of(launch)):
        raise GroupError(  # counted: the try stays
            _(
                "No partnership group in this activity has this code. Check it with the partner "
                "who gave it: a code works only in the activity where the group was started."
            ),
            404,
        )
    not_counted()
    if not code:
        raise GroupError(_("Type the join code your partner gave you (10 letters and digits)."))
    assert found is not None and group is not None
    if found.revoked_at is not None:
        raise GroupError(_("This code was replaced by a newer one: ask a member of the group for it."), 410)
    if found.expires_at <= utcnow():
        raise GroupError(_("This code has expired: ask a member of the group for a new one."), 410)
    return group


def join(launch: Launch, group: PartnershipGroup, who: Details) -> PartnershipMember:
    if (problem := _already_in(launch)) is not None:
        raise problem
    return _add_member(launch, group, who)


def partners(group: PartnershipGroup, viewer_pk: int | None = None) -> list[Partner]:
    """Every member with the area means of their latest submitted attempt in the activity (no
    means: not submitted). Three queries, whatever the group's size."""
    found = members(group)
    users = [u.id for _, u in found]
    latest: dict[int, AssessmentAttempt] = {}
    for attempt in db.session.scalars(
        select(AssessmentAttempt).where(
            AssessmentAttempt.resource_link_pk == group.resource_link_pk,
            AssessmentAttempt.user_pk.in_(users),
            AssessmentAttempt.status == SUBMITTED,
        )
    ):
        if attempt.user_pk not in latest or attempt.number > latest[attempt.user_pk].number:
            latest[attempt.user_pk] = attempt
    means: dict[int, dict[str, float | None]] = {a.id: {} for a in latest.values()}
    for total in db.session.scalars(
        select(AssessmentAreaTotal).where(AssessmentAreaTotal.attempt_id.in_(list(means)))
    ):
        means[total.attempt_id][total.dimension_id] = total.total / total.rated if total.rated else None
    return [
        Partner(
            key=m.id,
            name=u.name,
            side=m.side,
            organization=m.organization,
            named=m.named,
            means=means[latest[u.id].id] if u.id in latest else {},
            instrument_version=latest[u.id].instrument_version if u.id in latest else None,
            you=u.id == viewer_pk,
        )
        for m, u in found
    ]


@dataclass(frozen=True)
class GroupSummary:
    group: PartnershipGroup
    members: list[tuple[PartnershipMember, LtiUser]]
    partners: list[Partner]

    @property
    def submitted(self) -> int:
        return sum(1 for p in self.partners if p.means)


def groups_of(resource_link_pk: int) -> list[GroupSummary]:
    """The activity's groups, for its teacher."""
    groups = db.session.scalars(
        select(PartnershipGroup)
        .where(PartnershipGroup.resource_link_pk == resource_link_pk)
        .order_by(PartnershipGroup.name_key)
    )
    return [GroupSummary(g, members(g), partners(g)) for g in groups]
