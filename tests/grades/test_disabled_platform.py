"""A platform disabled in /admin is not called any more, and loses nothing (decision 0043).

Over real HTTP against the independent AGS platform (tests/support/ags_platform.py, which counts
every request it gets): the `flask grades work` worker, the web process's delivery thread, a
delivery already claimed when the disable comes, the course roster (NRPS) and the activity's
points (line item) all leave a disabled platform alone; its grades wait, are not marked failed,
are counted in /admin, and are delivered once each when it is enabled again."""

from __future__ import annotations

import signal
import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from lti_tool.extensions import db
from lti_tool.models import Grade, Launch, Platform, WorkerHeartbeat
from lti_tool.models.base import utcnow
from lti_tool.services import grades as grade_service
from lti_tool.services import platforms as platform_service
from lti_tool.services.grades import scale as grade_scale
from lti_tool.services.grades.delivery import prepare_many
from tests.grades.conftest import FAST, grades, record_launches, register, settle, submit
from tests.grades.test_chaos import _worker
from tests.support.admin_password import cheap_hash
from tests.support.waiting import wait_for
from tests.test_admin import PASSWORD, Admin

LEARNERS = ["h1", "h2", "h3"]


def _graded(app: Flask, ags_platform: Any, subs: list[str] = LEARNERS, **claims: Any) -> list[str]:
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    return record_launches(app, ags_platform, subs, claim, **claims)


def _switch(app: Flask, ags_platform: Any, enabled: bool) -> int:
    with app.app_context():
        platform = platform_service.get_platform(ags_platform.issuer, ags_platform.client_id)
        released = platform_service.set_enabled(platform, enabled)
        db.session.remove()
    return released


def _untouched(app: Flask, ags_platform: Any) -> None:
    """The platform got no request, and its grades wait as they were: pending, never tried."""
    assert sum(ags_platform.hits.values()) == 0, dict(ags_platform.hits)
    rows = grades(app)
    assert rows and all(
        (r.status, r.attempts, r.lease_token, r.delivered_version) == ("pending", 0, None, 0) for r in rows
    ), [(r.status, r.attempts, r.lease_token, r.last_error) for r in rows]


def _delivered_once_each(app: Flask, ags_platform: Any, subs: list[str] = LEARNERS) -> None:
    wait_for(lambda: all(r.status == "delivered" for r in grades(app)), 60, "every held grade delivered")
    assert ags_platform.score_counts() == {(sub, 8.0): 1 for sub in subs}
    assert ags_platform.token_requests == 1


def _heartbeats(app: Flask) -> int:
    with app.app_context():
        found = db.session.query(WorkerHeartbeat).count()
        db.session.remove()
    return found


@pytest.mark.slow
@pytest.mark.both_dbs
def test_workers_leave_a_disabled_platform_alone_and_deliver_once_it_is_enabled(
    make_app: Any, ags_platform: Any, database_url: str
) -> None:
    """Two `flask grades work` processes run while the platform is disabled: neither asks its
    token endpoint nor posts a score, the grades stay pending and untried; enabled again, each
    grade reaches the LMS exactly once, and the workers logged nothing meanwhile."""
    app = make_app(GRADES_DELIVER_IN_PROCESS=False, **FAST)
    register(app, ags_platform)
    launches = _graded(app, ags_platform)
    _switch(app, ags_platform, False)
    for launch in launches:
        submit(app, launch, 8)
    workers = [_worker(database_url, lease_seconds=300), _worker(database_url, lease_seconds=300)]
    try:
        wait_for(lambda: _heartbeats(app) == 2, 60, "both workers running")
        time.sleep(1.5)  # fifteen polls each
        _untouched(app, ags_platform)
        assert _switch(app, ags_platform, True) == len(LEARNERS)
        _delivered_once_each(app, ags_platform)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        logs = [worker.communicate(timeout=30)[1] for worker in workers]
    assert [line for log in logs for line in log.splitlines() if "grade" in line.lower()] == []


@pytest.mark.both_dbs
def test_the_worker_does_not_spin_on_grades_held_for_a_disabled_platform(
    make_app: Any, ags_platform: Any
) -> None:
    """Only held grades in the outbox: the worker waits its poll interval between looks, as
    with an empty outbox (no lease taken, no busy loop)."""
    app = make_app(GRADES_DELIVER_IN_PROCESS=False, **{**FAST, "GRADES_POLL_SECONDS": 0.5})
    register(app, ags_platform)
    launches = _graded(app, ags_platform)
    _switch(app, ags_platform, False)
    for launch in launches:
        submit(app, launch, 8)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda _c, _cur, statement, *_a: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        stats = grade_service.run_worker(app, max_seconds=2.0)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    claims = [s for s in statements if s.startswith("UPDATE grade SET") and "lease_token=" in s]
    assert 1 <= len(claims) <= 6, f"{len(claims)} claims in 2 s"  # one a poll (0.5 s), not one every 50 ms
    assert (stats.delivered, stats.retrying, stats.failed) == (0, 0, 0)
    _untouched(app, ags_platform)


