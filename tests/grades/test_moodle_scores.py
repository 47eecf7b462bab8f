"""Scores against Moodle's own rule (mod/lti/service/gradebookservices, scores.php): a score whose
timestamp is not later, in whole seconds, than the moment Moodle last changed that learner's
grade is refused with 409 "Refusing score with an earlier timestamp". That moment is Moodle's
clock when it saved the previous score (grade_item::update_raw_grade sets ``timemodified`` to
time(); the timestamp the tool sent is not kept). So a score dated when the learner was graded
is refused whenever the previous one reached Moodle after that: an answer lost after Moodle
saved the score, a second attempt made while the first was on its way (decision 0041)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask

from tests.grades.conftest import grades, settle, submit
from tests.grades.test_moodle_services import learner_launch
from tests.grades.test_moodle_services import moodle as moodle  # noqa: F401 - the fixture
from tests.support.moodle_platform import MoodlePlatform
from tests.support.waiting import wait_for

ITEM = 2  # the observed line item
SAM = "4"  # the observed learner


def held(moodle: MoodlePlatform) -> float | None:
    """Sam's grade in Moodle's gradebook (on the item's 100 points)."""
    return moodle.grades[(ITEM, SAM)]["grade"]


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


@pytest.fixture
def sam(fast_app: Flask, moodle: MoodlePlatform) -> Iterator[str]:  # noqa: F811
    yield learner_launch(moodle, fast_app)


@pytest.mark.both_dbs
def test_a_score_saved_by_moodle_whose_answer_was_lost_is_delivered(
    fast_app: Flask,
    moodle: MoodlePlatform,  # noqa: F811
    sam: str,
) -> None:
    """Moodle saved the score, a proxy answered 504: the tool sends it again, and Moodle refuses
    the same timestamp (its grade changed after it). The grade must end delivered, not refused."""
    moodle.lose_answers = 1
    submit(fast_app, sam, 6, maximum=10)
    wait_for(lambda: grades(fast_app)[0].status != "pending", 30, "the grade settled")
    settle(fast_app)
    [row] = grades(fast_app)
    assert (row.status, row.last_status) == ("delivered", None), (row.last_status, row.last_error)
    assert held(moodle) == 60
    first, again = (score for _, score in moodle.scores)
    assert _seconds(again["timestamp"]) > _seconds(first["timestamp"])
    # Canvas's submission date stays when the learner was graded (decision 0038).
    submitted = "https://canvas.instructure.com/lti/submission"
    assert again[submitted] == first[submitted]


@pytest.mark.both_dbs
def test_a_second_attempt_made_while_the_first_was_on_its_way_ends_in_moodle(
    fast_app: Flask,
    moodle: MoodlePlatform,  # noqa: F811
    sam: str,
) -> None:
    """The first score waits at Moodle (a slow request) while Sam submits again: Moodle saves the
    first after the second was graded, so the second, dated when it was graded, would be refused
    and Moodle would keep the older grade."""
    moodle.score_gate.clear()
    submit(fast_app, sam, 4, maximum=10)
    wait_for(
        lambda: any(r["method"] == "POST" for r in moodle.service_requests), 30, "the first score at Moodle"
    )
    submit(fast_app, sam, 7, maximum=10, source_ref="attempt:2")
    time.sleep(0.05)
    moodle.score_gate.set()
    wait_for(lambda: grades(fast_app)[0].status != "pending", 30, "the grades settled")
    settle(fast_app)
    [row] = grades(fast_app)
    assert (row.status, row.version, row.delivered_version) == ("delivered", 2, 2), row.last_error
    assert held(moodle) == 70
    assert [score["scoreGiven"] for _, score in moodle.scores] == [40, 70]


@pytest.mark.slow
@pytest.mark.both_dbs
def test_moodle_s_clock_ahead_delays_a_quick_second_attempt_but_does_not_lose_it(
    fast_app: Flask,
    moodle: MoodlePlatform,  # noqa: F811
    sam: str,
) -> None:
    """Moodle's clock 2 s ahead of the tool's: the first grade is dated 2 s later there, so a
    second attempt within those 2 s is refused (409) until the tool's clock passes it."""
    moodle.clock_ahead = 2
    submit(fast_app, sam, 5, maximum=10)
    settle(fast_app)
    assert grades(fast_app)[0].status == "delivered"
    submit(fast_app, sam, 8, maximum=10, source_ref="attempt:2")
    wait_for(lambda: grades(fast_app)[0].status != "pending", 30, "the second grade settled")
    settle(fast_app)
    [row] = grades(fast_app)
    assert (row.status, row.delivered_version) == ("delivered", 2), (row.last_status, row.last_error)
    assert held(moodle) == 80


def test_a_teacher_s_own_attempt_is_not_sent_to_moodle(fast_app: Flask, moodle: MoodlePlatform) -> None:  # noqa: F811
    """Moodle takes scores only for users it may grade in the course (is_user_gradable_in_course:
    enrolled with a role of $CFG->gradebookroles, Student by default): a teacher's score is
    refused with 400, whatever the tool does. A teacher who tries the assessment must not leave
    a refused grade on the gradebook page, "Send again" and the administrator's counts."""
    from tests.grades.test_moodle_points import place, teacher
    from tests.support.lms import ASSESSMENT

    place(moodle, [ASSESSMENT], **{f"points:{ASSESSMENT}": "50"})
    [link_id] = moodle.placed_activities
    terry = teacher(moodle, fast_app, link_id)
    terry.answer_all()
    done = terry.post("/app/assessment/submit", allow_redirects=False)
    assert done.status_code == 303
    assert terry.get(done.headers["Location"].replace(terry.base, "")).status_code == 200  # the report
    settle(fast_app)
    assert grades(fast_app) == []
    assert [r for r in moodle.service_requests if r["method"] == "POST"] == []
    book = terry.get("/app/grades/")
    assert book.status_code == 200 and "refused" not in book.text and "Not accepted" not in book.text


def test_a_wait_the_lms_asks_for_is_a_floor_not_a_pace() -> None:
    """A refused score (409) asks for a wait of 1 s: sent again with backoff that still doubles,
    so a Moodle whose clock is minutes ahead is not asked every second for minutes."""
    from types import SimpleNamespace

    from lti_tool.services.grades.delivery import _backoff

    app = SimpleNamespace(config={"GRADES_BACKOFF_BASE": 5, "GRADES_BACKOFF_MAX": 3600})
    assert all(_backoff(app, 6, 1.0) >= 80 for _ in range(20))  # 5 x 2^5 = 160, jittered to 80-160
    assert all(_backoff(app, 1, 30.0) >= 30 for _ in range(20))  # never sooner than asked
