"""Platforms (LMS registrations), their deployments, and the tool's own signing keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow


class Platform(Model):
    """One registration: an issuer and one client_id (Canvas shares an issuer across many)."""

    __tablename__ = "platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_platform_issuer_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    key_set_url: Mapped[str] = mapped_column(String(1000))
    auth_audience: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Counts the disables: a launch keeps the value it was made under (Launch.session_epoch) and
    # opens pages only while they agree, so re-enabling does not revive the sessions a disable
    # ended (docs/decisions/0035-reenabled-platform.md).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The platform's key set, cached: see lti_tool.lti.keysets.
    keyset_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    keyset_fetched_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    keyset_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )

    @property
    def deployment_ids(self) -> list[str]:
        return [d.deployment_id for d in self.deployments]


class Deployment(Model):
    __tablename__ = "deployment"
    __table_args__ = (
        UniqueConstraint("platform_id", "deployment_id", name="uq_deployment_platform_deployment"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Set when the tool learned it from a launch (Canvas's Dynamic Registration names no
    # deployment): docs/decisions/0020-learned-deployments.md.
    learned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class ToolKey(Model):
    """The tool's RSA signing keys. The newest active one signs; older ones stay published
    until published_until so that platforms holding a cached key set keep verifying."""

    __tablename__ = "tool_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    public_jwk_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    published_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
