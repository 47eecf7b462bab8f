"""A grade and the roster against the observed Moodle 4.5: its line item URL (with
``?type_id=``), its token endpoint, and its NRPS members as it sent them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from lti_tool.extensions import db
from lti_tool.lti import claims as C
from lti_tool.lti.ags import SCORE_TYPE
from lti_tool.lti.nrps import Member
from lti_tool.models import Launch
from lti_tool.services import grades as grade_service
from tests.grades.conftest import grades, launch_id_of, register, settle, submit
from tests.support.moodle_platform import OBSERVED, MoodlePlatform


@pytest.fixture
def moodle(fast_app: Flask) -> Iterator[MoodlePlatform]:
    platform = MoodlePlatform(fast_app.config["BASE_URL"])
    register(fast_app, platform)
    yield platform
    platform.stop()


def learner_launch(moodle: MoodlePlatform, app: Flask, **changes: Any) -> str:
    browser, launched = moodle.open_activity("student_resource_link_claims", **changes)
    assert launched.status_code == 200, launched.text[:500]  # the page itself (decision 0026)
    page = launched
    return launch_id_of(app, page)


def test_grade_goes_to_the_observed_line_item_with_its_type_id(
    fast_app: Flask, moodle: MoodlePlatform
) -> None:
    submit(fast_app, learner_launch(moodle, fast_app), 7, maximum=10)
    settle(fast_app)
    [grade] = grades(fast_app)
    assert grade.status == "delivered", grade.last_error
    [score] = [r for r in moodle.service_requests if r["method"] == "POST"]
    assert score["path"] == "/mod/lti/services.php/2/lineitems/2/lineitem/scores"
    assert score["query"] == "type_id=1"
    assert score["content_type"] == SCORE_TYPE
    assert (score["body"]["userId"], score["body"]["scoreGiven"], score["body"]["scoreMaximum"]) == (
        "4",
        70,
        100,
    )  # 7 out of 10, sent on the line item's 100 points


def test_without_lineitem_the_observed_line_item_is_found_in_lineitems(
    fast_app: Flask, moodle: MoodlePlatform
) -> None:
    ags = moodle.rewrite(OBSERVED["student_resource_link_claims"][C.AGS])
    del ags["lineitem"]  # as in the teacher's launch: only the container
    submit(fast_app, learner_launch(moodle, fast_app, **{C.AGS: ags}), 9, maximum=10)
    settle(fast_app)
    [grade] = grades(fast_app)
    assert grade.status == "delivered", grade.last_error
    lookup, read, score = moodle.service_requests
    assert (lookup["method"], lookup["path"]) == ("GET", "/mod/lti/services.php/2/lineitems")
    assert lookup["query"] == "type_id=1&resource_link_id=1"
    # Its points are read before the score is sent on them (the observed item is out of 100).
    assert (read["method"], read["path"], read["query"]) == (
        "GET",
        "/mod/lti/services.php/2/lineitems/2/lineitem",
        "type_id=1",
    )
    assert (score["body"]["scoreGiven"], score["body"]["scoreMaximum"]) == (90, 100)
    assert (score["path"], score["query"]) == (
        "/mod/lti/services.php/2/lineitems/2/lineitem/scores",
        "type_id=1",
    )


def test_observed_members_are_read_from_moodles_roster(fast_app: Flask, moodle: MoodlePlatform) -> None:
    launch_id = learner_launch(moodle, fast_app)
    with fast_app.test_request_context():
        members, problem = grade_service.roster(db.session.get(Launch, launch_id))
    assert problem == ""
    assert members == [
        Member("4", "Sam Student", "student1@example.com", ("Learner",), "Active"),
        Member("3", "Terry Teacher", "teacher1@example.com", ("Instructor",), "Active"),
    ]
    assert [m.is_learner for m in members] == [True, False]
    [request] = moodle.service_requests
    assert request["path"] == "/mod/lti/services.php/CourseSection/2/bindings/1/memberships"
