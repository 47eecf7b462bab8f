"""pylti1p3 tool configuration backed by the platform table."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as PyltiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lti_tool.extensions import db
from lti_tool.models import Deployment, Platform


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
    return db.session.scalars(
        select(Platform).where(
            Platform.issuer == issuer, Platform.client_id == client_id, Platform.enabled.is_(True)
        )
    ).first()


def platforms_for_issuer(issuer: str) -> list[Platform]:
    # Deployments come in the same query: the launch checks them next.
    return list(
        db.session.scalars(
            select(Platform)
            .options(joinedload(Platform.deployments))
            .where(Platform.issuer == issuer, Platform.enabled.is_(True))
        ).unique()
    )


def find_deployment(platform: Platform, deployment_id: str) -> Deployment | None:
    return next((d for d in platform.deployments if d.deployment_id == deployment_id), None)


class DatabaseToolConf(ToolConfAbstract[Any]):
    """Every issuer may have many client ids (Canvas), so lookups always use both."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        platforms = platforms_for_issuer(iss)
        return registration_for(platforms[0]) if len(platforms) == 1 else None  # type: ignore[return-value]

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        platform = find_platform(iss, client_id)
        return registration_for(platform) if platform else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> PyltiDeployment | None:
        platforms = platforms_for_issuer(iss)
        if len(platforms) != 1:
            return None
        return self._deployment(platforms[0], deployment_id)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> PyltiDeployment | None:
        platform = find_platform(iss, client_id)
        return self._deployment(platform, deployment_id) if platform else None

    @staticmethod
    def _deployment(platform: Platform, deployment_id: str) -> PyltiDeployment | None:
        if find_deployment(platform, deployment_id) is None:
            return None
        return PyltiDeployment().set_deployment_id(deployment_id)
