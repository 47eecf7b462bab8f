"""Grade passback: the outbox written with the submission, and its delivery.

- ``record_grade`` (the activity_graded receiver) writes the grade into the ``grade`` outbox in
  the submission's own transaction and never commits.
- After that transaction commits, the process's ``GradePump`` (a background thread) delivers
  it right away, and keeps retrying due grades while any are pending.
- ``run_worker`` (``flask grades work``) does the same from any number of processes: grades are
  claimed with a lease by one UPDATE (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so two workers
  never hold the same grade at once.
- Each delivery calls a ``grade_passback`` plugin with plain data and an AGS transport.

See docs/grades.md and docs/decisions/0008-grade-outbox.md.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from flask import Flask, current_app
from sqlalchemy import case, delete, event, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from lti_tool.extensions import db
from lti_tool.lti import keys as tool_keys
from lti_tool.lti import nrps
from lti_tool.lti.ags import AgsTransport, ServiceClient, granted_ags_scopes
from lti_tool.lti.oauth import AccessToken, PlatformAuth, TokenCache
from lti_tool.models import Grade, GradeLineItem, Launch, Platform, ServiceToken
from lti_tool.models.base import utcnow
from lti_tool.models.grades import DELIVERED, FAILED, PENDING
from lti_tool.plugin_api import (
    GradePassback,
    GradeToSend,
    PassbackOutcome,
    PassbackResult,
    PluginRuntimeError,
    TransportError,
)
from lti_tool.plugin_manager import GRADE_PASSBACK, PluginManager
from lti_tool.services.sql import insert_for
from lti_tool.signals import activity_graded

log = logging.getLogger("lti_tool.grades")

PREFERRED_PLUGINS = ("lti_ags", "gradebook_export")
LINE_ITEM_CLAIM_SECONDS = 60
RESULTS_PER_COMMIT = 16
RESULTS_PAUSE_SECONDS = 0.05  # no result for this long: commit those waiting
_KICK = "lti_tool.grades_kick"


class GradeError(ValueError):
    """A graded activity sent a grade that cannot be one (the sender's mistake)."""


# --- plugins and shared objects kept on the app -------------------------------------------


def plugins(app: Flask | None = None) -> PluginManager:
    app = app or current_app
    manager = app.extensions.get("lti_tool.plugins")
    if manager is None:
        manager = PluginManager.from_entry_points(blocked=list(app.config.get("PLUGINS_BLOCKED") or ()))
        app.extensions["lti_tool.plugins"] = manager
    return manager


def token_cache(app: Flask | None = None) -> TokenCache:
    app = app or current_app
    cache = app.extensions.get("lti_tool.token_cache")
    if cache is None:
        cache = TokenCache(DbTokenStore(), margin=float(app.config["GRADES_TOKEN_MARGIN"]))
        app.extensions["lti_tool.token_cache"] = cache
    return cache


_http = threading.local()


def _session() -> requests.Session:
    if getattr(_http, "session", None) is None:
        _http.session = requests.Session()
    return _http.session  # type: ignore[no-any-return]


def _as_epoch(value: datetime) -> float:
    return value.replace(tzinfo=UTC).timestamp()


def _from_epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)


class DbTokenStore:
    """Access tokens in the service_token table, so that every worker shares them."""

    def load(self, platform_id: int, scope_key: str) -> AccessToken | None:
        row = db.session.get(ServiceToken, (platform_id, scope_key), populate_existing=True)
        token = AccessToken(row.access_token, _as_epoch(row.expires_at)) if row else None
        db.session.commit()  # never hold a pooled connection while HTTP calls are made
        return token

    def save(self, platform_id: int, scope_key: str, token: AccessToken) -> None:
        values = {
            "platform_id": platform_id,
            "scope_key": scope_key,
            "access_token": token.value,
            "expires_at": _from_epoch(token.expires_at),
        }
        stmt = insert_for(ServiceToken).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["platform_id", "scope_key"],
            set_={"access_token": token.value, "expires_at": values["expires_at"]},
        )
        try:
            db.session.execute(stmt)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise

    def forget(self, platform_id: int, scope_key: str, value: str) -> None:
        db.session.execute(
            delete(ServiceToken).where(
                ServiceToken.platform_id == platform_id,
                ServiceToken.scope_key == scope_key,
                ServiceToken.access_token == value,
            )
        )
        db.session.commit()