@pytest.mark.both_dbs
def test_the_delivery_thread_of_the_web_process_holds_then_delivers_when_enabled(
    make_app: Any, ags_platform: Any
) -> None:
    """The web process's own delivery thread, woken by each grade, sends nothing to a disabled
    platform and stops (it does not keep polling held grades); enabling the platform wakes it
    and each grade is delivered once."""
    app = make_app(**FAST)
    register(app, ags_platform)
    launches = _graded(app, ags_platform)
    _switch(app, ags_platform, False)
    for launch in launches:
        submit(app, launch, 8)
    settle(app, 10)  # the thread stopped: nothing due
    time.sleep(0.3)
    _untouched(app, ags_platform)
    assert _switch(app, ags_platform, True) == len(LEARNERS)
    _delivered_once_each(app, ags_platform)


@pytest.mark.both_dbs
def test_a_delivery_claimed_before_the_disable_is_held_not_sent_nor_failed(
    make_app: Any, ags_platform: Any
) -> None:
    """The disable comes after a worker leased the grade and before it sends it: the call to
    the platform is refused where platform clients are made (no token request, no score), and
    the grade waits, pending, for the platform to be enabled again."""
    app = make_app(GRADES_DELIVER_IN_PROCESS=False, **FAST)
    register(app, ags_platform)
    [launch] = _graded(app, ags_platform, ["c1"])
    submit(app, launch, 8)
    with app.app_context():
        lease, ids = grade_service.claim_due(app, 10)
        [job] = prepare_many(app, ids, lease)
        db.session.commit()
        _switch(app, ags_platform, False)
        result = grade_service.send(app, job)
        assert sum(ags_platform.hits.values()) == 0, dict(ags_platform.hits)
        assert grade_service.finish(app, job, result) == "retrying"
        row = db.session.get(Grade, job.grade_id)
        assert (row.status, row.lease_token) == ("pending", None)
        assert "disabled" in row.last_error
        db.session.remove()
    assert grade_service.run_worker(app, once=True).delivered == 0  # held: not claimed again
    assert sum(ags_platform.hits.values()) == 0, dict(ags_platform.hits)
    _switch(app, ags_platform, True)
    assert grade_service.run_worker(app, once=True).delivered == 1
    assert ags_platform.score_counts() == {("c1", 8.0): 1}


def test_the_roster_and_the_points_are_not_read_from_a_disabled_platform(
    make_app: Any, ags_platform: Any
) -> None:
    """The course roster (NRPS) and the activity's points (its line item) are read from pages
    of a launch, whose session a disable ends; a read already on its way (the points read after
    a learner's page, a gradebook opened just before) is refused too, and says why."""
    app = make_app(GRADES_DELIVER_IN_PROCESS=False, **FAST)
    register(app, ags_platform)
    [launch] = _graded(
        app, ags_platform, ["t1"], nrps_url=ags_platform.url + "/memberships", role="Instructor"
    )
    _switch(app, ags_platform, False)
    with app.test_request_context():
        found = db.session.get(Launch, launch)
        members, problem = grade_service.roster(found, refresh=True)
        assert members == [] and "disabled" in problem
        scale = grade_scale.refresh(found, force=True)
        assert scale.source == "default" and scale.problem == ""
        db.session.remove()
    assert sum(ags_platform.hits.values()) == 0, dict(ags_platform.hits)
    _switch(app, ags_platform, True)
    with app.test_request_context():
        found = db.session.get(Launch, launch)
        members, problem = grade_service.roster(found, refresh=True)
        assert problem == "" and len(members) == 3
        assert grade_scale.refresh(found, force=True).source == "lms"
        db.session.remove()
    assert ags_platform.roster_requests == 1 and ags_platform.line_item_reads == 1


