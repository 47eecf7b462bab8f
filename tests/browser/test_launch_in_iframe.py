"""A person opens the activity in the demo LMS; the tool appears inside its iframe."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.demo_course import WORKSHOP_TITLE, open_activity


def test_learner_launches_inside_the_demo_course_iframe(app: Flask, page: Any) -> None:
    frame = open_activity(app, page, "Ben Tremblay")
    frame.get_by_role("heading", level=1, name=WORKSHOP_TITLE).wait_for()
    assert "Ben Tremblay" in frame.locator(".signed-in").inner_text()
    assert frame.get_by_test_id("role").inner_text() == "a learner"


def test_instructor_launches_inside_the_demo_course_iframe(app: Flask, page: Any) -> None:
    frame = open_activity(app, page, "Ada Okafor")
    assert frame.get_by_test_id("role").inner_text() == "an instructor"
