"""No grade is lost or sent twice: an LMS that refuses connections, and several workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_OUTBOUND_ALLOWLIST, TEST_SECRET
from tests.grades.conftest import FAST, grades, record_launches, register, settle, submit
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wave_of_200_while_the_lms_refuses_connections(make_app: Any, ags_platform: Any) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    line_item = ags_platform.add_line_item()
    subs = [f"learner-{n}" for n in range(200)]
    launches = record_launches(app, ags_platform, subs, ags_platform.ags_claim(line_item))
    ags_platform.down()
    with ThreadPoolExecutor(8) as pool:  # 200 submissions, several at a time
        list(
            pool.map(
                lambda pair: submit(app, pair[1], pair[0] % 10 + 0.5, source_ref=f"a{pair[0]}"),
                enumerate(launches),
            )
        )
    wait_for(lambda: all(r.attempts >= 2 for r in grades(app)), 60, "retries while down")
    rows = grades(app)
    assert len(rows) == 200 and {r.status for r in rows} == {"pending"}
    assert all("not reachable" in r.last_error for r in rows)
    ags_platform.up()
    wait_for(lambda: all(r.status == "delivered" for r in grades(app)), 90, "all delivered")
    settle(app)
    counts = ags_platform.score_counts()
    assert sum(counts.values()) == 200
    assert set(counts.values()) == {1}
    assert {user for user, _ in counts} == set(subs)
    assert ags_platform.token_requests == 1


def test_no_line_item_is_ever_created_and_the_lms_column_is_found(make_app: Any, ags_platform: Any) -> None:
    """Only the container in the launch: the tool looks for the resource link's column and never
    makes one (a gradebook column is the teacher's to make). Once the LMS has one, "send again"
    delivers to it, on its points."""
    app = make_app(**FAST)
    register(app, ags_platform)
    launches = record_launches(app, ags_platform, [f"s{n}" for n in range(20)], ags_platform.ags_claim(None))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda lid: submit(app, lid, 3), launches))
    wait_for(lambda: all(r.status == "failed" for r in grades(app)), 60, "all refused")
    assert ags_platform.line_items == {} and ags_platform.score_counts() == {}
    assert all("no grade column" in r.last_error for r in grades(app))
    ags_platform.add_line_item("rl-1", maximum=20)  # the teacher gives the activity 20 points
    with app.app_context():
        from lti_tool.extensions import db
        from lti_tool.models import Grade, Launch
        from lti_tool.services import grades as grade_service

        launch = db.session.get(Launch, launches[0])
        for row in db.session.scalars(db.select(Grade)).all():
            assert grade_service.resend(launch, row.id)
        db.session.remove()
    wait_for(lambda: all(r.status == "delivered" for r in grades(app)), 60, "all delivered")
    assert len(ags_platform.line_items) == 1
    assert set(ags_platform.score_counts()) == {(f"s{n}", 6.0) for n in range(20)}  # 3/10 on 20 points
    assert {(r.score_given, r.score_maximum) for r in grades(app)} == {(6.0, 20.0)}


def test_server_errors_then_delivered_with_backoff(make_app: Any, ags_platform: Any) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    [launch] = record_launches(app, ags_platform, ["x"], ags_platform.ags_claim(ags_platform.add_line_item()))
    ags_platform.answers = [(503, {}, "{}"), (502, {}, "bad gateway"), (429, {"Retry-After": "0.2"}, "{}")]
    started = time.monotonic()
    submit(app, launch, 8)
    wait_for(lambda: grades(app)[0].status == "delivered", 45, "delivered")
    assert time.monotonic() - started >= 0.2  # Retry-After was honoured
    [row] = grades(app)
    assert row.attempts == 4
    assert sum(ags_platform.score_counts().values()) == 1


def test_a_grade_queued_before_a_disable_is_delivered_once_the_platform_is_enabled_again(
    make_app: Any, ags_platform: Any
) -> None:
    """A disable ends the sessions of the platform's launches for good (decision 0035), but a
    grade is the learner's finished work: it is never lost, and reaches the LMS."""
    from lti_tool.lti.session import LaunchTokenError, issue_token, read_token
    from lti_tool.services import platforms as platform_service

    app = make_app(**FAST)
    register(app, ags_platform)
    [launch] = record_launches(app, ags_platform, ["x"], ags_platform.ags_claim(ags_platform.add_line_item()))
    with app.test_request_context():
        from lti_tool.extensions import db
        from lti_tool.models import Launch

        token = issue_token(db.session.get(Launch, launch))
        db.session.remove()
    ags_platform.down()
    submit(app, launch, 8)
    wait_for(lambda: grades(app)[0].attempts >= 1, 30, "a try while the LMS is down")
    with app.app_context():  # the platform disabled, then enabled again
        platform = platform_service.get_platform(ags_platform.issuer, ags_platform.client_id)
        platform_service.set_enabled(platform, False)
        platform_service.set_enabled(platform, True)
    with app.test_request_context(), pytest.raises(LaunchTokenError):
        read_token(token)  # the launch's session ended...
    ags_platform.up()
    wait_for(lambda: grades(app)[0].status == "delivered", 45, "delivered")  # ...its grade did not
    assert ags_platform.score_counts() == {("x", 8.0): 1}


GRADES = 80  # enough for every worker to hold several batches at once


@pytest.mark.slow
@pytest.mark.both_dbs
def test_workers_never_deliver_a_grade_twice(make_app: Any, ags_platform: Any, database_url: str) -> None:
    app = make_app(GRADES_DELIVER_IN_PROCESS=False, **FAST)
    register(app, ags_platform)
    ags_platform.delay = 0.01
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    launches = record_launches(app, ags_platform, [f"w{n}" for n in range(GRADES)], claim)
    for n, launch in enumerate(launches):
        submit(app, launch, n % 10)
    assert {r.status for r in grades(app)} == {"pending"}  # nothing delivered in-process
    env = {
        **os.environ,
        "LTI_TOOL_DATABASE_URL": database_url,
        "LTI_TOOL_SECRET_KEY": TEST_SECRET,
        "LTI_TOOL_ENV": "testing",
        "LTI_TOOL_GRADES_BATCH_SIZE": "5",
        "LTI_TOOL_GRADES_CONCURRENCY": "4",
        "LTI_TOOL_LOG_LEVEL": "WARNING",
        "LTI_TOOL_OUTBOUND_ALLOWLIST": TEST_OUTBOUND_ALLOWLIST,
    }
    workers = 2  # on SQLite too: its claim is one UPDATE, and writers take turns
    command = [sys.executable, "-m", "flask", "--app", "lti_tool", "grades", "work", "--once"]
    ags_platform.gate.clear()  # hold the first deliveries until every worker has claimed some
    procs = [
        subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(workers)
    ]
    wait_for(
        lambda: sum(r.lease_token is not None for r in grades(app)) >= 5 * workers,
        90,
        "every worker holding grades",
    )
    ags_platform.gate.set()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    delivered = [int(out.split("delivered ")[1].split(",")[0]) for out, _ in outputs]
    assert sum(delivered) == GRADES, outputs
    if workers == 2:
        assert all(n > 0 for n in delivered), outputs  # both really worked
    counts = ags_platform.score_counts()
    assert sum(counts.values()) == GRADES and set(counts.values()) == {1}
    assert {r.status for r in grades(app)} == {"delivered"}
    assert ags_platform.token_requests <= workers


@pytest.mark.slow
@pytest.mark.both_dbs
def test_tokens_renewed_while_results_wait_to_be_committed(
    make_app: Any, ags_platform: Any, caplog: Any
) -> None:
    """A delivery thread that must store a new access token never waits on the worker's own
    uncommitted results (on SQLite that wait was a deadlock until the busy timeout)."""
    from lti_tool.services.grades import run_worker

    app = make_app(
        GRADES_DELIVER_IN_PROCESS=False,
        GRADES_CONCURRENCY=4,
        GRADES_BATCH_SIZE=4,
        GRADES_TOKEN_MARGIN=60.8,
        **FAST,
    )
    register(app, ags_platform)
    ags_platform.token_lifetime = 61  # each token is usable for 0.2 s: renewed mid-run
    ags_platform.delay = 0.025  # GRADES deliveries, 4 at a time: about 0.5 s, several token lives
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    launches = record_launches(app, ags_platform, [f"t{n}" for n in range(GRADES)], claim)
    for n, launch in enumerate(launches):
        submit(app, launch, n % 10)
    stats = run_worker(app, once=True)
    assert stats.delivered == GRADES and stats.retrying == 0, stats
    assert ags_platform.token_requests >= 2  # tokens really were renewed while delivering
    assert "could not store the access token" not in caplog.text
    rows = grades(app)
    assert {r.status for r in rows} == {"delivered"} and {r.attempts for r in rows} == {1}


@pytest.mark.slow
def test_the_worker_stops_on_sigterm_after_recording_the_deliveries_in_flight(
    make_app: Any, ags_platform: Any, database_url: str, tmp_path: Path
) -> None:
    """`systemctl stop p3-workshop-grades` sends SIGTERM: the worker claims nothing more, lets the
    delivery in flight finish, records it and exits 0. Killed outright, it left that grade leased
    for GRADES_LEASE_SECONDS (5 minutes) and the LMS's answer unrecorded."""
    import signal

    app = make_app(GRADES_DELIVER_IN_PROCESS=False, **FAST)
    register(app, ags_platform)
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    first, second = record_launches(app, ags_platform, ["first", "second"], claim)
    submit(app, first, 7)
    env = {
        **os.environ,
        "LTI_TOOL_DATABASE_URL": database_url,
        "LTI_TOOL_SECRET_KEY": TEST_SECRET,
        "LTI_TOOL_ENV": "testing",
        "LTI_TOOL_LOG_LEVEL": "INFO",
        "LTI_TOOL_LOG_FORMAT": "json",
        "LTI_TOOL_OUTBOUND_ALLOWLIST": TEST_OUTBOUND_ALLOWLIST,
    }
    log_path = tmp_path / "worker.log"
    ags_platform.gate.clear()  # the LMS holds the delivery: it is in flight when SIGTERM comes
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "lti_tool", "grades", "work"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: grades(app)[0].lease_token is not None, 60, "the grade in flight")
        worker.send_signal(signal.SIGTERM)
        wait_for(lambda: "SIGTERM received" in log_path.read_text(), 30, "the worker to note SIGTERM")
        submit(app, second, 5)  # due now, but the worker is stopping: it is not claimed
        ags_platform.gate.set()
        assert worker.wait(timeout=60) == 0, log_path.read_text()
    finally:
        ags_platform.gate.set()
        if worker.poll() is None:
            worker.kill()
    output = log_path.read_text()
    assert '"message": "grade worker ' in output and "started" in output, output  # the journal says so
    assert "delivered 1, retrying 0, failed 0" in output, output
    done, waiting = grades(app)
    assert (done.status, done.lease_token, done.attempts) == ("delivered", None, 1)
    assert (waiting.status, waiting.lease_token) == ("pending", None)
    assert sum(ags_platform.score_counts().values()) == 1