def test_admin_counts_held_grades_and_enabling_sends_them_once(make_app: Any, ags_platform: Any) -> None:
    """/admin says how many grades of a disabled platform are held; its Enable button sends
    them, once each."""
    app = make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD), **FAST)
    register(app, ags_platform)
    launches = _graded(app, ags_platform, ["a1", "a2"])
    admin = Admin(app)
    assert admin.login().status_code == 200
    assert admin.post("/admin/platforms/1/enabled", enabled="0").status_code == 200
    for launch in launches:
        submit(app, launch, 8)
    settle(app, 10)
    page = admin.get("/admin/").text
    assert page.count("2 grades held while disabled") == 2  # the platform's row and its deliveries
    assert sum(ags_platform.hits.values()) == 0
    # A refused grade sent again while the platform is disabled joins the held ones, and says so.
    with app.app_context():
        db.session.execute(db.update(Grade).where(Grade.id == 1).values(status="failed", last_error="x"))
        db.session.commit()
    resent = admin.post("/admin/platforms/1/grades/resend-failed")
    assert "1 refused grade will be sent again once it is enabled" in resent.text
    assert sum(ags_platform.hits.values()) == 0
    enabled = admin.post("/admin/platforms/1/enabled", enabled="1")
    assert "its 2 held grades are being sent now" in enabled.text
    _delivered_once_each(app, ags_platform, ["a1", "a2"])
    assert "held while disabled" not in admin.get("/admin/").text


def test_the_gradebook_says_a_grade_is_held_in_english_and_french(make_app: Any, ags_platform: Any) -> None:
    from lti_tool import i18n

    app = make_app(GRADES_DELIVER_IN_PROCESS=False, **FAST)
    register(app, ags_platform)
    [launch] = _graded(app, ags_platform, ["g1"])
    submit(app, launch, 8)
    with app.test_request_context():
        [row] = grade_service.grades_of_link(db.session.get(Launch, launch).resource_link_pk)
        assert grade_service.status_of(row)[0] == "pending"
        status, words = grade_service.status_of(row, platform_enabled=False)
        assert status == "held"
        assert "disabled" in words and "sent once it is enabled again" in words
        with i18n.use("fr"):
            french = grade_service.status_of(row, platform_enabled=False)[1]
        assert french != words and "désactivé" in french
        db.session.remove()


@pytest.mark.both_dbs
def test_a_grade_kept_by_a_plugin_that_does_not_call_the_lms_is_held_too(
    make_app: Any, ags_platform: Any
) -> None:
    """Decision 0043 holds every delivery of a disabled platform's grades, whatever the plugin:
    a webhook or the CSV keeper calls no platform client, so a grade claimed before the disable
    went on to its plugin (found in the review of decision 0051). Here the CSV keeper (no AGS in
    the launch): the grade waits, pending, and is kept once the platform is enabled again."""
    app = make_app(GRADES_DELIVER_IN_PROCESS=False, **FAST)
    register(app, ags_platform)
    [launch] = record_launches(app, ags_platform, ["k1"], None)
    submit(app, launch, 7)
    with app.app_context():
        lease, ids = grade_service.claim_due(app, 10)
        [job] = prepare_many(app, ids, lease)
        assert job.plugin == "gradebook_export"
        db.session.commit()
        _switch(app, ags_platform, False)
        result = grade_service.send(app, job)
        assert grade_service.finish(app, job, result) == "retrying"
        row = db.session.get(Grade, job.grade_id)
        assert (row.status, row.delivered_version, row.lease_token) == ("pending", 0, None)
        assert "disabled" in row.last_error
        db.session.remove()
    assert grade_service.run_worker(app, once=True).delivered == 0  # held: not claimed again
    _switch(app, ags_platform, True)
    assert grade_service.run_worker(app, once=True).delivered == 1
    assert [(r.status, r.last_error) for r in grades(app)] == [
        ("delivered", "Kept for the CSV export (no gradebook service in this course)")
    ]
    assert sum(ags_platform.hits.values()) == 0, dict(ags_platform.hits)


def test_enabling_a_platform_already_enabled_leaves_its_grades_waits_alone(
    make_app: Any, ags_platform: Any
) -> None:
    """Only a disabled platform's grades are released: an Enable sent again (a second click, a
    second administrator) does not make grades waiting on the platform's Retry-After due now."""
    app = make_app(**FAST)
    register(app, ags_platform)
    launches = _graded(app, ags_platform, ["w1"])
    _switch(app, ags_platform, False)
    for launch in launches:
        submit(app, launch, 8)
    later = utcnow() + timedelta(hours=1)
    with app.app_context():  # enabled earlier; its grade now waits as the platform asked
        db.session.execute(db.update(Platform).values(enabled=True))
        db.session.execute(db.update(Grade).values(next_attempt_at=later))
        db.session.commit()
        db.session.remove()
    with app.app_context():
        epoch = db.session.scalar(db.select(Platform.session_epoch))
        db.session.remove()
    assert _switch(app, ags_platform, True) == 0
    with app.app_context():  # nor does it end the platform's sessions, as a disable does
        assert db.session.scalar(db.select(Platform.session_epoch)) == epoch
        db.session.remove()
    rows = grades(app)
    assert [(r.status, r.next_attempt_at.replace(tzinfo=None)) for r in rows] == [
        ("pending", later.replace(tzinfo=None))
    ]
