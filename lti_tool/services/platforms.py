"""Platform registrations: the one place that adds, lists and removes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import exists, func, select

from lti_tool.extensions import db
from lti_tool.i18n import gettext as _
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.models import Deployment, DynamicRegistration, Platform
from lti_tool.models.base import utcnow

_URL = fields.Url(required=True, require_tld=False, schemes={"http", "https"})


def _text(most: int) -> list[validate.Validator]:
    return [
        validate.Length(min=1, error=_l("Required: it cannot be empty.")),
        validate.Length(max=most, error=_l("At most {max} characters.")),
    ]


class PlatformSchema(Schema):
    """Field names are pylti1p3's, so configs copied from its docs work as they are."""

    name = fields.String(
        load_default="", validate=validate.Length(max=200, error=_l("At most {max} characters."))
    )
    issuer = fields.String(required=True, validate=_text(500))
    client_id = fields.String(required=True, validate=_text(255))
    deployment_ids = fields.List(fields.String(validate=_text(255)), load_default=list)
    auth_login_url = _URL
    auth_token_url = _URL
    key_set_url = _URL
    auth_audience = fields.String(load_default=None, allow_none=True)


class PlatformError(ValueError):
    """Bad registration data; `errors` maps each bad field to its messages."""

    def __init__(self, errors: dict[str, Any]) -> None:
        self.errors = errors
        super().__init__(
            "; ".join(
                f"{field}: {' '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
                for field, msgs in errors.items()
            )
        )


def _taken(clean: dict[str, Any], holder: Platform) -> PlatformError:
    return PlatformError(
        {
            "client_id": [
                _(
                    "issuer %(issuer)s already has client id %(client_id)s (platform #%(number)s)",
                    issuer=repr(clean["issuer"]),
                    client_id=repr(clean["client_id"]),
                    number=holder.id,
                )
            ]
        }
    )


def add_platform(data: dict[str, Any]) -> Platform:
    try:
        clean = PlatformSchema().load(data)
    except ValidationError as exc:
        raise PlatformError(exc.normalized_messages()) from exc
    existing = get_platform(clean["issuer"], clean["client_id"])
    if existing:
        raise _taken(clean, existing)
    deployment_ids = clean.pop("deployment_ids")
    platform = Platform(**clean)
    platform.deployments = [Deployment(deployment_id=d) for d in dict.fromkeys(deployment_ids)]
    db.session.add(platform)
    db.session.commit()
    return platform


def add_deployment(platform: Platform, deployment_id: str) -> Deployment:
    if deployment_id in platform.deployment_ids:
        return next(d for d in platform.deployments if d.deployment_id == deployment_id)
    deployment = Deployment(deployment_id=deployment_id)
    platform.deployments.append(deployment)
    db.session.commit()
    return deployment


def learn_deployment(platform: Platform, deployment_id: str) -> Deployment | None:
    """The deployment id of a verified launch, recorded when the platform registered by Dynamic
    Registration and has no deployment yet (Canvas names none until the tool is installed):
    docs/decisions/0020-learned-deployments.md. None: not learnable, the launch is refused.

    Runs in the launch's transaction, after its state was consumed (SQLite: the write lock is
    held); on PostgreSQL the platform row is locked, so that of two first launches racing with
    different deployment ids only one is learned."""
    db.session.execute(select(Platform.id).where(Platform.id == platform.id).with_for_update())
    registered = db.session.scalar(select(exists().where(DynamicRegistration.platform_id == platform.id)))
    known = db.session.scalar(
        select(func.count()).select_from(Deployment).where(Deployment.platform_id == platform.id)
    )
    if not registered or known or len(deployment_id) > 255:
        return None
    deployment = Deployment(platform_id=platform.id, deployment_id=deployment_id, learned_at=utcnow())
    db.session.add(deployment)
    db.session.flush()
    return deployment


def learned_deployments() -> list[Deployment]:
    """Deployments the tool took from a first launch, newest first (shown in /admin)."""
    return list(
        db.session.scalars(
            select(Deployment)
            .where(Deployment.learned_at.is_not(None))
            .order_by(Deployment.learned_at.desc())
        )
    )


