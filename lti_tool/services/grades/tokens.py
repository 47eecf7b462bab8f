"""Access tokens shared by every worker, and the one way to build a platform's service client:
never for a platform disabled in /admin (docs/decisions/0043)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app
from sqlalchemy import delete, select

from lti_tool import outbound
from lti_tool.extensions import db
from lti_tool.lti import keys as tool_keys
from lti_tool.lti.ags import ServiceClient
from lti_tool.lti.errors import ServiceError
from lti_tool.lti.oauth import AccessToken, PlatformAuth, TokenCache
from lti_tool.models import Platform, ServiceToken
from lti_tool.services.grades.held import HELD_MESSAGE
from lti_tool.services.sql import insert_for


def _as_epoch(value: datetime) -> float:
    return value.replace(tzinfo=UTC).timestamp()


def _from_epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)


class DbTokenStore:
    """Access tokens in the service_token table, so that every worker shares them."""

    def load(self, platform_id: int, scope_key: str) -> AccessToken | None:
        row = db.session.get(ServiceToken, (platform_id, scope_key), populate_existing=True)
        token = AccessToken(row.access_token, _as_epoch(row.expires_at)) if row else None
        db.session.commit()  # never hold a pooled connection while HTTP calls are made
        return token

    def save(self, platform_id: int, scope_key: str, token: AccessToken) -> None:
        values = {
            "platform_id": platform_id,
            "scope_key": scope_key,
            "access_token": token.value,
            "expires_at": _from_epoch(token.expires_at),
        }
        stmt = insert_for(ServiceToken).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["platform_id", "scope_key"],
            set_={"access_token": token.value, "expires_at": values["expires_at"]},
        )
        try:
            db.session.execute(stmt)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise

    def forget(self, platform_id: int, scope_key: str, value: str) -> None:
        db.session.execute(
            delete(ServiceToken).where(
                ServiceToken.platform_id == platform_id,
                ServiceToken.scope_key == scope_key,
                ServiceToken.access_token == value,
            )
        )
        db.session.commit()


def token_cache(app: Flask | None = None) -> TokenCache:
    app = app or current_app
    cache: TokenCache | None = app.extensions.get("lti_tool.token_cache")
    if cache is None:
        cache = TokenCache(DbTokenStore(), margin=float(app.config["GRADES_TOKEN_MARGIN"]))
        app.extensions["lti_tool.token_cache"] = cache
    return cache


def platform_auth(platform: Platform) -> PlatformAuth:
    """What a token request needs of a platform, as plain data (usable without the database)."""
    return PlatformAuth(
        platform.id, platform.client_id, platform.auth_token_url, platform.auth_audience or None
    )


class PlatformDisabled(ServiceError):
    """The platform is disabled in /admin: the tool calls none of its endpoints. Worth trying
    again once it is enabled (``kind`` "retry"); never a failure of the platform's."""

    def __init__(self, platform_id: int) -> None:
        super().__init__("retry", HELD_MESSAGE)
        self.platform_id = platform_id


def _enabled(platform_id: int) -> bool:
    """Read now, not from a copy made before: a delivery may have waited in its pool's queue
    while an administrator disabled the platform."""
    enabled = db.session.scalar(select(Platform.enabled).where(Platform.id == platform_id))
    db.session.commit()  # never hold a pooled connection while HTTP calls are made
    return bool(enabled)


def require_enabled(platform_id: int) -> None:
    """PlatformDisabled unless the platform is enabled now: for a delivery that builds no platform
    client (a webhook, the CSV keeper), so that it is held like the others (decision 0051)."""
    if not _enabled(platform_id):
        raise PlatformDisabled(platform_id)


def service_client(auth: PlatformAuth | Platform, app: Flask | None = None) -> ServiceClient:
    """An authorised client for one platform's services (AGS, NRPS): the only way to build one.
    Raises PlatformDisabled for a platform disabled in /admin: a Platform row read in this
    transaction says so itself; plain ``PlatformAuth`` data (made earlier, possibly in another
    thread) is checked against the database."""
    app = app or current_app
    if isinstance(auth, Platform):
        if not auth.enabled:
            raise PlatformDisabled(auth.id)
        auth = platform_auth(auth)
    elif not _enabled(auth.platform_id):
        raise PlatformDisabled(auth.platform_id)
    secret = app.config["SECRET_KEY"]

    def signing_key() -> tool_keys.SigningKey:  # only when a new token is needed
        key = tool_keys.current_signing_key(secret)
        db.session.commit()  # release the connection before the token request
        return key

    return ServiceClient(outbound.client(app), auth, token_cache(app), signing_key)
