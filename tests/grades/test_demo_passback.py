"""A learner's grade reaches the demo LMS gradebook through AGS, over real HTTP."""

from __future__ import annotations

import requests
from flask import Flask

from lti_tool.demo.gradebook_models import DemoLineItem, DemoScore
from lti_tool.extensions import db
from tests.grades.conftest import grades, launch_id_of, settle, submit
from tests.support.lms import LEARNERS, DemoLms


def _scores(app: Flask) -> list[DemoScore]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(DemoScore).order_by(DemoScore.id)))
        db.session.remove()
        return rows


def test_grade_reaches_the_column_the_placement_made(fast_app: Flask) -> None:
    lms = DemoLms(fast_app.config["BASE_URL"], fast_app.config["DEMO_URL"])
    activity = lms.place_assessment(10)
    with fast_app.app_context():
        [item] = db.session.scalars(db.select(DemoLineItem)).all()
        assert (item.resource_link_id, item.activity_id, item.tag, item.score_maximum) == (
            f"demo-link-{activity}",
            activity,
            "p3-workshop",
            10.0,
        )
    _, page = lms.launch(LEARNERS[0], activity)
    submit(fast_app, launch_id_of(fast_app, page), 7.5)
    settle(fast_app)
    [grade] = grades(fast_app)
    assert (grade.status, grade.delivered_version, grade.plugin) == ("delivered", 1, "lti_ags")
    [score] = _scores(fast_app)
    assert (score.user_id, score.score_given, score.score_maximum) == ("201", 7.5, 10.0)
    # The launch carries the line item itself (with Moodle's ?type_id= query).
    _, page = lms.launch(LEARNERS[1], activity)
    submit(fast_app, launch_id_of(fast_app, page), 4)
    settle(fast_app)
    assert [s.user_id for s in _scores(fast_app)] == ["201", "202"]
    book = requests.get(fast_app.config["DEMO_URL"] + "/demo/gradebook", params={"as": "101"}, timeout=5)
    assert "7.5" in book.text and "Chloe Singh" in book.text
    with fast_app.app_context():
        assert len(db.session.scalars(db.select(DemoLineItem)).all()) == 1  # the tool made none


def test_same_grade_twice_is_one_delivery_and_new_grade_supersedes(fast_app: Flask) -> None:
    lms = DemoLms(fast_app.config["BASE_URL"], fast_app.config["DEMO_URL"])
    _, page = lms.launch(LEARNERS[0], lms.place_assessment(10))
    launch_id = launch_id_of(fast_app, page)
    submit(fast_app, launch_id, 5, source_ref="attempt:1")
    settle(fast_app)
    submit(fast_app, launch_id, 5, source_ref="attempt:1")  # the same grade again
    settle(fast_app)
    assert [s.score_given for s in _scores(fast_app)] == [5]
    submit(fast_app, launch_id, 9, source_ref="attempt:2")
    settle(fast_app)
    assert [s.score_given for s in _scores(fast_app)] == [5, 9]
    [grade] = grades(fast_app)
    assert (grade.version, grade.delivered_version, grade.status) == (2, 2, "delivered")
