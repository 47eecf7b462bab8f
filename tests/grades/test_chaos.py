"""Grade passback against what really happens: a worker killed after the LMS took a score, a
learner resubmitting while the first grade is still on its way, a token refused mid-batch, a
column deleted in the LMS, refusals that must not be retried, and "send again" clicked twice.
Each over real HTTP against the independent AGS platform (tests/support/ags_platform.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from tests.conftest import TEST_OUTBOUND_ALLOWLIST, TEST_SECRET
from tests.grades.conftest import FAST, grades, record_launches, register, settle, submit
from tests.support.forms import forms
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


def _learner(app: Flask, ags_platform: Any, sub: str) -> str:
    """One learner's launch in an activity graded in a fresh LMS column."""
    [launch] = record_launches(app, ags_platform, [sub], ags_platform.ags_claim(ags_platform.add_line_item()))
    return launch


def _worker(database_url: str, lease_seconds: int = 1) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "LTI_TOOL_DATABASE_URL": database_url,
        "LTI_TOOL_SECRET_KEY": TEST_SECRET,
        "LTI_TOOL_ENV": "testing",
        "LTI_TOOL_GRADES_LEASE_SECONDS": str(lease_seconds),
        "LTI_TOOL_GRADES_POLL_SECONDS": "0.1",
        "LTI_TOOL_LOG_LEVEL": "WARNING",
        "LTI_TOOL_OUTBOUND_ALLOWLIST": TEST_OUTBOUND_ALLOWLIST,
    }
    command = [sys.executable, "-m", "flask", "--app", "lti_tool", "grades", "work"]
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.slow
@pytest.mark.both_dbs
@pytest.mark.parametrize("resubmitted", [False, True], ids=["restarted", "resubmitted-while-dead"])
def test_a_worker_killed_after_the_lms_took_the_score_loses_nothing(
    make_app: Any, ags_platform: Any, database_url: str, resubmitted: bool
) -> None:
    """Killed (SIGKILL) between the LMS accepting the score and the tool recording it: when the
    lease runs out a restarted worker sends the same score again, dated when it is sent (Moodle
    refuses the attempt's own timestamp once it saved the score: decision 0041), or, if the
    learner submitted again meanwhile, only the newer one."""
    app = make_app(GRADES_DELIVER_IN_PROCESS=False, **FAST)
    register(app, ags_platform)
    launch = _learner(app, ags_platform, "k1")
    submit(app, launch, 6)
    worker = _worker(database_url)

    def kill(_score: dict[str, Any]) -> None:
        ags_platform.after_score = None
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)

    ags_platform.after_score = kill
    try:
        wait_for(lambda: worker.poll() is not None, 60, "the worker killed after the LMS took the score")
        [row] = grades(app)
        assert (row.status, row.delivered_version) == ("pending", 0) and row.lease_token is not None
        [first] = ags_platform.scores
        if resubmitted:
            time.sleep(0.01)
            submit(app, launch, 9, source_ref="attempt:2")
        worker = _worker(database_url)
        wait_for(lambda: grades(app)[0].status == "delivered", 60, "delivered by the restarted worker")
    finally:
        worker.kill()
        worker.communicate(timeout=30)
    [row] = grades(app)
    scores = list(ags_platform.scores)
    assert len(scores) == 2 and scores[0] == first
    if resubmitted:
        assert (row.version, row.delivered_version) == (2, 2)
        assert scores[1]["scoreGiven"] == 9 and scores[1]["timestamp"] > first["timestamp"]
    else:
        assert {**scores[1], "timestamp": first["timestamp"]} == first  # the same score
        assert scores[1]["timestamp"] > first["timestamp"]  # dated later: the LMS takes it
        assert (row.version, row.delivered_version) == (1, 1)


@pytest.mark.both_dbs
def test_a_resubmission_while_the_first_grade_is_in_flight_ends_with_the_latest(
    make_app: Any, ags_platform: Any
) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    launch = _learner(app, ags_platform, "r1")
    ags_platform.gate.clear()  # the first score reaches the LMS and waits there
    submit(app, launch, 4)
    wait_for(lambda: grades(app)[0].lease_token is not None, 30, "the first grade in flight")
    time.sleep(0.05)
    submit(app, launch, 7, source_ref="attempt:2")
    ags_platform.gate.set()
    wait_for(lambda: grades(app)[0].status == "delivered", 30, "delivered")
    settle(app)
    scores = list(ags_platform.scores)
    assert [s["scoreGiven"] for s in scores] == [4, 7]  # the newer last, and newer by timestamp
    assert scores[0]["timestamp"] < scores[1]["timestamp"]
    [row] = grades(app)
    assert (row.version, row.delivered_version, row.score_given) == (2, 2, 7)


