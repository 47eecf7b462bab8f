"""One graded activity, one gradebook column, the LMS's points (issue 12), in the demo LMS over
real HTTP: the assessment placed with 50 points is graded on 50 and says "out of 50" on every
page; walking every other item creates no line item and no score; the points the teacher changes
in the LMS are followed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from flask import Flask

from lti_tool.demo.gradebook_models import DemoLineItem, DemoScore
from lti_tool.extensions import db
from lti_tool.services import grades as grade_service
from tests.assessment_app.conftest import HttpTaker as Taker
from tests.grades.conftest import FAST, grades, settle
from tests.support.lms import INSTRUCTOR, LEARNERS, DemoLms
from tests.support.waiting import wait_for

WORKSHOP = "p3-art-of-the-possible"
OTHER_ITEMS = [WORKSHOP] + [f"{WORKSHOP}/session-{n}" for n in range(1, 7)]


def demo_gradebook(
    app: Flask,
) -> tuple[list[tuple[float, str]], list[tuple[str, float | None, float | None]]]:
    with app.app_context():
        items = [(i.score_maximum, i.label) for i in db.session.scalars(db.select(DemoLineItem))]
        scores = [
            (s.user_id, s.score_given, s.score_maximum)
            for s in db.session.scalars(db.select(DemoScore).order_by(DemoScore.id))
        ]
        db.session.remove()
    return items, scores


def says_out_of(page: requests.Response, points: str) -> bool:
    return (
        page.status_code == 200 and f'data-points="{points}"' in page.text and f"out of {points}" in page.text
    )


def test_placed_with_50_points_graded_on_50_and_every_page_says_so(make_app: Any) -> None:
    app = make_app(**FAST)
    lms = DemoLms(app.config["BASE_URL"], app.config["DEMO_URL"])
    activity = lms.place_assessment(50, title="Partnership assignment")
    assert demo_gradebook(app) == ([(50.0, "Partnership assignment")], [])

    ben = Taker(lms, LEARNERS[0], activity)
    assert says_out_of(ben.page, "50")  # the first page, before anything is read from the LMS
    ben.answer_all()
    learner_pages = ["/app/assessment/", "/app/assessment/take", "/app/assessment/review"]
    for path in learner_pages:
        assert says_out_of(ben.get(path), "50"), path
    done = ben.post("/app/assessment/submit", allow_redirects=False)
    assert done.status_code == 303
    settle(app)
    report = done.headers["Location"].replace(ben.base, "").split("?")[0]
    for path in [report, "/app/grades/mine", "/app/assessment/"]:
        assert says_out_of(ben.get(path), "50"), path
    assert "50 / 50" in ben.get("/app/grades/mine").text

    teacher = Taker(lms, INSTRUCTOR, activity)
    for path in ["/app/assessment/", "/app/assessment/settings", "/app/grades/", report]:
        assert says_out_of(teacher.get(path), "50"), path
    assert "Grade (out of 50)" in teacher.get("/app/grades/").text

    # Completion grading: the full 50, on the column's 50 points. One column, one score.
    assert demo_gradebook(app) == ([(50.0, "Partnership assignment")], [("201", 50.0, 50.0)])


def test_walking_every_other_item_creates_no_line_item_and_no_score(make_app: Any) -> None:
    app = make_app(**FAST)
    lms = DemoLms(app.config["BASE_URL"], app.config["DEMO_URL"])
    activity = lms.place_assessment(50, title="Partnership assignment")
    assert lms.add_content(OTHER_ITEMS).status_code == 200
    others = {t: a for t, a in lms.activities().items() if a != activity}
    assert len(others) == 1 + len(OTHER_ITEMS)  # the demo's own link, the workshop, six sessions
    Taker(lms, LEARNERS[1], activity)  # the assessment was opened once: the tool knows where it is

    for title, other in others.items():
        chloe = Taker(lms, LEARNERS[1], other)
        assert chloe.page.status_code == 200, title
        assert "data-points" not in chloe.page.text  # nothing is graded here
        assignment = chloe.get(f"/app/w/{WORKSHOP}/assignment")
        assert "“Partnership assignment”" in assignment.text and "graded out of 50 points" in assignment.text
        assert "Open the partnership self-assessment" not in assignment.text  # no way to start it here
        elsewhere = chloe.get("/app/assessment/")
        assert elsewhere.status_code == 200 and "“Partnership assignment”" in elsewhere.text
        assert 'id="begin-form"' not in elsewhere.text
        refused = chloe.post("/app/assessment/begin", {"partnership": "Transit P3"})
        assert refused.status_code == 403 and "Partnership assignment" in refused.text
        assert chloe.answer("need-1", "3").status_code == 403
        assert chloe.post("/app/assessment/submit").status_code == 403
    settle(app)
    assert grades(app) == []
    # The platform received no line item and no score: only the placement's own column.
    assert demo_gradebook(app) == ([(50.0, "Partnership assignment")], [])


def test_points_changed_in_the_lms_are_followed(make_app: Any, clock: Any) -> None:
    app = make_app(GRADES_DELIVER_IN_PROCESS=False, **FAST)
    clock.install(app)
    lms = DemoLms(app.config["BASE_URL"], app.config["DEMO_URL"])
    activity = lms.place_assessment(50, title="Partnership assignment")
    ben = Taker(lms, LEARNERS[0], activity)
    ben.answer_all()
    assert ben.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    [grade] = grades(app)
    assert (grade.score_given, grade.score_maximum, grade.status) == (50.0, 50.0, "pending")

    # The teacher gives the column 20 points in the LMS before the grade is delivered.
    changed = requests.post(
        app.config["DEMO_URL"] + "/demo/gradebook/points",
        data={"as": INSTRUCTOR, "item": "1", "points": "20"},
        timeout=10,
    )
    assert changed.status_code == 200
    with ThreadPoolExecutor(2) as pool:
        grade_service.work_batch(app, pool)
    # Sent on the column's new points, and shown as the LMS now holds it.
    assert demo_gradebook(app)[1] == [("201", 20.0, 20.0)]
    [grade] = grades(app)
    assert (grade.score_given, grade.score_maximum, grade.status) == (20.0, 20.0, "delivered")
    assert says_out_of(ben.get("/app/grades/mine"), "20") and "20 / 20" in ben.get("/app/grades/mine").text

    requests.post(
        app.config["DEMO_URL"] + "/demo/gradebook/points",
        data={"as": INSTRUCTOR, "item": "1", "points": "40"},
        timeout=10,
    )
    # An instructor's launch always reads the points again; a learner's once they are old.
    assert says_out_of(Taker(lms, LEARNERS[1], activity).page, "20")
    assert says_out_of(Taker(lms, INSTRUCTOR, activity).page, "40")
    requests.post(
        app.config["DEMO_URL"] + "/demo/gradebook/points",
        data={"as": INSTRUCTOR, "item": "1", "points": "30"},
        timeout=10,
    )
    clock.advance(app.config["GRADES_SCALE_REFRESH_SECONDS"] + 1)
    # A learner's launch does not wait for the LMS: its page shows the points known, and they
    # are read once it is sent (tests/grades/test_points_after_page.py).
    chloe = Taker(lms, LEARNERS[2], activity)
    assert says_out_of(chloe.page, "40")
    wait_for(lambda: says_out_of(chloe.get("/app/assessment/"), "30"), 10, "the points read after the page")
