"""Delivering one leased grade version: claim, prepare (database), send (HTTP only), finish.

``prepare`` turns a leased row into a plain-data ``Job`` so that ``send`` (the plugin call) runs
without a database connection; ``finish`` records the result only while the lease is ours.
See docs/decisions/0008-grade-outbox.md.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.orm import selectinload

from lti_tool.extensions import db, rowcount
from lti_tool.lti.ags import AgsTransport
from lti_tool.lti.oauth import PlatformAuth
from lti_tool.models import Grade, GradeLineItem, Platform
from lti_tool.models.base import utcnow
from lti_tool.models.grades import DELIVERED, FAILED, PENDING
from lti_tool.plugin_api import (
    GradeToSend,
    PassbackOutcome,
    PassbackResult,
    PluginRuntimeError,
    SettingsError,
    call_safely,
)
from lti_tool.plugin_manager import GRADE_PASSBACK, UnknownPluginError, plugins
from lti_tool.services.grades import passback, scale
from lti_tool.services.grades.held import deliverable
from lti_tool.services.grades.outbox import grade_for
from lti_tool.services.grades.tokens import (
    PlatformDisabled,
    platform_auth,
    require_enabled,
    service_client,
)
from lti_tool.services.grades.transport import PluginTransport, line_item_reads
from lti_tool.services.sql import insert_for

log = logging.getLogger("lti_tool.grades")

LINE_ITEM_CLAIM_SECONDS = 60


def claim_due(app: Flask, limit: int) -> tuple[str, list[int]]:
    """Lease up to ``limit`` due grades to this worker, in one UPDATE; returns (lease, ids).
    Grades of a platform disabled in /admin are not due: they are held (decision 0043)."""
    now = utcnow()
    lease = uuid.uuid4().hex
    free = or_(Grade.lease_until.is_(None), Grade.lease_until < now)
    due = (
        select(Grade.id)
        .where(Grade.status == PENDING, Grade.next_attempt_at <= now, free, deliverable())
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
    """The wait before the next try: doubling with jitter, never sooner than the platform asked
    (its Retry-After, or Moodle's whole second after a 409: a floor, not a pace)."""
    base = float(app.config["GRADES_BACKOFF_BASE"])
    cap = float(app.config["GRADES_BACKOFF_MAX"])
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    wait = random.uniform(delay / 2, delay)  # jitter: workers do not retry in step
    if retry_after is not None:
        wait = max(wait, min(max(retry_after, 0.0), cap) + random.uniform(0, base / 2))
    return wait


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
    won = rowcount(
        db.session.execute(
            insert_for(GradeLineItem)
            .values(resource_link_pk=resource_link_pk, url=None, created_at=now)
            .on_conflict_do_nothing(index_elements=["resource_link_pk"])
        )
    )
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
    settings: dict[str, Any] = field(default_factory=dict)  # the plugin's, validated
    creating_line_item: bool = False
    early: PassbackResult | None = None  # decided without calling the plugin
    platform_id: int | None = None  # for the log lines (lti_tool/logs.py)

    @property
    def log_ids(self) -> dict[str, int | None]:
        return {"platform_id": self.platform_id}


def prepare(app: Flask, grade_id: int, lease: str, commit: bool = True) -> Job | None:
    """Read a leased grade into a Job (None if the lease was lost)."""
    grade = db.session.get(Grade, grade_id)
    if grade is None or grade.lease_token != lease:
        return None
    claim = json.loads(grade.ags_json) if grade.ags_json else {}
    user = grade.user
    link = grade.resource_link
    platform = db.session.get(Platform, grade.platform_id)
    to_send = grade_for(
        claim,
        user_id=user.sub if user else "",
        score_given=grade.score_given,
        score_maximum=grade.score_maximum,
        comment=grade.comment,
        timestamp=grade.graded_at.replace(tzinfo=UTC).isoformat(timespec="milliseconds"),
        resource_link_id=link.resource_link_id if link else "",
        resource_link_title=link.title if link else "",
    )
    auth = platform_auth(platform) if platform else None
    job = Job(
        grade.id, lease, grade.version, grade.attempts, grade.plugin, grade.resource_link_pk, to_send, auth
    )
    job.platform_id = grade.platform_id
    job.early = _plan(app, job)
    if commit:
        db.session.commit()
    return job


def _plan(app: Flask, job: Job) -> PassbackResult | None:
    """Settle the job's plugin settings and its line item; a result when there is nothing to send."""
    if job.auth is None:
        return PassbackResult.permanent("the platform of this grade is no longer registered")
    try:
        plugin = plugins(app).get(GRADE_PASSBACK, job.plugin)
    except UnknownPluginError as exc:
        return PassbackResult.retry(f"the {job.plugin} plugin is not available ({exc})")
    try:
        job.settings = passback.settings_of(plugin, passback.activity_choice(job.resource_link_pk, app)[1])
    except SettingsError as exc:
        return PassbackResult.permanent(f"the activity's {plugin.label} settings are not valid: {exc}")
    try:
        creates = call_safely(plugin.creates_line_item, job.grade, job.settings)
    except PluginRuntimeError as exc:
        return PassbackResult.retry(f"the {job.plugin} plugin failed: {exc.error}")
    if creates:
        known, job.creating_line_item = _line_item_slot(job.resource_link_pk)
        if known:
            job.grade = replace(job.grade, line_item_url=known)
        elif not job.creating_line_item:
            return PassbackResult.retry("waiting for the line item to be created", 1.0)
    return None


def prepare_many(app: Flask, ids: list[int], lease: str) -> list[Job]:
    if not ids:
        return []
    db.session.scalars(
        select(Grade)
        .where(Grade.id.in_(ids))
        .options(selectinload(Grade.user), selectinload(Grade.resource_link))
    ).all()  # one query each
    return [job for job in (prepare(app, i, lease, commit=False) for i in ids) if job is not None]


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
    try:
        plugin = plugins(app).get(GRADE_PASSBACK, job.plugin)
    except UnknownPluginError as exc:
        return PassbackResult.retry(f"the {job.plugin} plugin is not available ({exc})")
    transport = None
    if job.auth is not None:
        # Disabled since the claim: no call, the grade waits, whatever its plugin (a webhook's
        # too: a compromised LMS's grades are not sent on, decision 0043, reviewed in 0051).
        try:
            if not plugin.uses_transport:
                require_enabled(job.auth.platform_id)
            else:
                client = service_client(job.auth, app)
                transport = PluginTransport(AgsTransport(client, job.grade.scopes), line_item_reads(app))
        except PlatformDisabled as held:
            return PassbackResult.retry(held.message)
    result = PassbackResult.token_expired()
    for _ in range(2):
        try:
            result = call_safely(plugin.deliver, job.grade, transport, job.settings)
        except PluginRuntimeError as exc:
            return PassbackResult.retry(f"the {job.plugin} plugin failed: {exc.error}")
        except Exception as exc:  # e.g. the token store's database: retried later
            log.exception("grade %s: delivery failed unexpectedly", job.grade_id, extra=job.log_ids)
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
        if result.score_maximum is not None and result.score_given is not None:
            # Sent on the LMS's points: the tool shows the score as the LMS holds it.
            values.update(
                score_given=case((same, result.score_given), else_=Grade.score_given),
                score_maximum=case((same, result.score_maximum), else_=Grade.score_maximum),
            )
        if result.line_item_url or result.score_maximum:
            scale.record_delivered(job.resource_link_pk, result.line_item_url, result.score_maximum)
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
    if not rowcount(done):
        log.warning(
            "grade %s: lease lost before the result was recorded (%s)",
            job.grade_id,
            outcome,
            extra=job.log_ids,
        )
        return "lease_lost"
    level = logging.WARNING if outcome == FAILED else logging.INFO
    log.log(
        level, "grade %s v%s: %s %s", job.grade_id, job.version, outcome, result.message, extra=job.log_ids
    )
    return outcome


def deliver(app: Flask, grade_id: int, lease: str) -> str:
    """Deliver one leased grade now (prepare, send, finish in this thread)."""
    job = prepare(app, grade_id, lease)
    return "lease_lost" if job is None else finish(app, job, send(app, job))
