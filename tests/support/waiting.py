"""Waiting for something another thread or process does (a delivery, work after a response)."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask


def wait_for(predicate: Any, timeout: float = 45, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def points_read(app: Flask) -> None:
    """Wait until every activity's points were read from the LMS (a learner's launch reads them
    after its page is sent, on a thread of its own: decision 0028), so that a test that then
    scripts the LMS's faults, counts its requests or counts statements sees only its own."""
    from lti_tool.extensions import db
    from lti_tool.models import ActivityScale
    from lti_tool.services.grades import scale

    def done() -> bool:
        with app.app_context():
            rows = list(db.session.scalars(db.select(ActivityScale)))
            db.session.remove()
        return bool(rows) and all(row.checked_at is not None for row in rows)

    wait_for(done, 10, "the points read from the LMS")
    assert scale.drain(10), "a reading of the points still running"
