"""A person opens the activity in the demo LMS; the tool appears inside its iframe."""

from __future__ import annotations

from typing import Any

from flask import Flask


def test_learner_launches_inside_the_demo_course_iframe(app: Flask, page: Any) -> None:
    page.goto(app.config["DEMO_URL"] + "/demo/")
    page.get_by_role("link", name="Ben Tremblay").click()
    page.get_by_role("link", name="P3 Workshop", exact=True).click()
    frame = page.frame_locator("iframe[name=tool-frame]")
    frame.get_by_role("heading", level=1,
                      name="Private-Public Partnerships: The Art of the Possible").wait_for()
    assert "Ben Tremblay" in frame.locator(".signed-in").inner_text()
    assert frame.get_by_test_id("role").inner_text() == "a learner"


def test_instructor_launches_inside_the_demo_course_iframe(app: Flask, page: Any) -> None:
    page.goto(app.config["DEMO_URL"] + "/demo/")
    page.get_by_role("link", name="Ada Okafor").click()
    page.get_by_role("link", name="P3 Workshop", exact=True).click()
    frame = page.frame_locator("iframe[name=tool-frame]")
    assert frame.get_by_test_id("role").inner_text() == "an instructor"
