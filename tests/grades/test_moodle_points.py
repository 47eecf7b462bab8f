"""Issue 12 against the Moodle 4.5 test platform (tests/support/moodle_platform.py): the teacher
places the assessment with 50 points through Deep Linking, Moodle makes a grade item of 50, the
learner is graded on 50 and every page says "out of 50"; the other items walked as a learner
make no grade item and no score; the teacher's new maximum grade is followed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from tests.assessment_app.conftest import HttpTaker as Taker
from tests.grades.conftest import grades, register, settle
from tests.support.lms import ASSESSMENT, DemoLms
from tests.support.moodle_platform import MoodlePlatform

STUDENT = "student_resource_link_claims"
TEACHER = "teacher_deep_linking_claims"
WORKSHOP = "p3-art-of-the-possible"
OTHER_ITEMS = [WORKSHOP] + [f"{WORKSHOP}/session-{n}" for n in range(1, 7)]


@pytest.fixture
def moodle(fast_app: Flask) -> Iterator[MoodlePlatform]:
    platform = MoodlePlatform(fast_app.config["BASE_URL"])
    register(fast_app, platform)
    yield platform
    platform.stop()


def enter(moodle: MoodlePlatform, name: str, **changes: Any) -> requests.Response:
    browser, launched = moodle.open_activity(name, **changes)
    assert launched.status_code == 200, launched.text[:500]  # the page itself (decision 0026)
    page = launched
    page.browser = browser  # type: ignore[attr-defined]
    return page


def place(moodle: MoodlePlatform, items: list[str], **fields: str) -> None:
    """The teacher's "Select content" in Moodle's activity form, then Save."""
    picker = enter(moodle, TEACHER)
    answer = DemoLms.pick(picker.browser, picker, items, **fields)  # type: ignore[attr-defined]
    assert answer.status_code == 200, answer.text[:500]
    placed = DemoLms.deliver(picker.browser, answer)  # type: ignore[attr-defined]
    assert placed.status_code == 200, placed.text


def learner(moodle: MoodlePlatform, app: Flask, link_id: str) -> Taker:
    page = enter(moodle, STUDENT, **moodle.activity_changes(link_id))
    return Taker.entered(app.config["BASE_URL"], page)


def teacher(moodle: MoodlePlatform, app: Flask, link_id: str) -> Taker:
    roles = {
        "https://purl.imsglobal.org/spec/lti/claim/roles": [
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
        ]
    }
    page = enter(moodle, STUDENT, **moodle.activity_changes(link_id), **roles, sub="3")
    return Taker.entered(app.config["BASE_URL"], page)


def says_out_of(page: requests.Response, points: str) -> bool:
    return (
        page.status_code == 200 and f'data-points="{points}"' in page.text and f"out of {points}" in page.text
    )


def test_assessment_placed_with_50_points_is_graded_on_50(fast_app: Flask, moodle: MoodlePlatform) -> None:
    place(moodle, [ASSESSMENT], **{f"points:{ASSESSMENT}": "50"})
    [(link_id, activity)] = moodle.placed_activities.items()
    [(item_id, line_item)] = moodle.graded_line_items().items()
    assert (activity["line_item"], line_item["scoreMaximum"]) == (item_id, 50)

    sam = learner(moodle, fast_app, link_id)
    sam.answer_all()
    for path in ["/app/assessment/", "/app/assessment/take", "/app/assessment/review"]:
        assert says_out_of(sam.get(path), "50"), path
    done = sam.post("/app/assessment/submit", allow_redirects=False)
    assert done.status_code == 303
    settle(fast_app)
    [grade] = grades(fast_app)
    assert grade.status == "delivered", grade.last_error
    [(scored_item, score)] = moodle.scores
    assert (scored_item, score["userId"], score["scoreGiven"], score["scoreMaximum"]) == (
        item_id,
        "4",
        50,
        50,
    )
    report = done.headers["Location"].replace(sam.base, "").split("?")[0]
    for path in [report, "/app/grades/mine"]:
        assert says_out_of(sam.get(path), "50"), path
    terry = teacher(moodle, fast_app, link_id)
    for path in ["/app/assessment/", "/app/assessment/settings", "/app/grades/"]:
        assert says_out_of(terry.get(path), "50"), path

    # The teacher sets the maximum grade to 40 in Moodle: the next instructor launch reads it.
    moodle.set_points(item_id, 40)
    assert says_out_of(teacher(moodle, fast_app, link_id).page, "40")


def test_other_items_walked_as_a_learner_make_no_grade_item_and_no_score(
    fast_app: Flask, moodle: MoodlePlatform
) -> None:
    place(moodle, [ASSESSMENT], **{f"points:{ASSESSMENT}": "50"})
    place(moodle, OTHER_ITEMS)
    assessment_link, *others = moodle.placed_activities
    assert len(others) == len(OTHER_ITEMS)
    learner(moodle, fast_app, assessment_link)  # opened once: the tool knows where it is
    before = dict(moodle.line_items)
    for link_id in others:
        sam = learner(moodle, fast_app, link_id)
        assert sam.page.status_code == 200 and "data-points" not in sam.page.text
        assert "Assignment: Partnership Self-Assessment" in sam.get(f"/app/w/{WORKSHOP}/assignment").text
        assert sam.post("/app/assessment/begin", {"partnership": "Transit"}).status_code == 403
        assert sam.post("/app/assessment/submit").status_code == 403
    settle(fast_app)
    assert grades(fast_app) == [] and moodle.scores == []
    assert moodle.line_items == before  # no line item was created
    posted = [r for r in moodle.service_requests if r["method"] == "POST"]
    assert posted == []
