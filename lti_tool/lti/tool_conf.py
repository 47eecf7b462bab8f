"""Platform lookups for login and launch, and the pylti1p3 ``Registration`` deep linking signs with.

(No pylti1p3 tool configuration class: the launch finds platforms itself, by issuer and client
id, because one issuer may have many client ids; see docs/decisions/0001-lti-core.md.)"""

from __future__ import annotations

import functools
from typing import Any

from pylti1p3.registration import Registration
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload

from lti_tool.extensions import db
from lti_tool.models import Deployment, OidcState, Platform


def registration_for(platform: Platform, tool_private_key: str | None = None) -> Registration:
    reg = Registration()
    reg.set_issuer(platform.issuer)
    reg.set_client_id(platform.client_id)
    reg.set_auth_login_url(platform.auth_login_url)
    reg.set_auth_token_url(platform.auth_token_url)
    reg.set_key_set_url(platform.key_set_url)
    if platform.auth_audience:
        reg.set_auth_audience(platform.auth_audience)
    if tool_private_key:
        reg.set_tool_private_key(tool_private_key)
    return reg


def find_platform(issuer: str, client_id: str) -> Platform | None:
    return db.session.scalars(_find_platform(), {"issuer": issuer, "client_id": client_id}).first()


@functools.cache
def _find_platform() -> Any:
    # Built once (bound parameters), on first use: every login runs it, SQLAlchemy compiles it once.
    return select(Platform).where(
        Platform.issuer == bindparam("issuer"),
        Platform.client_id == bindparam("client_id"),
        Platform.enabled.is_(True),
    )


def platforms_for_issuer(issuer: str) -> list[Platform]:
    # Deployments come in the same query: the launch checks them next.
    return list(db.session.scalars(_platforms_for_issuer(), {"issuer": issuer}).unique())


@functools.cache
def _platforms_for_issuer() -> Any:
    # Built once (bound parameter), on first use: SQLAlchemy compiles it once.
    return (
        select(Platform)
        .options(joinedload(Platform.deployments))
        .where(Platform.issuer == bindparam("issuer"), Platform.enabled.is_(True))
    )


def platforms_with_state(issuer: str, state: str) -> list[tuple[Platform, OidcState | None]]:
    """``platforms_for_issuer``, each with the login state of that value when it is that
    platform's (else None): the launch's first two lookups in one statement."""
    params = {"issuer": issuer, "state": state}
    return [(row[0], row[1]) for row in db.session.execute(_platforms_with_state(), params).unique()]


@functools.cache
def _platforms_with_state() -> Any:
    return (
        select(Platform, OidcState)
        .outerjoin(
            OidcState, and_(OidcState.state == bindparam("state"), OidcState.platform_id == Platform.id)
        )
        .options(joinedload(Platform.deployments))
        .where(Platform.issuer == bindparam("issuer"), Platform.enabled.is_(True))
    )


def find_deployment(platform: Platform, deployment_id: str) -> Deployment | None:
    return next((d for d in platform.deployments if d.deployment_id == deployment_id), None)
