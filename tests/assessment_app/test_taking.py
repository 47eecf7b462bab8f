"""Taking the self-assessment in the app: autosave, resume, submit once, retakes, roles."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import AssessmentAttempt
from lti_tool.signals import activity_graded
from tests.assessment_app.conftest import Taker
from tests.support.lms import LEARNERS


def test_launch_of_the_placed_item_opens_the_assessment(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    assert "Partnership self-assessment" in ben.page.text
    assert "Begin the self-assessment" in ben.page.text


def test_answers_are_saved_as_given_and_resumed_after_relaunch(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.answer_all(skip=27)  # the last 6 areas (27 answers) left open
    again = taker(LEARNERS[0])  # a new launch, days later
    assert "Continue where you left off" in again.page.text
    page = again.get("/app/assessment/take")
    # It opens on the first area with a gap, with the saved answers checked.
    assert "Area 7 of 12" in page.text
    assert 'value="4" checked' not in page.text
    assert 'value="4" checked' in again.get("/app/assessment/take", d=6).text


def test_bad_answers_get_a_400_naming_the_problem(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    for item, value, words in [
        ("nope-1", "3", "no statement"),
        ("need-1", "9", "from 1 to 5"),
        ("importance:need", "7", "Importance"),
    ]:
        answer = ben.answer(item, value)
        assert answer.status_code == 400 and words in answer.get_json()["message"]


def test_answer_without_csrf_is_refused(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    answer = ben.client.post(
        "/app/assessment/answer", json={"item": "need-1", "value": "3"}, headers={"X-Launch-Token": ben.token}
    )
    assert answer.status_code == 400


def test_the_learner_names_the_partnership_first_and_every_prompt_refers_to_it(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    start = ben.get("/app/assessment/")
    # The questionnaire says what it is before anything is asked.
    assert "inspired by the" in start.text and "Partnership Test" in start.text and "not" in start.text
    unnamed = ben.get("/app/assessment/take")
    assert unnamed.status_code == 303 and "/app/assessment/?" in unnamed.headers["Location"]  # name first
    blank = ben.begin("   ")
    assert blank.status_code == 400 and "Name the partnership you will assess." in blank.text
    assert ben.begin("x" * 151).status_code == 400
    assert ben.begin("Harbour  renewal\nP3").status_code == 303
    take = ben.get("/app/assessment/take")
    assert "How well does each statement describe Harbour renewal P3?" in take.text
    assert "to the success of Harbour renewal P3?" in take.text
    assert 'id="how-to-answer"' in take.text and "left out of the averages" in take.text  # help shown
    assert "Harbour renewal P3" in ben.get("/app/assessment/").text


def test_importance_offers_no_view(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.begin()
    take = ben.get("/app/assessment/take", d=1).text
    assert 'name="a.importance:need" value="na"' in take and "No view" in take
    assert ben.answer("importance:need", "na").status_code == 200
    assert 'name="a.importance:need" value="na" checked' in ben.get("/app/assessment/take", d=1).text


def test_no_javascript_form_saves_the_page(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.begin()
    saved = ben.post(
        "/app/assessment/take",
        {"d": "1", "a.need-1": "2", "a.importance:need": "5", "go": "next"},
        allow_redirects=False,
    )
    assert saved.status_code == 303 and "d=2" in saved.headers["Location"]
    assert 'value="2" checked' in ben.get("/app/assessment/take", d=1).text


def test_submit_lists_what_is_missing(taker: Any) -> None:
    ben = taker(LEARNERS[0])
    ben.answer_all(skip=2)
    review = ben.get("/app/assessment/review")
    assert "2 answers still missing" in review.text
    refused = ben.post("/app/assessment/submit", allow_redirects=False)
    assert refused.status_code == 303 and "review" in refused.headers["Location"]


@pytest.mark.both_dbs
def test_concurrent_submits_submit_once_and_grade_once(http_taker: Any, app: Flask) -> None:
    ben = http_taker(LEARNERS[0])  # a real server: the five submits really run at once
    ben.answer_all()
    csrf = ben.csrf("/app/assessment/review")
    grades: list[Any] = []

    def record(sender: Any, **kw: Any) -> None:
        grades.append(kw["source_ref"])

    activity_graded.connect(record)
    try:

        def submit(_: int) -> int:
            return requests.post(
                ben.base + "/app/assessment/submit",
                data={"lt": ben.token, "csrf_token": csrf},
                allow_redirects=False,
                timeout=10,
            ).status_code

        with ThreadPoolExecutor(max_workers=5) as pool:
            statuses = list(pool.map(submit, range(5)))
    finally:
        activity_graded.disconnect(record)
    assert all(s == 303 for s in statuses), statuses
    assert len(grades) == 1
    with app.app_context():
        attempts = db.session.scalars(select(AssessmentAttempt)).all()
        assert [a.status for a in attempts] == ["submitted"]


def test_submitted_answers_are_final_and_retakes_follow_the_setting(taker: Any, teacher: Taker) -> None:
    ben = taker(LEARNERS[0])
    ben.answer_all()
    assert ben.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    assert ben.answer("need-1", "1").status_code == 409
    assert ben.post("/app/assessment/retake").status_code == 403
    saved = teacher.post(
        "/app/assessment/settings",
        {
            "scoring_model": "threshold_bands",
            "catalogues": "workshop",
            "grading": "completion",
            "retakes": "on",
        },
        allow_redirects=False,
    )
    assert saved.status_code == 303
    assert ben.post("/app/assessment/retake", allow_redirects=False).status_code == 303
    start = ben.get("/app/assessment/")
    assert "Continue where you left off" in start.text and "Attempt 1" in start.text


def test_learners_see_only_their_own_report(taker: Any, teacher: Taker) -> None:
    ben, chloe = taker(LEARNERS[0]), taker(LEARNERS[1])
    ben.answer_all()
    ben.post("/app/assessment/submit")
    chloe.answer("need-1", "3")
    with_reports = teacher.get("/app/assessment/")
    assert "Ben Tremblay" in with_reports.text
    attempt_id = int(with_reports.text.split("/app/assessment/report/")[1].split("?")[0])
    assert ben.get(f"/app/assessment/report/{attempt_id}").status_code == 200
    assert chloe.get(f"/app/assessment/report/{attempt_id}").status_code == 403
    assert teacher.get(f"/app/assessment/report/{attempt_id}").status_code == 200
    assert chloe.get("/app/assessment/settings").status_code == 403
    assert chloe.post("/app/assessment/settings", {"csrf_token": "x"}).status_code in (400, 403)
