"""Who launched, from where, into what: the records later service calls need."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow
from lti_tool.models.platform import Deployment, Platform


class OidcState(Model):
    """A login in flight: created at OIDC initiation, consumed once by the launch."""

    __tablename__ = "oidc_state"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    target_link_uri: Mapped[str] = mapped_column(String(1000), default="")
    storage_target: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # The initiation's parameters, to restart the login in a new window when the
    # iframe cannot complete it (docs/decisions/0004-cookieless-session.md).
    login_params_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Set when a launch held pending on platform storage is confirmed: a pending reference
    # is good for one confirmation only.
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LtiUser(Model):
    __tablename__ = "lti_user"
    __table_args__ = (UniqueConstraint("platform_id", "sub", name="uq_lti_user_platform_sub"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    # The person's own choice on the language switch ("en"/"fr"); "" follows each launch's locale.
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class CourseContext(Model):
    __tablename__ = "course_context"
    __table_args__ = (
        UniqueConstraint("deployment_pk", "context_id", name="uq_course_context_deployment_ctx"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    deployment_pk: Mapped[int] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500), default="")
    label: Mapped[str] = mapped_column(String(255), default="")


class ResourceLink(Model):
    """One placement of the tool in a course: the activity whose settings instructors edit."""

    __tablename__ = "resource_link"
    __table_args__ = (UniqueConstraint("context_pk", "resource_link_id", name="uq_resource_link_ctx_link"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    context_pk: Mapped[int] = mapped_column(ForeignKey("course_context.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500), default="")
    item_ref: Mapped[str | None] = mapped_column(String(255), nullable=True)


class Launch(Model):
    """A validated launch. Its id is what the in-page launch token carries."""

    __tablename__ = "launch"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    deployment_pk: Mapped[int] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"))
    user_pk: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    context_pk: Mapped[int | None] = mapped_column(
        ForeignKey("course_context.id", ondelete="CASCADE"), nullable=True
    )
    resource_link_pk: Mapped[int | None] = mapped_column(
        ForeignKey("resource_link.id", ondelete="CASCADE"), nullable=True
    )
    message_type: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))  # "instructor" or "learner"
    roles_json: Mapped[str] = mapped_column(Text, default="[]")
    ags_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    nrps_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    custom_json: Mapped[str] = mapped_column(Text, default="{}")
    deep_linking_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    locale: Mapped[str] = mapped_column(String(35), default="")
    document_target: Mapped[str] = mapped_column(String(20), default="")
    return_url: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # The platform's session_epoch when the launch was validated: a disable since ended it for good.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A deep linking launch answers the platform once: set when its response is signed.
    deep_link_answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    platform: Mapped[Platform] = relationship()
    deployment: Mapped[Deployment] = relationship()
    # Joined: every page reads the person's language choice (lti_tool/languages.py), at no extra query.
    user: Mapped[LtiUser] = relationship(lazy="joined", innerjoin=True)
    context: Mapped[CourseContext | None] = relationship()
    resource_link: Mapped[ResourceLink | None] = relationship()


class LaunchFailure(Model):
    """A refused launch, kept so an administrator can see why teachers cannot get in."""

    __tablename__ = "launch_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform.id", ondelete="SET NULL"), nullable=True
    )
    issuer: Mapped[str] = mapped_column(String(500), default="")
    client_id: Mapped[str] = mapped_column(String(255), default="")
    # "launch" (login and launch) or "registration" (dynamic registration).
    kind: Mapped[str] = mapped_column(String(16), default="launch", server_default="launch")
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