def service_client(platform: Platform, app: Flask | None = None) -> ServiceClient:
    app = app or current_app
    auth = PlatformAuth(
        platform.id, platform.client_id, platform.auth_token_url, platform.auth_audience or None
    )
    secret = app.config["SECRET_KEY"]

    def signing_key() -> tool_keys.SigningKey:
        key = tool_keys.current_signing_key(secret)
        db.session.commit()  # release the connection before the token request
        return key

    return ServiceClient(_session(), auth, token_cache(app), signing_key, float(app.config["HTTP_TIMEOUT"]))


# --- the receiver: the outbox row, in the submission's transaction -------------------------


def _ags_claim(launch: Launch) -> dict[str, Any]:
    try:
        claim = json.loads(launch.ags_json) if launch.ags_json else {}
    except ValueError:
        claim = {}
    return claim if isinstance(claim, dict) else {}


def _grade_for(claim: dict[str, Any], **fields: Any) -> GradeToSend:
    def url(key: str) -> str | None:
        value = claim.get(key)
        return value if isinstance(value, str) and value else None

    return GradeToSend(
        line_item_url=url("lineitem"),
        line_items_url=url("lineitems"),
        scopes=granted_ags_scopes(claim),
        **fields,
    )


def choose_plugin(claim: dict[str, Any], app: Flask | None = None) -> str:
    """The configured plugin, or (auto) the first built-in that supports the launch."""
    app = app or current_app
    configured = str(app.config.get("GRADES_PASSBACK") or "auto")
    manager = plugins(app)
    if configured != "auto":
        manager.get(GRADE_PASSBACK, configured)  # fails loudly when it is not available
        return configured
    probe = _grade_for(claim, user_id="", score_given=0, score_maximum=1, comment="", timestamp="")
    available = {p.name: p for p in manager.available(GRADE_PASSBACK)}
    ordered = [n for n in PREFERRED_PLUGINS if n in available] + sorted(
        set(available) - set(PREFERRED_PLUGINS)
    )
    for name in ordered:
        if isinstance(available[name], GradePassback) and available[name].supports(probe):
            return name
    raise GradeError("no grade_passback plugin is available (see `flask plugins list`)")


def record_grade(
    launch: Launch, score_given: float, score_maximum: float, comment: str = "", source_ref: str = ""
) -> int | None:
    """Write a learner's grade into the outbox (no commit: the caller's transaction decides).

    Returns the grade row's id, or None when the launch is not in a resource link.
    """
    try:
        given, maximum = float(score_given), float(score_maximum)
    except (TypeError, ValueError) as exc:
        raise GradeError("score_given and score_maximum must be numbers") from exc
    if not (math.isfinite(given) and math.isfinite(maximum) and maximum > 0 and 0 <= given <= maximum):
        raise GradeError(f"score {given} out of {maximum} is not a grade")
    if launch.resource_link_pk is None:
        log.warning("grade of launch %s ignored: the launch has no resource link", launch.id)
        return None
    claim = _ags_claim(launch)
    now = utcnow()
    values = {
        "plugin": choose_plugin(claim),
        "ags_json": json.dumps(claim) if claim else None,
        "source_ref": str(source_ref)[:255],
        "score_given": given,
        "score_maximum": maximum,
        "comment": str(comment or "")[:4000],
        "graded_at": now,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "last_status": None,
        "updated_at": now,
    }
    key = {"resource_link_pk": launch.resource_link_pk, "user_pk": launch.user_pk}
    inserted = db.session.execute(
        insert_for(Grade)
        .values(
            platform_id=launch.platform_id, version=1, delivered_version=0, created_at=now, **key, **values
        )
        .on_conflict_do_nothing(index_elements=["resource_link_pk", "user_pk"])
    )
    grade_id = db.session.scalars(select(Grade.id).filter_by(**key)).one()
    if not inserted.rowcount:
        current = db.session.execute(
            select(Grade.source_ref, Grade.score_given, Grade.score_maximum, Grade.comment).where(
                Grade.id == grade_id
            )
        ).one()
        if source_ref and tuple(current) == (values["source_ref"], given, maximum, values["comment"]):
            return grade_id  # the same grade sent again: nothing new to deliver
        # A new version supersedes whatever was not delivered yet.
        db.session.execute(
            update(Grade).where(Grade.id == grade_id).values(version=Grade.version + 1, **values)
        )
    db.session.info[_KICK] = current_app._get_current_object()  # type: ignore[attr-defined]
    return grade_id


