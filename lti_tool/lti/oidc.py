"""OIDC third-party login initiation: the first leg of every launch."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import cast
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Table, delete, insert

from lti_tool.extensions import db, rowcount
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.lti.errors import LaunchError
from lti_tool.lti.tool_conf import find_platform, platforms_for_issuer
from lti_tool.models import OidcState, Platform
from lti_tool.models.base import utcnow

_INSERT_STATE = insert(cast(Table, OidcState.__table__))  # built once; compiled once

# What a new window needs to start the same login again (no storage target: top-level),
# beyond what the platform row and the state already hold (iss, client_id, target_link_uri),
# with the longest value a login may carry: an unauthenticated login stores no more than this.
RESTART_PARAMS = {"login_hint": 1000, "lti_message_hint": 2048, "lti_deployment_id": 255}


def restart_url(state: OidcState, base_url: str) -> str:
    """The login again, for a new first-party window where cookies work."""
    platform = db.session.get(Platform, state.platform_id)
    if platform is None:
        return ""
    params = {
        "iss": platform.issuer,
        "client_id": platform.client_id,
        "target_link_uri": state.target_link_uri,
        **json.loads(state.login_params_json or "{}"),
    }
    return base_url + "/lti/login?" + urlencode(params)


@dataclass(frozen=True)
class LoginRedirect:
    url: str
    state: str
    nonce: str
    storage_target: str | None
    platform: Platform


def _param(params: Mapping[str, str], name: str, max_len: int = 2000) -> str:
    value = params.get(name, "")
    return value[:max_len] if isinstance(value, str) else ""


def _platform_for(issuer: str, client_id: str) -> Platform:
    if client_id:
        platform = find_platform(issuer, client_id)
        if platform:
            return platform
    else:
        platforms = platforms_for_issuer(issuer)
        if len(platforms) == 1:
            return platforms[0]
        if len(platforms) > 1:
            raise LaunchError(
                "ambiguous_client_id",
                _l("The login request names no client_id and this platform has several."),
                _l("The platform must send client_id with the login initiation."),
                issuer=issuer,
            )
    raise LaunchError(
        "unknown_issuer" if not platforms_for_issuer(issuer) else "unknown_client_id",
        _l("This platform is not registered with the tool."),
        _l(
            "An administrator can register issuer %(issuer)s with client id %(client_id)s.",
            issuer=repr(issuer),
            client_id=repr(client_id),
        )
        if client_id
        else _l("An administrator can register issuer %(issuer)s.", issuer=repr(issuer)),
        403,
        issuer=issuer,
        client_id=client_id,
    )


def _same_origin(url: str, base_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(base_url)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def begin_login(
    params: Mapping[str, str], *, base_url: str, state_ttl: int, platform_storage: bool = True
) -> LoginRedirect:
    """Check the initiation, record a single-use state, and build the redirect.

    ``platform_storage`` off: the LMS's offer of platform storage (``lti_storage_target``) is
    declined, so only the state cookie can bind the login to the browser (docs/security.md)."""
    for name, limit in {"iss": 500, "target_link_uri": 1000, "client_id": 255, **RESTART_PARAMS}.items():
        value = params.get(name, "")
        if isinstance(value, str) and len(value) > limit:
            raise LaunchError(
                "login_parameter_too_long",
                _l(
                    "The login request's %(name)s is longer than %(limit)s characters.",
                    name=name,
                    limit=limit,
                ),
                _l("LTI platforms send much shorter values: this is not a login from an LMS."),
                issuer=_param(params, "iss", 500),
            )
    issuer = _param(params, "iss", 500)
    login_hint = _param(params, "login_hint")
    target_link_uri = _param(params, "target_link_uri", 1000)
    client_id = _param(params, "client_id", 255)
    for name, value in (("iss", issuer), ("login_hint", login_hint), ("target_link_uri", target_link_uri)):
        if not value:
            raise LaunchError(
                f"missing_{name}",
                _l("The login request has no %(name)s.", name=name),
                _l("The platform must send iss, login_hint and target_link_uri."),
                issuer=issuer,
            )
    platform = _platform_for(issuer, client_id)
    if not _same_origin(target_link_uri, base_url):
        raise LaunchError(
            "bad_target_link_uri",
            _l("The login request asks to launch a URL that is not this tool's."),
            _l("target_link_uri must start with %(base_url)s.", base_url=base_url),
            issuer=issuer,
            client_id=platform.client_id,
            platform_id=platform.id,
        )
    storage_target = (_param(params, "lti_storage_target", 100) or None) if platform_storage else None
    now = utcnow()
    values = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "platform_id": platform.id,
        "target_link_uri": target_link_uri,
        "storage_target": storage_target,
        "login_params_json": json.dumps({k: _param(params, k) for k in RESTART_PARAMS if _param(params, k)}),
        "created_at": now,
        "expires_at": now + timedelta(seconds=state_ttl),
        "used_at": None,
        "confirmed_at": None,
    }
    # One INSERT statement (no unit-of-work flush: a fifth of a login's CPU); the redirect is
    # built from the values (the row is not read back in this request).
    db.session.execute(_INSERT_STATE, values)
    state = OidcState(**values)
    if secrets.randbelow(100) == 0:
        # Opportunistic, so that unfinished logins (anyone can start one) do not pile up even
        # without `flask cleanup`: a state is useless once expired.
        purge_expired_states(timedelta(minutes=10))
    db.session.commit()
    return LoginRedirect(
        url=authorization_url(platform, state, base_url),
        state=state.state,
        nonce=state.nonce,
        storage_target=storage_target,
        platform=platform,
    )


def authorization_url(platform: Platform, state: OidcState, base_url: str) -> str:
    """The platform's OIDC authorization request for this login."""
    params = json.loads(state.login_params_json or "{}")
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": base_url + "/lti/launch",
        "login_hint": params.get("login_hint", ""),
        "state": state.state,
        "nonce": state.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + separator + urlencode(query)


