"""Dynamic registration as a whole (who may register, what is stored), one-time registration
links, and the administrator credential."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from lti_tool import outbound
from lti_tool.extensions import db, rowcount
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.lti import registration as dr
from lti_tool.models import (
    DynamicRegistration,
    Platform,
    RegistrationLink,
)
from lti_tool.models.base import utcnow
from lti_tool.services import platforms as platform_service

log = logging.getLogger("lti_tool.registration")


@dataclass(frozen=True)
class Registered:
    platform: Platform
    configuration: dr.PlatformConfiguration
    result: dr.RegistrationResult
    updated: bool = False  # the issuer and client id were registered before: updated in place

    @property
    def pending_activation(self) -> bool:
        """Moodle (and Canvas) keep a dynamically registered tool off until an admin acts."""
        return self.configuration.is_moodle or self.configuration.is_canvas


# --- one-time registration links -------------------------------------------------------------


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def create_link(label: str, ttl_hours: int) -> tuple[RegistrationLink, str]:
    """A new single-use link; the code is returned once and only its hash is stored."""
    code = secrets.token_urlsafe(24)
    link = RegistrationLink(
        code_hash=_hash(code), label=label.strip()[:200], expires_at=utcnow() + timedelta(hours=ttl_hours)
    )
    db.session.add(link)
    db.session.commit()
    return link, code


def list_links() -> list[RegistrationLink]:
    return list(db.session.scalars(select(RegistrationLink).order_by(RegistrationLink.id.desc())))


def revoke_link(link_id: int) -> bool:
    link = db.session.get(RegistrationLink, link_id)
    if link is None or link.revoked_at or link.used_at:
        return False
    link.revoked_at = utcnow()
    db.session.commit()
    return True


MAX_LINK_FAILURES = 3

_LINK_MESSAGES = {
    "unknown": _l("This registration link is not valid."),
    "used": _l("This registration link has already been used."),
    "revoked": _l("This registration link has been revoked."),
    "expired": _l("This registration link has expired."),
    "spent": _l("This registration link was tried too many times without success."),
}


def _link_refused(state: str) -> dr.RegistrationError:
    return dr.RegistrationError(
        "registration_link_" + state,
        _LINK_MESSAGES.get(state, _LINK_MESSAGES["unknown"]),
        _l("Ask the tool's administrator for a new one-time registration link."),
        403,
    )


def _usable_link(code: str) -> RegistrationLink:
    """The link this code names, if it can still be used (read only: nothing is claimed yet)."""
    link = db.session.scalars(
        select(RegistrationLink).where(RegistrationLink.code_hash == _hash(code))
    ).first()
    state = link.state(utcnow()) if link else "unknown"
    db.session.commit()  # end the transaction before any network call
    if link is None or state != "usable":
        raise _link_refused(state)
    return link


def _bind_link(link: RegistrationLink, issuer: str) -> None:
    """A link belongs to the first platform (issuer) that uses it: another one is refused."""
    db.session.execute(
        update(RegistrationLink)
        .where(RegistrationLink.id == link.id, RegistrationLink.issuer.is_(None))
        .values(issuer=issuer[:500])
    )
    bound = db.session.scalar(select(RegistrationLink.issuer).where(RegistrationLink.id == link.id))
    db.session.commit()
    if bound != issuer[:500]:
        raise dr.RegistrationError(
            "registration_link_other_platform",
            _l("This registration link belongs to another platform."),
            _l(
                "A one-time registration link is bound to the first LMS that uses it. Ask the "
                "tool's administrator for a new one."
            ),
            403,
        )


def _claim_link(link: RegistrationLink) -> None:
    """Mark the link used, atomically, in the transaction that stores the platform (two
    registrations racing cannot both use it)."""
    now = utcnow()
    claimed = rowcount(
        db.session.execute(
            update(RegistrationLink)
            .where(
                RegistrationLink.id == link.id,
                RegistrationLink.used_at.is_(None),
                RegistrationLink.revoked_at.is_(None),
                RegistrationLink.failed_attempts < MAX_LINK_FAILURES,
                RegistrationLink.expires_at > now,
            )
            .values(used_at=now)
        )
    )
    if not claimed:
        db.session.rollback()
        fresh = db.session.get(RegistrationLink, link.id)
        raise _link_refused(fresh.state(now) if fresh else "unknown")


def _count_failure(link: RegistrationLink) -> None:
    """A failed registration costs the link one of its attempts (MAX_LINK_FAILURES, then spent):
    a link handed back after every failure allowed unlimited probes."""
    db.session.rollback()
    db.session.execute(
        update(RegistrationLink)
        .where(RegistrationLink.id == link.id)
        .values(failed_attempts=RegistrationLink.failed_attempts + 1)
    )
    db.session.commit()


# --- who may register ------------------------------------------------------------------------


def _check_mode(settings: Mapping[str, Any], reg_code: str | None) -> None:
    mode = settings["REGISTRATION_MODE"]
    if mode == "off":
        raise dr.RegistrationError(
            "registration_disabled",
            _l("Dynamic registration is switched off for this tool."),
            _l(
                "The tool's administrator registers platforms by hand, as %(moodle)s and %(canvas)s explain.",
                moodle=f"{settings['BASE_URL']}/docs/install-moodle.md",
                canvas=f"{settings['BASE_URL']}/docs/install-canvas.md",
            ),
            403,
        )
    if mode == "token" and not reg_code:
        raise dr.RegistrationError(
            "registration_link_required",
            _l("This tool only accepts registrations through a one-time registration link."),
            _l(
                "The tool's administrator creates one under /admin and gives you its URL to paste "
                "into the LMS."
            ),
            403,
        )


def _check_allowlist(settings: Mapping[str, Any], issuer: str) -> None:
    allowed = settings["REGISTRATION_ALLOWED_ISSUERS"]
    if issuer.rstrip("/") not in allowed:
        raise dr.RegistrationError(
            "issuer_not_allowed",
            _l("Platform %(issuer)s may not register this tool.", issuer=repr(issuer)),
            _l(
                "The tool's administrator can add the issuer to REGISTRATION_ALLOWED_ISSUERS or "
                "create a one-time registration link."
            ),
            403,
        )


def _allowlist_precheck(settings: Mapping[str, Any], url: str) -> None:
    """Before any request: an allow-listed issuer's configuration lives on its own origin
    (or on a Canvas school domain), so unknown hosts are not fetched at all."""
    allowed = settings["REGISTRATION_ALLOWED_ISSUERS"]
    if dr.origin(url) in {dr.origin(i) for i in allowed}:
        return
    if any(i in dr.CANVAS_ISSUERS for i in allowed) and dr.origin(url).endswith(".instructure.com"):
        return
    _check_allowlist(settings, url)


# --- the flow --------------------------------------------------------------------------------


def register(
    params: Mapping[str, str],
    settings: Mapping[str, Any],
    transport: dr.Transport,
    *,
    trusted: bool = False,
) -> Registered:
    """The whole dynamic registration: checks, platform exchange, storage. `trusted` skips the
    registration mode (the administrator's own CLI).

    No database connection is held during the two calls to the platform: the link is read and
    the transaction ended first; the results are written in a short transaction afterwards."""
    url = (params.get("openid_configuration") or "").strip()
    token = (params.get("registration_token") or "").strip() or None
    reg_code = (params.get("reg") or "").strip() or None
    dr.check_configuration_url(url, require_https=settings["ENV"] == "production")
    mode = settings["REGISTRATION_MODE"]
    link: RegistrationLink | None = None
    if not trusted:
        _check_mode(settings, reg_code)
        if mode == "allowlist" and not reg_code:
            _allowlist_precheck(settings, url)
        if reg_code:
            link = _usable_link(reg_code)
    try:
        configuration = dr.fetch_platform_configuration(url, token, transport)
        if link is not None:
            _bind_link(link, configuration.issuer)
        if not trusted and mode == "allowlist" and link is None:
            _check_allowlist(settings, configuration.issuer)
        dr.check_endpoints(configuration, outbound.client().policy)
        tool = dr.ToolDescription(settings["BASE_URL"], settings["TOOL_NAME"])
        body = dr.registration_request(tool, configuration)
        result = dr.register_with_platform(configuration, body, token, transport)
        platform, updated = _store(configuration, result, link)
    except dr.RegistrationError as error:
        error.issuer = error.issuer or (
            configuration.issuer if "configuration" in locals() else dr.origin(url)
        )
        if link is not None:
            _count_failure(link)
        raise
    log.info(
        "dynamic registration%s: %s (%s) client_id=%s deployment=%s",
        " (update)" if updated else "",
        configuration.issuer,
        configuration.product_family_code or "?",
        result.client_id,
        result.deployment_id,
    )
    return Registered(platform, configuration, result, updated)


def _store(
    configuration: dr.PlatformConfiguration, result: dr.RegistrationResult, link: RegistrationLink | None
) -> tuple[Platform, bool]:
    """A new platform, or, when this issuer already has this client id, that platform updated
    (Moodle's "Update" keeps the client id). Another client id is another platform."""
    data = {
        "name": f"{configuration.name} ({dr.origin(configuration.url).split('://', 1)[1]})",
        "issuer": configuration.issuer,
        "client_id": result.client_id,
        "deployment_ids": [result.deployment_id] if result.deployment_id else [],
        "auth_login_url": configuration.authorization_endpoint,
        "auth_token_url": configuration.token_endpoint,
        "key_set_url": configuration.jwks_uri,
        "auth_audience": configuration.token_audience,
    }
    if link is not None:
        _claim_link(link)  # committed with the platform, or rolled back with it
    existing = platform_service.get_platform(configuration.issuer, result.client_id)
    try:
        if existing is None:
            platform = platform_service.add_platform(data)
        else:
            _check_same_source(existing, configuration)
            platform = platform_service.update_registration(existing, data)
    except platform_service.PlatformError as exc:
        db.session.rollback()
        raise dr.RegistrationError(
            "registration_not_stored",
            _l("The platform's registration could not be stored: %(problem)s", problem=str(exc)),
            _l("The tool's administrator can check the platform under /admin."),
            409,
        ) from exc
    db.session.add(
        DynamicRegistration(
            platform_id=platform.id,
            product_family_code=configuration.product_family_code[:100],
            openid_configuration_url=configuration.url[:1000],
            response_json=json.dumps(result.response)[:100_000],
        )
    )
    if link is not None:
        db.session.execute(
            update(RegistrationLink).where(RegistrationLink.id == link.id).values(platform_id=platform.id)
        )
    db.session.commit()
    return platform, existing is not None


def _check_same_source(existing: Platform, configuration: dr.PlatformConfiguration) -> None:
    """An update rewrites where the tool fetches the platform's keys: it must come from where
    the platform registered before (its earlier configuration URL's origin, else its issuer's).
    Otherwise a host that may claim a shared issuer (Canvas's) could take over a client id."""
    previous = registration_of(existing)
    expected = dr.origin(previous.openid_configuration_url if previous else existing.issuer)
    if dr.origin(configuration.url) != expected:
        message = _l(
            "Platform #%(number)s already has this issuer and client ID, registered from "
            "%(expected)s, not %(origin)s.",
            number=existing.id,
            expected=expected,
            origin=dr.origin(configuration.url),
        )
        db.session.rollback()
        raise dr.RegistrationError(
            "registration_conflict",
            message,
            _l("The tool's administrator can remove or edit that platform under /admin."),
            409,
        )


def registration_of(platform: Platform) -> DynamicRegistration | None:
    """The platform's latest dynamic registration (each update adds one)."""
    return db.session.scalars(
        select(DynamicRegistration)
        .where(DynamicRegistration.platform_id == platform.id)
        .order_by(DynamicRegistration.id.desc())
    ).first()
