"""The delivery loops: ``work_batch`` (one coordinating thread writes, a pool sends), the
``flask grades work`` worker and each web process's ``GradePump``.
See docs/decisions/0008-grade-outbox.md.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import func, select, update

from lti_tool.extensions import db
from lti_tool.models import Grade
from lti_tool.models.base import utcnow
from lti_tool.models.grades import DELIVERED, FAILED, PENDING
from lti_tool.plugin_api import PassbackResult
from lti_tool.services.grades.delivery import Job, claim_due, finish, prepare_many, send
from lti_tool.services.grades.held import deliverable

log = logging.getLogger("lti_tool.grades")

RESULTS_PER_COMMIT = 16
RESULTS_PAUSE_SECONDS = 0.05  # no result for this long: commit those waiting


@dataclass
class WorkStats:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    lost_leases: int = 0
    outcomes: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        if outcome == DELIVERED:
            self.delivered += 1
        elif outcome == FAILED:
            self.failed += 1
        elif outcome == "lease_lost":
            self.lost_leases += 1
        else:
            self.retrying += 1


def work_batch(
    app: Flask,
    pool: ThreadPoolExecutor,
    stats: WorkStats | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """Deliver due grades until none is due (or ``stop()``); returns how many were claimed.

    This thread does every database write (claims, then results as they come back) while the
    pool's threads make the HTTP calls: new grades are claimed as soon as deliveries finish, so
    the pool stays busy; SQLite sees one writer, and results are committed a few at a time (at
    the price of re-sending at most those few if this process dies before the commit).
    """
    concurrency = int(app.config["GRADES_CONCURRENCY"])
    batch = int(app.config["GRADES_BATCH_SIZE"])
    in_flight: dict[Future[PassbackResult], Job] = {}
    claimed = unsaved = 0
    exhausted = False
    leases_taken: list[str] = []
    with app.app_context():
        try:
            while True:
                room = 2 * concurrency - len(in_flight)
                if not exhausted and room >= min(concurrency, batch) and not stop():
                    lease, ids = claim_due(app, min(batch, room))
                    leases_taken.append(lease)
                    claimed += len(ids)
                    exhausted = not ids
                    for job in prepare_many(app, ids, lease):
                        in_flight[pool.submit(send, app, job)] = job
                    db.session.commit()
                if not in_flight:
                    break
                done, _ = wait(
                    in_flight, timeout=RESULTS_PAUSE_SECONDS if unsaved else 1.0, return_when=FIRST_COMPLETED
                )
                for future in done:
                    outcome = finish(app, in_flight.pop(future), future.result(), commit=False)
                    unsaved += 1
                    if stats is not None:
                        stats.add(outcome)
                # Results also go in as soon as they stop arriving: a delivery thread may be
                # waiting to write (a renewed access token), and on SQLite it would wait for
                # this very transaction while this thread waits for it.
                if unsaved and (not done or unsaved >= RESULTS_PER_COMMIT or len(in_flight) < concurrency):
                    db.session.commit()
                    unsaved = 0
            db.session.commit()
        except Exception:
            # A database hiccup: give back the leases whose results were not recorded, so that
            # those grades are retried now rather than when the lease expires.
            db.session.rollback()
            wait(in_flight)
            leases = {job.lease for job in in_flight.values()} | set(leases_taken)
            if leases:
                db.session.execute(
                    update(Grade)
                    .where(Grade.lease_token.in_(leases))
                    .values(lease_token=None, lease_until=None)
                    .execution_options(synchronize_session=False)
                )
                db.session.commit()
            raise
        finally:
            db.session.remove()
    return claimed


def seconds_until_due(app: Flask) -> float | None:
    """Until the next pending grade is due (0 if now), or None when nothing is pending. Held
    grades (their platform disabled) are not waited for: polling them would spin."""
    with app.app_context():
        try:
            row = db.session.execute(
                select(func.min(Grade.next_attempt_at), func.min(Grade.lease_until), func.count()).where(
                    Grade.status == PENDING, deliverable()
                )
            ).one()
        finally:
            db.session.remove()
    next_at, lease_until, count = row
    if not count:
        return None
    candidates = [t for t in (next_at, lease_until) if t is not None]
    return max(0.0, (min(candidates) - utcnow()).total_seconds()) if candidates else 0.0


def run_worker(
    app: Flask,
    once: bool = False,
    max_seconds: float | None = None,
    stats: WorkStats | None = None,
    stop: threading.Event | None = None,
) -> WorkStats:
    """The worker loop of `flask grades work`. Setting ``stop`` (SIGTERM, SIGINT) ends it
    gracefully: no new grade is claimed, the deliveries in flight finish (each within
    HTTP_TIMEOUT) and their results are recorded, so no grade stays leased for
    GRADES_LEASE_SECONDS after a restart and none is sent twice."""
    from lti_tool.services.heartbeat import Heart

    stats = stats or WorkStats()
    stop = stop or threading.Event()
    deadline = time.monotonic() + max_seconds if max_seconds else None

    def stopping() -> bool:
        return stop.is_set() or (deadline is not None and time.monotonic() >= deadline)

    poll = float(app.config["GRADES_POLL_SECONDS"])
    heart = Heart(app, "grades")  # `flask check` reports a worker not seen lately
    log.info("grade worker %s started", heart.worker)
    with ThreadPoolExecutor(int(app.config["GRADES_CONCURRENCY"]), thread_name_prefix="grades") as pool:
        while not stopping():
            heart.beat()
            if work_batch(app, pool, stats, stopping):
                continue
            if once:
                break
            wait = seconds_until_due(app)
            wait = poll if wait is None else min(max(wait, 0.05), poll)
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - time.monotonic()))
            stop.wait(wait)
    log.info(
        "grade worker %s stopped: delivered %s, retrying %s, failed %s",
        heart.worker,
        stats.delivered,
        stats.retrying,
        stats.failed,
    )
    return stats


class GradePump:
    """A web process's own delivery thread: woken after each grade commit, it delivers and
    keeps retrying while grades are pending, then stops (the next commit starts it again)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.stats = WorkStats()

    def kick(self) -> None:
        self._wake.set()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="grade-pump", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        app = self.app
        poll = float(app.config["GRADES_POLL_SECONDS"])
        failures = 0
        with ThreadPoolExecutor(
            int(app.config["GRADES_CONCURRENCY"]), thread_name_prefix="grade-pump"
        ) as pool:
            while True:
                try:
                    self._wake.clear()
                    if work_batch(app, pool, self.stats):
                        failures = 0
                        continue
                    wait_s = seconds_until_due(app)
                    failures = 0
                except Exception:  # a database hiccup: try again; give up if it persists
                    failures += 1
                    log.warning("grade delivery failed (%s in a row)", failures, exc_info=True)
                    if failures >= 5:  # e.g. the database is gone (tests drop theirs)
                        with self._lock:
                            self._thread = None
                        return
                    time.sleep(min(poll, 1.0))
                    continue
                if wait_s is None:
                    with self._lock:
                        if not self._wake.is_set():
                            self._thread = None
                            return
                    continue
                self._wake.wait(min(max(wait_s, 0.05), poll))

    def wait_idle(self, timeout: float) -> bool:
        """Tests and benchmarks: wait until the thread has nothing left to do."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            thread = self._thread
            if thread is None or not thread.is_alive():
                return True
            thread.join(0.05)
        return False


def pump(app: Flask) -> GradePump:
    found: GradePump | None = app.extensions.get("lti_tool.grade_pump")
    if found is None:
        found = app.extensions.setdefault("lti_tool.grade_pump", GradePump(app))
    return found
