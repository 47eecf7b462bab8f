"""Grades and the roster against the Canvas test platform: the assignment made from the
placement's 50 points is graded on 50 (and on the new points once the teacher changes them),
"out of 50" everywhere; the other items make no score; the roster comes in pages of 50."""

from __future__ import annotations

import re
from typing import Any

import requests

from tests.assessment_app.conftest import HttpTaker
from tests.canvas.conftest import Canvas
from tests.grades.conftest import grades, launch_id_of, settle, submit
from tests.support.canvas_platform import Link, Person
from tests.support.lms import ASSESSMENT

WORKSHOP = "p3-art-of-the-possible"
OTHER_ITEMS = [WORKSHOP] + [f"{WORKSHOP}/session-{n}" for n in range(1, 7)]


def taker(canvas: Canvas, who: Person, link: Link) -> HttpTaker:
    return HttpTaker.entered(canvas.base_url, canvas.enter(who, link))


def says_out_of(page: requests.Response, points: str) -> bool:
    return (
        page.status_code == 200 and f'data-points="{points}"' in page.text and f"out of {points}" in page.text
    )


def test_the_assignment_is_graded_on_its_points_and_follows_them(canvas: Canvas) -> None:
    [assessment] = canvas.place([ASSESSMENT], **{f"points:{ASSESSMENT}": "50"})
    assert assessment.line_item is not None
    first = taker(canvas, canvas.lms.person("Learner", 0), assessment)
    first.answer_all()
    for path in ["/app/assessment/", "/app/assessment/take", "/app/assessment/review"]:
        assert says_out_of(first.get(path), "50"), path
    done = first.post("/app/assessment/submit", allow_redirects=False)
    assert done.status_code == 303
    settle(canvas.app)
    [(item, score)] = canvas.lms.scores
    assert (item, score["scoreGiven"], score["scoreMaximum"]) == (assessment.line_item, 50, 50)
    assert score["userId"] == canvas.lms.person("Learner", 0).lti_id
    assert canvas.lms.results[(item, score["userId"])]["score"] == 50.0
    report = done.headers["Location"].replace(first.base, "").split("?")[0]
    for path in [report, "/app/grades/mine"]:
        assert says_out_of(first.get(path), "50"), path
    teacher = taker(canvas, canvas.lms.person("Instructor"), assessment)
    for path in ["/app/assessment/", "/app/assessment/settings", "/app/grades/"]:
        assert says_out_of(teacher.get(path), "50"), path

    # The teacher makes the assignment worth 40: the next instructor launch and the next grade follow.
    canvas.lms.set_points(assessment.line_item, 40)
    assert says_out_of(canvas.enter(canvas.lms.person("Instructor"), assessment), "40")
    second = taker(canvas, canvas.lms.person("Learner", 1), assessment)
    second.answer_all()
    assert second.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    settle(canvas.app)
    assert [(s["scoreGiven"], s["scoreMaximum"]) for _, s in canvas.lms.scores] == [(50, 50), (40, 40)]
    assert canvas.lms.refused == []


def test_walking_the_other_items_makes_no_score_and_no_column(canvas: Canvas) -> None:
    [assessment] = canvas.place([ASSESSMENT], **{f"points:{ASSESSMENT}": "50"})
    others = canvas.place(OTHER_ITEMS)
    assert len(others) == len(OTHER_ITEMS) and all(link.line_item is None for link in others)
    canvas.enter(canvas.lms.person("Learner"), assessment)  # the tool now knows where it is
    columns = dict(canvas.lms.line_items)
    for link in [canvas.lms.course_navigation_link(canvas.client_id), *others]:
        learner = taker(canvas, canvas.lms.person("Learner"), link)
        assert learner.page.status_code == 200 and "data-points" not in learner.page.text
        assignment = learner.get(f"/app/w/{WORKSHOP}/assignment").text
        assert "“Assignment: Partnership Self-Assessment”" in assignment and "out of 50 points" in assignment
        assert learner.post("/app/assessment/begin", {"partnership": "Transit"}).status_code == 403
        assert learner.post("/app/assessment/submit").status_code == 403
    settle(canvas.app)
    assert grades(canvas.app) == [] and canvas.lms.scores == []
    assert canvas.lms.line_items == columns
    assert not [r for r in canvas.lms.service_requests if r["method"] == "POST"]


def test_a_teacher_s_score_which_canvas_would_refuse_is_not_sent(canvas: Canvas) -> None:
    """Canvas refuses a score for someone who is no student (422), as Moodle does (400): a
    teacher's own attempt is not sent, and leaves no refused grade (decision 0041)."""
    [assessment] = canvas.place([ASSESSMENT], **{f"points:{ASSESSMENT}": "10"})
    page = canvas.enter(canvas.lms.person("Instructor"), assessment)
    submit(canvas.app, launch_id_of(canvas.app, page), 5)  # a grade for someone who is no student
    settle(canvas.app)
    assert grades(canvas.app) == []
    book = taker(canvas, canvas.lms.person("Instructor"), assessment).get("/app/grades/").text
    assert "HTTP 422" not in book and "refused grade" not in book
    assert canvas.lms.scores == []
    assert not [r for r in canvas.lms.service_requests if r["method"] == "POST"]


def test_the_roster_is_read_in_canvas_pages_of_50(make_app: Any) -> None:
    from tests.grades.conftest import FAST

    canvas = Canvas(make_app(**FAST), students=120)
    try:
        [assessment] = canvas.place([ASSESSMENT], **{f"points:{ASSESSMENT}": "10"})
        teacher = taker(canvas, canvas.lms.person("Instructor"), assessment)
        book = teacher.get("/app/grades/").text
        assert "Student 001" in book and "Student 120" in book
        assert len(re.findall(r'<tr data-user="', book)) == 120  # the learners, not the teacher
        pages = [r for r in canvas.lms.service_requests if r["path"].endswith("/names_and_roles")]
        assert len(pages) == 3  # 121 members: 50, 50, 21, followed by their Link headers
        assert "page=2" in pages[1]["query"] and "page=3" in pages[2]["query"]
    finally:
        canvas.lms.stop()
