"""Moodle's clock a little behind the tool's. Moodle checks the JWTs a tool signs with php-jwt 6
and its default leeway of 0 (mod/lti/token.php and contentitem_return.php, through
lti_verify_jwt_signature): a JWT whose ``iat`` (without ``nbf``) is later than Moodle's time(),
in whole seconds, is refused, "Cannot handle token with iat prior to ...". A tool that dates its
JWTs with its own "now" is refused whenever its clock is ahead by more than the request takes
to arrive: every access token (no grade, no roster) and every Deep Linking answer (decision 0041).
"""

from __future__ import annotations

from flask import Flask

from tests.grades.conftest import grades, settle, submit
from tests.grades.test_moodle_points import place
from tests.grades.test_moodle_scores import SAM, held
from tests.grades.test_moodle_services import learner_launch
from tests.grades.test_moodle_services import moodle as moodle  # noqa: F401 - the fixture
from tests.support.lms import ASSESSMENT
from tests.support.moodle_platform import MoodlePlatform

BEHIND = -2  # Moodle's clock, from the tool's: NTP-synchronised servers differ by far less


def test_a_grade_reaches_moodle_whose_clock_is_behind(fast_app: Flask, moodle: MoodlePlatform) -> None:  # noqa: F811
    moodle.clock_ahead = BEHIND
    submit(fast_app, learner_launch(moodle, fast_app), 6, maximum=10)
    settle(fast_app)
    [row] = grades(fast_app)
    assert (row.status, row.last_status) == ("delivered", None), (row.last_status, row.last_error)
    assert held(moodle) == 60
    assert [s["userId"] for _, s in moodle.scores] == [SAM]


def test_the_teacher_places_content_in_moodle_whose_clock_is_behind(
    fast_app: Flask,
    moodle: MoodlePlatform,  # noqa: F811
) -> None:
    moodle.clock_ahead = BEHIND
    place(moodle, [ASSESSMENT], **{f"points:{ASSESSMENT}": "50"})  # Moodle answers 200
    [activity] = moodle.placed_activities.values()
    assert activity["custom"]["p3_item"] == ASSESSMENT