def get_platform(issuer: str, client_id: str) -> Platform | None:
    return db.session.scalars(
        select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id)
    ).first()


def list_platforms() -> list[Platform]:
    return list(db.session.scalars(select(Platform).order_by(Platform.id)))


def find_platform_by_ref(ref: str) -> Platform | None:
    """A platform by its numeric id, or by its issuer when that issuer has one client."""
    if ref.isdigit():
        return db.session.get(Platform, int(ref))
    matches = list(db.session.scalars(select(Platform).where(Platform.issuer == ref)))
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class RemovalSummary:
    """What removing a platform deletes with it (the foreign keys cascade)."""

    deployments: int
    people: int
    courses: int
    attempts: int
    reflections: int
    grades_not_delivered: int
    launches: int


def removal_summary(platform: Platform) -> RemovalSummary:
    from lti_tool.models import (
        AssessmentAttempt,
        CourseContext,
        Grade,
        Launch,
        LtiUser,
        SessionProgress,
    )
    from lti_tool.models.grades import FAILED, PENDING

    def count(model: Any, *where: Any) -> int:
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    users = select(LtiUser.id).where(LtiUser.platform_id == platform.id)
    return RemovalSummary(
        deployments=len(platform.deployments),
        people=count(LtiUser, LtiUser.platform_id == platform.id),
        courses=count(CourseContext, CourseContext.platform_id == platform.id),
        attempts=count(AssessmentAttempt, AssessmentAttempt.user_pk.in_(users)),
        reflections=count(
            SessionProgress, SessionProgress.user_pk.in_(users), SessionProgress.reflection != ""
        ),
        grades_not_delivered=count(
            Grade, Grade.platform_id == platform.id, Grade.status.in_([PENDING, FAILED])
        ),
        launches=count(Launch, Launch.platform_id == platform.id),
    )


def remove_platform(platform: Platform) -> None:
    db.session.delete(platform)
    db.session.commit()


def update_platform(platform: Platform, data: dict[str, Any]) -> Platform:
    """Edit a registration with the same validation as add_platform; deployments are replaced."""
    try:
        clean = PlatformSchema().load(data)
    except ValidationError as exc:
        raise PlatformError(exc.normalized_messages()) from exc
    other = get_platform(clean["issuer"], clean["client_id"])
    if other is not None and other.id != platform.id:
        raise _taken(clean, other)
    wanted = list(dict.fromkeys(clean.pop("deployment_ids")))
    for name, value in clean.items():
        setattr(platform, name, value)
    platform.deployments = [d for d in platform.deployments if d.deployment_id in wanted]
    for deployment_id in wanted:
        if deployment_id not in platform.deployment_ids:
            platform.deployments.append(Deployment(deployment_id=deployment_id))
    db.session.commit()
    return platform


def update_registration(platform: Platform, data: dict[str, Any]) -> Platform:
    """The platform registering again (same issuer and client id): its URLs as it now gives
    them, its deployments plus any new one, its key set fetched afresh. The name and the
    enabled state are the administrator's and stay."""
    merged = {
        **data,
        "name": platform.name or data.get("name", ""),
        "deployment_ids": platform.deployment_ids + list(data.get("deployment_ids") or []),
    }
    platform.keyset_json = platform.keyset_fetched_at = platform.keyset_expires_at = None
    return update_platform(platform, merged)


def set_enabled(platform: Platform, enabled: bool) -> int:
    """The administrator's switch. A disable ends the sessions of the platform's launches for good:
    their epoch no longer matches, so enabling the platform again lets in only new launches
    (docs/decisions/0035-reenabled-platform.md). While disabled the tool calls none of the
    platform's endpoints and holds its grades; enabling it sends them now (decision 0043).
    Returns how many held grades were released (0 for a disable)."""
    from lti_tool.services.grades.held import release  # at use: registrations need no grade code

    was_enabled = platform.enabled
    platform.enabled = enabled
    released = 0
    if enabled:
        if not was_enabled:  # an Enable sent again leaves Retry-After waits alone
            released = release(platform.id)
    else:  # counted in the database: two administrators' disables both count
        platform.session_epoch = Platform.session_epoch + 1
    db.session.commit()
    return released
