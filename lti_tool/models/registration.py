"""Installation records: dynamic registrations, one-time registration links, admin credential."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow
from lti_tool.models.platform import Platform


class DynamicRegistration(Model):
    """How a platform registered itself: kept so administrators know what the LMS was told."""

    __tablename__ = "dynamic_registration"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    product_family_code: Mapped[str] = mapped_column(String(100), default="")
    openid_configuration_url: Mapped[str] = mapped_column(String(1000))
    response_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    platform: Mapped[Platform] = relationship()


class RegistrationLink(Model):
    """A one-time registration link: only the SHA-256 of its code is stored."""

    __tablename__ = "registration_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform.id", ondelete="SET NULL"), nullable=True
    )
    # The first platform that used it: no other may (lti_tool.services.registration).
    issuer: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # Refused registrations with this link; at MAX_LINK_FAILURES it is spent.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def state(self, now: datetime) -> str:
        from lti_tool.services.registration import MAX_LINK_FAILURES

        if self.revoked_at:
            return "revoked"
        if self.used_at:
            return "used"
        if (self.failed_attempts or 0) >= MAX_LINK_FAILURES:
            return "spent"
        if self.expires_at <= now:
            return "expired"
        return "usable"


class AdminCredential(Model):
    """The administrator password's hash, set with `flask admin set-password`."""

    __tablename__ = "admin_credential"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AdminSession(Model):
    """A signed-in administrator: the cookie holds a random token, the table its hash, so that
    signing out (or a new password) ends the session on the server, whatever copies exist."""

    __tablename__ = "admin_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class AdminSignInFailure(Model):
    """A wrong administrator password, kept for a while to slow down guessing (per client)."""

    __tablename__ = "admin_sign_in_failure"
    __table_args__ = (Index("ix_admin_sign_in_failure_client", "client", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(64))  # a keyed hash of the client's address
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
