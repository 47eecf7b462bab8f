"""Delivery figures for the administrator's dashboard and `flask grades status`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import Grade, Platform
from lti_tool.models.grades import DELIVERED, FAILED, PENDING


@dataclass(frozen=True)
class PlatformDelivery:
    """Grade delivery to one platform, for the administrator's dashboard."""

    platform_id: int
    label: str
    pending: int
    delivered: int
    failed: int
    oldest_pending: datetime | None
    last_problem: str
    enabled: bool = True

    @property
    def held(self) -> int:
        """Grades waiting because the platform is disabled in /admin (decision 0043)."""
        return 0 if self.enabled else self.pending


def delivery_by_platform() -> list[PlatformDelivery]:
    """Per platform with grades: counts by status, the oldest pending grade, the latest problem."""
    rows = db.session.execute(
        select(Grade.platform_id, Grade.status, func.count(), func.min(Grade.graded_at)).group_by(
            Grade.platform_id, Grade.status
        )
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for platform_id, status, count, oldest in rows:
        entry = found.setdefault(platform_id, {PENDING: 0, DELIVERED: 0, FAILED: 0, "oldest": None})
        entry[status] = count
        if status == PENDING:
            entry["oldest"] = oldest
    result = []
    for platform_id, entry in sorted(found.items()):
        platform = db.session.get(Platform, platform_id)
        problem = db.session.scalars(
            select(Grade.last_error)
            .where(Grade.platform_id == platform_id, Grade.status != DELIVERED, Grade.last_error != "")
            .order_by(Grade.updated_at.desc())
            .limit(1)
        ).first()
        label = f"{platform.name or platform.issuer} ({platform.client_id})" if platform else "?"
        result.append(
            PlatformDelivery(
                platform_id,
                label,
                entry[PENDING],
                entry[DELIVERED],
                entry[FAILED],
                entry["oldest"],
                problem or "",
                platform.enabled if platform else True,
            )
        )
    return result


def counts() -> dict[str, int]:
    rows = db.session.execute(select(Grade.status, func.count()).group_by(Grade.status))
    return {status: n for status, n in rows}


def pending_ids(ids: Iterable[int] | None = None) -> list[int]:
    query = select(Grade.id).where(Grade.status == PENDING)
    if ids is not None:
        query = query.where(Grade.id.in_(list(ids)))
    return list(db.session.scalars(query))