def give_up_platform_storage(state_value: str) -> tuple[OidcState, Platform] | None:
    """The login page could not store the state in the platform: fall back to the
    server-side record for this login (as for a platform that offers no storage)."""
    state = db.session.get(OidcState, state_value[:64])
    if state is None or state.used_at is not None or state.expires_at < utcnow():
        return None
    state.storage_target = None
    db.session.commit()
    return state, db.session.get(Platform, state.platform_id)  # type: ignore[return-value]


def purge_expired_states(older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete login states that expired a while ago (used or not). Caller commits."""
    result = db.session.execute(delete(OidcState).where(OidcState.expires_at < utcnow() - older_than))
    return rowcount(result)


# The error codes of OAuth 2.0's authorization response (RFC 6749, 4.1.2.1) and OpenID Connect
# Core (3.1.2.6): the only ones shown as they are. Anyone can post ``error`` to /lti/launch from
# any site, so any other text (``tell_the_helpdesk_your_password``) is shown as "error" and not in
# the tool's voice (decision 0051).
_ERROR_CODES = frozenset(
    {
        "invalid_request",
        "unauthorized_client",
        "access_denied",
        "unsupported_response_type",
        "invalid_scope",
        "server_error",
        "temporarily_unavailable",
        "interaction_required",
        "login_required",
        "account_selection_required",
        "consent_required",
        "invalid_request_uri",
        "invalid_request_object",
        "request_not_supported",
        "request_uri_not_supported",
        "registration_not_supported",
    }
)


def authentication_refusal(error: str) -> tuple[str, str]:
    """(message, hint) for a platform that answered the authentication request with an OpenID
    Connect ``error`` instead of an id_token (Moodle's auth.php: ``access_denied`` when its
    session is another person's, ``invalid_request`` when it no longer holds the launch). A
    code of the standards is shown; any other text, and the platform's free text, is not."""
    code = error if error in _ERROR_CODES else "error"
    if code == "access_denied":
        hint = _l(
            "You may be signed in to the LMS as someone else in another tab or window: sign in "
            "to the LMS as yourself, then open the activity again."
        )
    else:
        hint = _l(
            "Open the activity again from the LMS. If the LMS refuses again, tell its "
            "administrator what it said: %(code)s.",
            code=code,
        )
    return _l("The LMS refused to open the tool (%(code)s).", code=code), hint