def _on_activity_graded(sender: Any, **kwargs: Any) -> None:
    record_grade(
        kwargs["launch"],
        kwargs["score_given"],
        kwargs["score_maximum"],
        kwargs.get("comment", ""),
        kwargs.get("source_ref", ""),
    )


def _after_commit(session: Session) -> None:
    app = session.info.pop(_KICK, None)
    if app is not None and app.config.get("GRADES_DELIVER_IN_PROCESS"):
        pump(app).kick()


def _after_rollback(session: Session) -> None:
    session.info.pop(_KICK, None)


def register(app: Flask) -> None:
    """Connect the receiver and the after-commit delivery (idempotent)."""
    activity_graded.connect(_on_activity_graded)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))


# --- delivery ------------------------------------------------------------------------------


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


def claim_due(app: Flask, limit: int) -> tuple[str, list[int]]:
    """Lease up to ``limit`` due grades to this worker, in one UPDATE; returns (lease, ids)."""
    now = utcnow()
    lease = uuid.uuid4().hex
    free = or_(Grade.lease_until.is_(None), Grade.lease_until < now)
    due = (
        select(Grade.id)
        .where(Grade.status == PENDING, Grade.next_attempt_at <= now, free)
        .order_by(Grade.next_attempt_at, Grade.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows locked by another worker are skipped; ours stay locked until the commit below.
        # (Not a subquery of the UPDATE: PostgreSQL may run that more than once, and with
        # SKIP LOCKED each run finds other rows.)
        target: Any = list(db.session.scalars(due))
    else:
        target = due.scalar_subquery()  # SQLite: one statement (FOR UPDATE is not SQLite)
    db.session.execute(
        update(Grade)
        .where(Grade.id.in_(target), Grade.status == PENDING, free)
        .values(
            lease_token=lease,
            lease_until=now + timedelta(seconds=int(app.config["GRADES_LEASE_SECONDS"])),
            attempts=Grade.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    ids = list(db.session.scalars(select(Grade.id).where(Grade.lease_token == lease)))
    db.session.commit()
    return lease, ids


def _backoff(app: Flask, attempts: int, retry_after: float | None) -> float:
    base = float(app.config["GRADES_BACKOFF_BASE"])
    cap = float(app.config["GRADES_BACKOFF_MAX"])
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap) + random.uniform(0, base / 2)
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return random.uniform(delay / 2, delay)  # jitter: workers do not retry in step


def _line_item_slot(resource_link_pk: int) -> tuple[str | None, bool]:
    """(known line item URL, whether this worker may create it)."""
    slot = db.session.get(GradeLineItem, resource_link_pk, populate_existing=True)
    if slot is not None and slot.url:
        return slot.url, False
    now = utcnow()
    if slot is not None and slot.created_at > now - timedelta(seconds=LINE_ITEM_CLAIM_SECONDS):
        return None, False  # another delivery is finding or creating it
    if slot is not None:  # a stale claim: its worker died
        db.session.execute(
            delete(GradeLineItem).where(
                GradeLineItem.resource_link_pk == resource_link_pk,
                GradeLineItem.url.is_(None),
                GradeLineItem.created_at == slot.created_at,
            )
        )
    won = db.session.execute(
        insert_for(GradeLineItem)
        .values(resource_link_pk=resource_link_pk, url=None, created_at=now)
        .on_conflict_do_nothing(index_elements=["resource_link_pk"])
    ).rowcount
    db.session.commit()
    return None, bool(won)


@dataclass
class Job:
    """One leased grade version to deliver, as plain data: no database needed to send it."""

    grade_id: int
    lease: str
    version: int
    attempts: int
    plugin: str
    resource_link_pk: int
    grade: GradeToSend
    auth: PlatformAuth | None
    creating_line_item: bool = False
    early: PassbackResult | None = None  # decided without calling the plugin


def prepare(app: Flask, grade_id: int, lease: str, commit: bool = True) -> Job | None:
    """Read a leased grade into a Job (None if the lease was lost)."""
    grade = db.session.get(Grade, grade_id)
    if grade is None or grade.lease_token != lease:
        return None
    claim = json.loads(grade.ags_json) if grade.ags_json else {}
    user = grade.user
    link = grade.resource_link
    platform = db.session.get(Platform, grade.platform_id)
    to_send = _grade_for(
        claim,
        user_id=user.sub if user else "",
        score_given=grade.score_given,
        score_maximum=grade.score_maximum,
        comment=grade.comment,
        timestamp=grade.graded_at.replace(tzinfo=UTC).isoformat(timespec="milliseconds"),
        resource_link_id=link.resource_link_id if link else "",
        resource_link_title=link.title if link else "",
    )
    auth = (
        PlatformAuth(platform.id, platform.client_id, platform.auth_token_url, platform.auth_audience or None)
        if platform
        else None
    )
    job = Job(
        grade.id, lease, grade.version, grade.attempts, grade.plugin, grade.resource_link_pk, to_send, auth
    )
    if auth is None:
        job.early = PassbackResult.permanent("the platform of this grade is no longer registered")
    elif grade.plugin == "lti_ags" and not to_send.line_item_url and to_send.line_items_url:
        known, job.creating_line_item = _line_item_slot(grade.resource_link_pk)
        if known:
            job.grade = replace(to_send, line_item_url=known)
        elif not job.creating_line_item:
            job.early = PassbackResult.retry("waiting for the line item to be created", 1.0)
    if commit:
        db.session.commit()
    return job


def prepare_many(app: Flask, ids: list[int], lease: str) -> list[Job]:
    if not ids:
        return []
    db.session.scalars(
        select(Grade)
        .where(Grade.id.in_(ids))
        .options(selectinload(Grade.user), selectinload(Grade.resource_link))
    ).all()  # one query each
    return [job for job in (prepare(app, i, lease, commit=False) for i in ids) if job is not None]


def _client(app: Flask, auth: PlatformAuth) -> ServiceClient:
    secret = app.config["SECRET_KEY"]

    def signing_key() -> tool_keys.SigningKey:  # only when a new token is needed
        key = tool_keys.current_signing_key(secret)
        db.session.commit()  # release the connection before the token request
        return key

    return ServiceClient(_session(), auth, token_cache(app), signing_key, float(app.config["HTTP_TIMEOUT"]))


def send(app: Flask, job: Job) -> PassbackResult:
    """The plugin call (HTTP only, no database connection held); a refused token is renewed
    once. Never raises."""
    if job.early is not None:
        return job.early
    with app.app_context():  # the token store is in the database
        try:
            return _send(app, job)
        finally:
            db.session.remove()


def _send(app: Flask, job: Job) -> PassbackResult:
    manager = plugins(app)
    try:
        plugin = manager.get(GRADE_PASSBACK, job.plugin)
    except KeyError as exc:
        return PassbackResult.retry(f"the {job.plugin} plugin is not available ({exc})")
    transport = None
    if getattr(plugin, "uses_transport", True) and job.auth is not None:
        transport = AgsTransport(_client(app, job.auth), job.grade.scopes)
    result = PassbackResult.token_expired()
    for _ in range(2):
        try:
            result = manager.call_safely(plugin, "deliver", job.grade, transport, {}, expect=PassbackResult)
        except PluginRuntimeError as exc:
            return PassbackResult.retry(f"the {job.plugin} plugin failed: {exc.error}")
        except Exception as exc:  # e.g. the token store's database: retried later
            log.exception("grade %s: delivery failed unexpectedly", job.grade_id)
            return PassbackResult.retry(f"delivery failed: {exc}")
        if result.outcome != PassbackOutcome.TOKEN_EXPIRED:
            return result
        # The transport dropped the refused token: the second try asks for a new one.
    return PassbackResult.retry(result.message + " (again with a new token)", None, 401)


def finish(app: Flask, job: Job, result: PassbackResult, commit: bool = True) -> str:
    """Record a delivery's result, if this worker still holds the lease."""
    now = utcnow()
    if job.creating_line_item:
        if result.line_item_url:
            db.session.execute(
                update(GradeLineItem)
                .where(GradeLineItem.resource_link_pk == job.resource_link_pk)
                .values(url=result.line_item_url[:1000])
            )
        else:
            db.session.execute(
                delete(GradeLineItem).where(
                    GradeLineItem.resource_link_pk == job.resource_link_pk, GradeLineItem.url.is_(None)
                )
            )
    same = Grade.version == job.version  # False when a newer grade arrived meanwhile
    values: dict[str, Any] = {"lease_token": None, "lease_until": None, "updated_at": now}
    if result.outcome == PassbackOutcome.DELIVERED:
        outcome = DELIVERED
        values.update(
            delivered_version=job.version,
            delivered_at=now,
            last_status=None,
            last_error=result.message[:2000],
            status=case((same, DELIVERED), else_=PENDING),
            attempts=case((same, Grade.attempts), else_=0),
        )
    elif result.outcome == PassbackOutcome.PERMANENT_ERROR:
        outcome = FAILED
        values.update(
            status=case((same, FAILED), else_=PENDING),
            last_error=result.message[:2000],
            last_status=result.status_code,
            next_attempt_at=now,
        )
    else:
        outcome = "retrying"
        delay = _backoff(app, job.attempts, result.retry_after)
        values.update(
            status=PENDING,
            last_error=result.message[:2000],
            last_status=result.status_code,
            next_attempt_at=case((same, now + timedelta(seconds=delay)), else_=now),
        )
    done = db.session.execute(
        update(Grade)
        .where(Grade.id == job.grade_id, Grade.lease_token == job.lease)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if commit:
        db.session.commit()
    if not done.rowcount:
        log.warning("grade %s: lease lost before the result was recorded (%s)", job.grade_id, outcome)
        return "lease_lost"
    level = logging.WARNING if outcome == FAILED else logging.INFO
    log.log(level, "grade %s v%s: %s %s", job.grade_id, job.version, outcome, result.message)
    return outcome


def deliver(app: Flask, grade_id: int, lease: str) -> str:
    """Deliver one leased grade now (prepare, send, finish in this thread)."""
    job = prepare(app, grade_id, lease)
    return "lease_lost" if job is None else finish(app, job, send(app, job))


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
    """Until the next pending grade is due (0 if now), or None when nothing is pending."""
    with app.app_context():
        try:
            row = db.session.execute(
                select(func.min(Grade.next_attempt_at), func.min(Grade.lease_until), func.count()).where(
                    Grade.status == PENDING
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
    app: Flask, once: bool = False, max_seconds: float | None = None, stats: WorkStats | None = None
) -> WorkStats:
    """The worker loop of `flask grades work`."""
    from lti_tool.services.heartbeat import Heart

    stats = stats or WorkStats()
    deadline = time.monotonic() + max_seconds if max_seconds else None
    poll = float(app.config["GRADES_POLL_SECONDS"])
    heart = Heart(app, "grades")  # `flask check` reports a worker not seen lately
    with ThreadPoolExecutor(int(app.config["GRADES_CONCURRENCY"]), thread_name_prefix="grades") as pool:
        while deadline is None or time.monotonic() < deadline:
            heart.beat()
            stop = (lambda: time.monotonic() >= deadline) if deadline else (lambda: False)
            if work_batch(app, pool, stats, stop):
                continue
            if once:
                break
            wait = seconds_until_due(app)
            wait = poll if wait is None else min(max(wait, 0.05), poll)
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - time.monotonic()))
            time.sleep(wait)
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
    found = app.extensions.get("lti_tool.grade_pump")
    if found is None:
        found = app.extensions.setdefault("lti_tool.grade_pump", GradePump(app))
    return found  # type: ignore[no-any-return]


# --- what people see -----------------------------------------------------------------------


@dataclass(frozen=True)
class GradebookRow:
    user_id: str
    name: str
    email: str
    grade: Grade | None
    in_roster: bool


def status_of(grade: Grade | None) -> tuple[str, str]:
    """(status key, words for people) of a grade."""
    if grade is None:
        return "none", "No grade yet"
    if grade.status == DELIVERED:
        when = grade.delivered_at.strftime("%Y-%m-%d %H:%M UTC") if grade.delivered_at else ""
        if grade.plugin == "gradebook_export":
            return "delivered", "Kept for the CSV export (no gradebook service in this course)"
        return "delivered", f"In the LMS gradebook since {when}"
    if grade.status == FAILED:
        return "failed", f"Not accepted by the LMS: {grade.last_error}"
    if grade.attempts and grade.last_error:
        return "pending", (
            f"Waiting to reach the LMS (attempt {grade.attempts}: "
            f"{grade.last_error}); next try {grade.next_attempt_at:%H:%M:%S} UTC"
        )
    return "pending", "Waiting to reach the LMS"


def grades_of_link(resource_link_pk: int) -> list[Grade]:
    return list(
        db.session.scalars(select(Grade).where(Grade.resource_link_pk == resource_link_pk).order_by(Grade.id))
    )


def learner_grade(launch: Launch) -> Grade | None:
    if launch.resource_link_pk is None:
        return None
    return db.session.scalars(
        select(Grade).where(
            Grade.resource_link_pk == launch.resource_link_pk, Grade.user_pk == launch.user_pk
        )
    ).first()


class RosterCache:
    """Rosters recently fetched, per platform and memberships URL (the URL names the course),
    so that reloading the gradebook, or coming back to it after "send again", does not page
    through the whole roster again."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._rosters: dict[tuple[int, str], tuple[float, list[nrps.Member]]] = {}
        self._guard = threading.Lock()

    def get(self, key: tuple[int, str]) -> list[nrps.Member] | None:
        with self._guard:
            found = self._rosters.get(key)
        if found is None or time.monotonic() - found[0] > self.ttl:
            return None
        return found[1]

    def put(self, key: tuple[int, str], members: list[nrps.Member]) -> None:
        if self.ttl > 0:
            with self._guard:
                self._rosters[key] = (time.monotonic(), members)


def _roster_cache(app: Flask) -> RosterCache:
    cache = app.extensions.get("lti_tool.roster_cache")
    if cache is None:
        cache = RosterCache(float(app.config["ROSTER_CACHE_SECONDS"]))
        app.extensions["lti_tool.roster_cache"] = cache
    return cache  # type: ignore[no-any-return]


def roster(launch: Launch, refresh: bool = False) -> tuple[list[nrps.Member], str]:
    """The course's members from the platform (NRPS), or an explanation of why not."""
    if not launch.nrps_url:
        return [], "The LMS did not offer its course roster (Names and Role Provisioning)."
    cache = _roster_cache(current_app)
    key = (launch.platform_id, launch.nrps_url)
    cached = None if refresh else cache.get(key)
    if cached is not None:
        return cached, ""
    client = service_client(launch.platform)
    for _ in range(2):
        try:
            members = nrps.members(client, launch.nrps_url)
        except TransportError as error:
            if error.kind != "token_expired":
                return [], f"The course roster could not be fetched: {error.message}"
            continue
        cache.put(key, members)
        return members, ""
    return [], "The course roster could not be fetched: the LMS refused the access token."


def gradebook(launch: Launch, refresh_roster: bool = False) -> tuple[list[GradebookRow], str]:
    """Each learner of the roster with their grade, then graded users not in the roster."""
    grades = grades_of_link(launch.resource_link_pk) if launch.resource_link_pk else []
    by_sub = {g.user.sub: g for g in grades}
    members, problem = roster(launch, refresh_roster)
    rows = [
        GradebookRow(m.user_id, m.name, m.email, by_sub.pop(m.user_id, None), True)
        for m in members
        if m.is_learner
    ]
    rows += [GradebookRow(g.user.sub, g.user.name, g.user.email, g, False) for g in by_sub.values()]
    return rows, problem


def resend(launch: Launch, grade_id: int) -> bool:
    """Send a grade again (after the cause of a failure was fixed). False if not this link's."""
    done = db.session.execute(
        update(Grade)
        .where(
            Grade.id == grade_id,
            Grade.resource_link_pk == launch.resource_link_pk,
            Grade.status.in_([FAILED, PENDING]),
        )
        .values(status=PENDING, attempts=0, next_attempt_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if done:
        db.session.info[_KICK] = current_app._get_current_object()  # type: ignore[attr-defined]
    db.session.commit()
    return bool(done)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula: keep them text.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def export_csv(launch: Launch) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "user_id",
            "name",
            "email",
            "score_given",
            "score_maximum",
            "percent",
            "comment",
            "graded_at",
            "status",
        ]
    )
    for grade in grades_of_link(launch.resource_link_pk) if launch.resource_link_pk else []:
        percent = round(100 * grade.score_given / grade.score_maximum, 2)
        writer.writerow(
            [
                _cell(v)
                for v in (
                    grade.user.sub,
                    grade.user.name,
                    grade.user.email,
                    grade.score_given,
                    grade.score_maximum,
                    percent,
                    grade.comment,
                    grade.graded_at.strftime("%Y-%m-%d %H:%M:%S"),
                    grade.status,
                )
            ]
        )
    return out.getvalue()


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
