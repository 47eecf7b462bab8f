"""Launch records: who came in, from which course and link, with which services."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from lti_tool import i18n
from lti_tool.extensions import db, rowcount
from lti_tool.lti import claims as C
from lti_tool.lti.deep_linking import ITEM_PARAM
from lti_tool.lti.errors import LaunchError
from lti_tool.lti.launch import ValidatedLaunch
from lti_tool.lti.roles import tool_role
from lti_tool.models import CourseContext, Launch, LaunchFailure, LtiUser, ResourceLink
from lti_tool.models.base import utcnow
from lti_tool.services.grades import scale as grade_scale
from lti_tool.services.sql import LOOK, ensure_row, relax_durability

log = logging.getLogger("lti_tool.launch")
# Built once: its columns come from the values at execution (compiled once by SQLAlchemy).
_INSERT_LAUNCH = insert(cast(Table, Launch.__table__))
# A course with its link (outer join: the course may not have it yet), built once.
_CONTEXT_WITH_LINK = (
    select(CourseContext, ResourceLink)
    .outerjoin(
        ResourceLink,
        and_(
            ResourceLink.context_pk == CourseContext.id, ResourceLink.resource_link_id == bindparam("link_id")
        ),
    )
    .where(
        CourseContext.deployment_pk == bindparam("deployment_pk"),
        CourseContext.context_id == bindparam("context_id"),
    )
)


def _dict(claims: dict[str, Any], key: str) -> dict[str, Any]:
    value = claims.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: Any, limit: int) -> str:
    return str(value)[:limit] if value is not None else ""


def _user(platform_id: int, claims: dict[str, Any]) -> tuple[int, LtiUser | None]:
    fields = {}
    name = claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))
    if name:
        fields["name"] = _text(name, 255)
    if claims.get("email"):
        fields["email"] = _text(claims["email"], 255)
    return ensure_row(LtiUser, {"platform_id": platform_id, "sub": _text(claims.get("sub"), 255)}, fields)


def _context(launch: ValidatedLaunch) -> tuple[int | None, CourseContext | None, Any]:
    """The course's id and row; and its link's row as read in the same statement (None: the
    course has no such link; LOOK: not read, when the course is new)."""
    context = _dict(launch.claims, C.CONTEXT)
    if not context.get("id"):
        return None, None, LOOK
    fields: dict[str, Any] = {"platform_id": launch.platform.id}
    if context.get("title"):  # an LMS that leaves them out keeps what an earlier launch said
        fields["title"] = _text(context["title"], 500)
    if context.get("label"):
        fields["label"] = _text(context["label"], 255)
    key = {"deployment_pk": launch.deployment.id, "context_id": _text(context["id"], 255)}
    link_id = _dict(launch.claims, C.RESOURCE_LINK).get("id")
    if not link_id:
        return (*ensure_row(CourseContext, key, fields), LOOK)
    # The course and its link in one statement (a launch into a known course, the usual case).
    params = {**key, "link_id": _text(link_id, 255)}
    row = db.session.execute(_CONTEXT_WITH_LINK, params).first()
    if row is None:  # a new course: created below, its link looked up as usual
        return (*ensure_row(CourseContext, key, fields, found=None), LOOK)
    return (*ensure_row(CourseContext, key, fields, found=row[0]), row[1])


def _resource_link(
    context_pk: int | None, claims: dict[str, Any], found: Any = LOOK
) -> tuple[int | None, ResourceLink | None]:
    link = _dict(claims, C.RESOURCE_LINK)
    if context_pk is None or not link.get("id"):
        return None, None
    fields = {}
    if link.get("title"):
        fields["title"] = _text(link["title"], 500)
    # The item a Deep Linking placement was made for. Kept when a later launch does not
    # repeat the custom parameter (some LMSs drop custom values after editing a link).
    item = _dict(claims, C.CUSTOM).get(ITEM_PARAM)
    if isinstance(item, str) and item.strip():
        fields["item_ref"] = _text(item.strip(), 255)
    key = {"context_pk": context_pk, "resource_link_id": _text(link["id"], 255)}
    link_pk, row = ensure_row(ResourceLink, key, fields, found=found)
    grade_scale.note_placement(link_pk, _dict(claims, C.CUSTOM))
    return link_pk, row


def begin_launch() -> None:
    """The launch's transaction starts here; its commit does not wait for the disk (decisions
    0024 and 0025): if the machine failed in the next fraction of a second, the person would
    open the activity again."""
    relax_durability()


def record_launch(launch: ValidatedLaunch, *, commit: bool = True) -> Launch:
    """The launch, with its user, course and link, in the transaction that consumed the state
    (committed unless ``commit`` is False: the caller commits, see ``entered``)."""
    claims = launch.claims
    user_pk, user = _user(launch.platform.id, claims)
    context_pk, context, link_found = _context(launch)
    resource_link_pk, resource_link = _resource_link(context_pk, claims, link_found)
    roles = [r for r in claims.get(C.ROLES, []) if isinstance(r, str)]
    presentation = _dict(claims, C.LAUNCH_PRESENTATION)
    nrps = _dict(claims, C.NRPS)
    values: dict[str, Any] = dict(
        id=str(uuid.uuid4()),
        platform_id=launch.platform.id,
        deployment_pk=launch.deployment.id,
        user_pk=user_pk,
        context_pk=context_pk,
        resource_link_pk=resource_link_pk,
        message_type=claims[C.MESSAGE_TYPE],
        role=tool_role(roles),
        roles_json=json.dumps(roles),
        ags_json=json.dumps(claims[C.AGS]) if isinstance(claims.get(C.AGS), dict) else None,
        nrps_url=_text(nrps.get("context_memberships_url"), 1000) or None,
        custom_json=json.dumps(_dict(claims, C.CUSTOM)),
        deep_linking_json=json.dumps(claims[C.DEEP_LINKING_SETTINGS])
        if isinstance(claims.get(C.DEEP_LINKING_SETTINGS), dict)
        else None,
        locale=_text(presentation.get("locale") or claims.get("locale"), 35),
        document_target=_text(presentation.get("document_target"), 20),
        return_url=_text(presentation.get("return_url"), 1000),
        created_at=utcnow(),
        # As read with the platform's enabled flag that let the launch in: a disable committed
        # since (even before this row is) ends the launch's session.
        session_epoch=launch.platform.session_epoch,
        deep_link_answered_at=None,
    )
    # One INSERT statement, then the row joins the session as if read back (no unit-of-work
    # flush for a row whose every column is known here: a tenth of the POST's CPU).
    db.session.execute(_INSERT_LAUNCH, values)
    row = Launch(**values)
    make_transient_to_detached(row)
    db.session.add(row)
    # The rows read above are the launch's own: its first page reads them without a statement
    # (rows this launch inserted are read when first used).
    for name, related in (("user", user), ("context", context), ("resource_link", resource_link)):
        if related is not None:
            set_committed_value(row, name, related)
    if commit:
        db.session.commit()  # without waiting for the disk when the caller relaxed it (begin_launch)
    log.info(
        "launch %s: platform=%s user=%s role=%s type=%s",
        row.id,
        launch.platform.issuer,
        claims.get("sub"),
        row.role,
        row.message_type,
    )
    return row


@contextmanager
def entered(launch: ValidatedLaunch) -> Iterator[Launch]:
    """The launch recorded, for its first page to be rendered in the block; committed after it
    (decision 0045). On PostgreSQL the page reads in the launch's own transaction: one connection
    checkout instead of two (no second pre-ping, BEGIN and ROLLBACK). A page that fails leaves
    no launch, its state unused: the consumption and the launch commit together or not at all.
    SQLite commits before the page: its one write lock is not held while a page renders."""
    one_writer = db.session.get_bind().dialect.name == "sqlite"
    row = record_launch(launch, commit=one_writer)
    try:
        yield row
    except BaseException:
        db.session.rollback()
        raise
    if not one_writer:
        db.session.commit()  # nothing left to commit when the page committed (with the launch)


# Refusals kept at most (the newest): anyone can make the tool refuse something, so the table
# must not grow with anonymous traffic. Checked every PRUNE_EVERY rows, so it holds at most
# MAX_FAILURE_ROWS + PRUNE_EVERY rows.
MAX_FAILURE_ROWS = 10_000
PRUNE_EVERY = 100


def set_language(user_pk: int, language: str) -> None:
    """Remember a person's own language choice; it wins over the locale of their launches."""
    db.session.execute(update(LtiUser).where(LtiUser.id == user_pk).values(language=language))
    db.session.commit()