@pytest.mark.both_dbs
def test_a_resubmission_while_the_first_grade_waits_to_be_retried_sends_only_the_latest(
    make_app: Any, ags_platform: Any
) -> None:
    app = make_app(**{**FAST, "GRADES_BACKOFF_BASE": 30, "GRADES_BACKOFF_MAX": 60})
    register(app, ags_platform)
    launch = _learner(app, ags_platform, "r2")
    ags_platform.answers = [(503, {}, "{}")]  # the first try fails (reading the line item)
    submit(app, launch, 4)
    wait_for(lambda: grades(app)[0].last_status == 503, 30, "the first grade waiting for its retry")
    ags_platform.answers = []
    submit(app, launch, 8, source_ref="attempt:2")
    wait_for(lambda: grades(app)[0].status == "delivered", 30, "the newer grade delivered at once")
    settle(app, 5)
    assert [s["scoreGiven"] for s in ags_platform.scores] == [8]


def test_tokens_refused_mid_batch_are_renewed_once(make_app: Any, ags_platform: Any) -> None:
    """The LMS revokes the access token while a batch is in flight: every delivery that got 401
    retries once, and the tool asks for one new token, not one per delivery."""
    app = make_app(GRADES_CONCURRENCY=8, **FAST)
    register(app, ags_platform)
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    launches = record_launches(app, ags_platform, [f"b{n}" for n in range(17)], claim)
    submit(app, launches[0], 5)
    settle(app)
    assert ags_platform.token_requests == 1
    ags_platform.revoke_tokens()
    ags_platform.delay = 0.02
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda lid: submit(app, lid, 3), launches[1:]))
    wait_for(lambda: all(r.status == "delivered" for r in grades(app)), 60, "all delivered")
    settle(app)
    assert ags_platform.token_requests == 2
    assert sum(ags_platform.score_counts().values()) == 17
    assert {r.attempts for r in grades(app)} == {1}


def test_a_column_deleted_in_the_lms_parks_the_grade_until_the_teacher_makes_one_again(
    make_app: Any, ags_platform: Any
) -> None:
    """The launch's line item answers 404 (the teacher deleted the column): the grade is not
    retried forever; the teacher reads that the LMS has no column for the activity, and once
    one exists again for the resource link, "send again" delivers to it."""
    from lti_tool.extensions import db
    from lti_tool.models import Grade, Launch
    from lti_tool.services import grades as grade_service

    app = make_app(**FAST)
    register(app, ags_platform)
    line_item = ags_platform.add_line_item("rl-1", maximum=10)
    [launch] = record_launches(app, ags_platform, ["d1"], ags_platform.ags_claim(line_item))
    del ags_platform.line_items[1]  # the teacher deletes the activity's column
    submit(app, launch, 5)
    wait_for(lambda: grades(app)[0].status == "failed", 30, "parked")
    [row] = grades(app)
    assert row.attempts == 1 and row.last_status == 404
    assert "no grade column" in row.last_error
    with app.test_request_context():
        assert "no grade column" in grade_service.status_of(db.session.get(Grade, row.id))[1]
        db.session.remove()
    ags_platform.add_line_item("rl-1", maximum=20)  # a new column for the activity
    with app.app_context():
        assert grade_service.resend(db.session.get(Launch, launch), row.id)
        db.session.remove()
    wait_for(lambda: grades(app)[0].status == "delivered", 30, "delivered to the new column")
    assert ags_platform.score_counts() == {("d1", 10.0): 1}  # 5/10 on the new column's 20 points
    assert ags_platform.scores[0]["scoreMaximum"] == 20


def _score_only(ags_platform: Any) -> dict[str, Any]:
    """A claim with the score scope only: the score is the one request the LMS sees."""
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    claim["scope"] = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    return claim


@pytest.mark.parametrize("status", [400, 413, 422])
def test_a_refused_score_is_parked_with_its_reason_and_not_retried(
    make_app: Any, ags_platform: Any, status: int
) -> None:
    app = make_app(**FAST)
    register(app, ags_platform)
    [launch] = record_launches(app, ags_platform, ["p1"], _score_only(ags_platform))
    ags_platform.answers = [(status, {}, '{"error": "refused"}')]
    submit(app, launch, 5)
    wait_for(lambda: grades(app)[0].status != "pending", 30, "settled")
    settle(app)
    time.sleep(0.5)  # several backoffs of FAST: a retry would have happened
    [row] = grades(app)
    assert (row.status, row.attempts, row.last_status) == ("failed", 1, status)
    assert f"HTTP {status}" in row.last_error


