"""The demo LMS's own records (its course activities). Not the tool's data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow


class DemoActivity(Model):
    """An activity placed in the demo course: the LMS's resource link."""

    __tablename__ = "demo_activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(1000), default="")
    custom_json: Mapped[str] = mapped_column(Text, default="{}")
    line_item_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
