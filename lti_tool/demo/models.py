"""The demo LMS's own records (its course activities). Not the tool's data.

The demo's tables have their own metadata (``DemoBase``), outside the tool's migrations: a
production database never gets them. ``create_tables`` makes them (``flask demo setup``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, MetaData, String, Text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lti_tool.extensions import NAMING_CONVENTION
from lti_tool.models.base import utcnow


class DemoBase(DeclarativeBase):
    """The demo LMS's models; db.session works with them (same engine), migrations do not."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def create_tables(engine: Engine) -> None:
    """Create the demo's tables that are missing (idempotent)."""
    from lti_tool.demo import gradebook_models as _gradebook  # noqa: F401  (registers its tables)

    DemoBase.metadata.create_all(engine)


def is_demo_table(name: str | None) -> bool:
    from lti_tool.demo import gradebook_models as _gradebook  # noqa: F401

    return name in DemoBase.metadata.tables


class DemoActivity(DemoBase):
    """An activity placed in the demo course: the LMS's resource link."""

    __tablename__ = "demo_activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(1000), default="")
    custom_json: Mapped[str] = mapped_column(Text, default="{}")
    line_item_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
