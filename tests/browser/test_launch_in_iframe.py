"""A person opens the activity in the demo LMS; the tool appears inside its iframe."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.demo_course import FRAME, WORKSHOP_TITLE, open_activity


def test_learner_launches_inside_the_demo_course_iframe(app: Flask, page: Any) -> None:
    frame = open_activity(app, page, "Ben Tremblay")
    frame.get_by_role("heading", level=1, name=WORKSHOP_TITLE).wait_for()
    assert "Ben Tremblay" in frame.locator(".signed-in").inner_text()
    assert frame.get_by_test_id("role").inner_text() == "a learner"


def test_instructor_launches_inside_the_demo_course_iframe(app: Flask, page: Any) -> None:
    frame = open_activity(app, page, "Ada Okafor")
    assert frame.get_by_test_id("role").inner_text() == "an instructor"


def test_the_launch_page_takes_its_own_address_so_reload_opens_it_again(app: Flask, page: Any) -> None:
    """The launch POST answers with the page (decision 0026); static/session.js puts the page's
    own address in place of /lti/launch, so a reload opens the page instead of posting the
    single-use launch again (which would be refused)."""
    frame = open_activity(app, page, "Ben Tremblay")
    frame.get_by_role("heading", level=1, name=WORKSHOP_TITLE).wait_for()
    tool = page.locator(FRAME).element_handle().content_frame()
    tool.wait_for_url("**/app/w/**")
    with tool.expect_navigation():
        tool.evaluate("location.reload()")
    frame.get_by_role("heading", level=1, name=WORKSHOP_TITLE).wait_for()
    assert "/app/w/" in tool.url and "already been used" not in tool.content()
