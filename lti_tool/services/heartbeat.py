"""Worker heartbeats: a long-running worker records that it is alive; `flask check` reads them."""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, func, select

from lti_tool.extensions import db
from lti_tool.models import WorkerHeartbeat
from lti_tool.models.base import utcnow

BEAT_EVERY_SECONDS = 30.0
# A worker not seen for this long is reported by `flask check` (several missed beats).
STALE_AFTER = timedelta(minutes=5)
_FORGET_AFTER = timedelta(days=7)


class Heart:
    """One process's heartbeat, written at most every BEAT_EVERY_SECONDS."""

    def __init__(self, app: Flask, kind: str) -> None:
        self.app = app
        self.kind = kind
        self.worker = f"{socket.gethostname()}:{os.getpid()}"[:200]
        self.started_at = utcnow()
        self._last = float("-inf")

    def beat(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < BEAT_EVERY_SECONDS:
            return
        self._last = now
        with self.app.app_context():
            row = db.session.get(WorkerHeartbeat, self.worker)
            if row is None:
                db.session.add(
                    WorkerHeartbeat(
                        worker=self.worker, kind=self.kind, started_at=self.started_at, seen_at=utcnow()
                    )
                )
            else:
                row.seen_at = utcnow()
            db.session.execute(
                delete(WorkerHeartbeat).where(WorkerHeartbeat.seen_at < utcnow() - _FORGET_AFTER)
            )
            db.session.commit()


def last_seen(kind: str) -> datetime | None:
    """When a worker of this kind was last seen (naive UTC), or None if never."""
    return db.session.scalar(select(func.max(WorkerHeartbeat.seen_at)).where(WorkerHeartbeat.kind == kind))