def record_failure(error: LaunchError) -> None:
    """Kept in its own transaction: a refusal is recorded even when the launch rolled back."""
    db.session.rollback()
    with i18n.use("en"):  # the record and the log in one language, whoever was refused
        message = str(error.message)
        detail = message + (" " + str(error.hint) if error.hint else "")
    row = LaunchFailure(
        platform_id=error.platform_id,
        issuer=error.issuer[:500],
        client_id=error.client_id[:255],
        kind=error.kind,
        reason=error.reason[:64],
        detail=detail[:1000],
    )
    db.session.add(row)
    db.session.flush()
    if row.id % PRUNE_EVERY == 0:
        db.session.execute(delete(LaunchFailure).where(LaunchFailure.id <= row.id - MAX_FAILURE_ROWS))
    db.session.commit()
    log.warning(
        "launch refused: platform=%s client_id=%s reason=%s: %s",
        error.issuer or "?",
        error.client_id or "?",
        error.reason,
        message,
        extra={"platform_id": error.platform_id},
    )


def recent_failures(limit: int = 50) -> list[LaunchFailure]:
    return list(db.session.scalars(select(LaunchFailure).order_by(LaunchFailure.id.desc()).limit(limit)))


def failure_summary(limit: int = 500) -> list[dict[str, Any]]:
    """Recent refusals counted by platform (issuer + client id) and reason, most frequent first."""
    counts: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for failure in recent_failures(limit):
        key = (failure.kind, failure.issuer, failure.client_id, failure.reason)
        row = counts.setdefault(
            key,
            {
                "issuer": failure.issuer,
                "client_id": failure.client_id,
                "reason": failure.reason,
                "kind": failure.kind,
                "count": 0,
                "last_at": failure.created_at,
                "detail": failure.detail,
            },
        )
        row["count"] += 1
    return sorted(counts.values(), key=lambda r: (-r["count"], r["issuer"], r["reason"]))


def claim_deep_link_answer(launch_id: str) -> bool:
    """Mark a deep linking launch as answered; False when it already was (a second tab, the
    back button, a double click): the platform gets one response per request."""
    claimed = db.session.execute(
        update(Launch)
        .where(Launch.id == launch_id, Launch.deep_link_answered_at.is_(None))
        .values(deep_link_answered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(rowcount(claimed))


def purge_old_records(settings: Mapping[str, Any]) -> tuple[int, int]:
    """Delete launches and refusals past their retention (`flask cleanup`); returns the counts.

    A launch is kept at least as long as its in-page token can be used."""
    now = utcnow()
    launch_age = max(
        timedelta(days=int(settings["LAUNCH_RETENTION_DAYS"])),
        timedelta(seconds=int(settings["LAUNCH_TOKEN_TTL"])),
    )
    launches = db.session.execute(delete(Launch).where(Launch.created_at < now - launch_age))
    failures = db.session.execute(
        delete(LaunchFailure).where(
            LaunchFailure.created_at < now - timedelta(days=int(settings["LAUNCH_FAILURE_RETENTION_DAYS"]))
        )
    )
    db.session.commit()
    return rowcount(launches), rowcount(failures)