def test_the_tools_key_rotated_while_grades_wait(make_app: Any, ags_platform: Any) -> None:
    """A new signing key after the last token: the next token request is signed with it and the
    LMS finds it in the tool's key set."""
    from lti_tool.lti import keys as tool_keys

    app = make_app(**FAST)
    register(app, ags_platform)
    claim = ags_platform.ags_claim(ags_platform.add_line_item())
    first, second = record_launches(app, ags_platform, ["q1", "q2"], claim)
    submit(app, first, 5)
    settle(app)
    with app.app_context():
        tool_keys.rotate(app.config["SECRET_KEY"], 1)
    ags_platform.revoke_tokens()
    submit(app, second, 6)
    wait_for(lambda: all(r.status == "delivered" for r in grades(app)), 30, "delivered")
    assert ags_platform.token_requests == 2


def test_send_again_clicked_twice_sends_once_and_answers_both(make_app: Any, ags_platform: Any) -> None:
    """Double-click on "Send again": one delivery, and neither click ends on an error page."""
    from lti_tool.extensions import db
    from lti_tool.lti.session import issue_token
    from lti_tool.models import Launch

    app = make_app(**FAST)
    register(app, ags_platform)
    claim = _score_only(ags_platform)
    [learner] = record_launches(app, ags_platform, ["s1"], claim)
    [teacher] = record_launches(app, ags_platform, ["t1"], claim, role="Instructor")
    ags_platform.answers = [(422, {}, '{"error": "locked"}')]
    submit(app, learner, 5)
    wait_for(lambda: grades(app)[0].status == "failed", 30, "refused")
    with app.test_request_context():
        token = issue_token(db.session.get(Launch, teacher))
        db.session.remove()
    browser = requests.Session()
    base = app.config["BASE_URL"]
    book = browser.get(base + "/app/grades/", params={"lt": token}, timeout=10)
    [form] = [f for f in forms(book.text, book.url) if f.action.endswith("/resend")]
    first = browser.post(form.action, data=form.fields, timeout=10)
    settle(app)
    assert grades(app)[0].status == "delivered"
    second = browser.post(form.action, data=form.fields, timeout=10)  # the second click
    assert first.status_code == 200 and second.status_code == 200, (first.status_code, second.status_code)
    assert "already in the LMS gradebook" in second.text
    settle(app)
    assert sum(ags_platform.score_counts().values()) == 1


def test_a_stuck_grade_shows_why_to_the_teacher_and_send_again_sends_it_now(
    make_app: Any, ags_platform: Any
) -> None:
    """The LMS keeps answering 503: the teacher's gradebook says the grade waits, why, and when
    it is tried next; once the LMS is back, "send again" sends it without waiting for the backoff."""
    from lti_tool.extensions import db
    from lti_tool.lti.session import issue_token
    from lti_tool.models import Launch

    app = make_app(**{**FAST, "GRADES_BACKOFF_BASE": 600, "GRADES_BACKOFF_MAX": 3600})
    register(app, ags_platform)
    claim = _score_only(ags_platform)
    [learner] = record_launches(app, ags_platform, ["w1"], claim)
    [teacher] = record_launches(app, ags_platform, ["t1"], claim, role="Instructor")
    ags_platform.answers = [(503, {}, "{}")]
    submit(app, learner, 5)
    wait_for(lambda: grades(app)[0].last_status == 503, 30, "waiting for its retry")
    with app.test_request_context():
        token = issue_token(db.session.get(Launch, teacher))
        db.session.remove()
    browser = requests.Session()
    book = browser.get(app.config["BASE_URL"] + "/app/grades/", params={"lt": token}, timeout=10)
    assert 'data-status="pending"' in book.text
    assert "Waiting to reach the LMS (attempt 1: the LMS answered HTTP 503); next try" in book.text
    [form] = [f for f in forms(book.text, book.url) if f.action.endswith("/resend")]
    again = browser.post(form.action, data=form.fields, timeout=10)
    assert again.status_code == 200 and "sent again" in again.text
    wait_for(lambda: grades(app)[0].status == "delivered", 30, "delivered at once")
    assert ags_platform.score_counts() == {("w1", 5.0): 1}
