"""A learner's grade appears in the demo LMS gradebook (the assessment's submission is
stood in for by sending activity_graded in-process with the browser's own launch)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask

from lti_tool.lti.session import read_token
from lti_tool.services import grades as grade_service
from tests.browser.demo_course import ASSESSMENT_TITLE, open_activity, place_items, tool_at
from tests.grades.conftest import FAST, submit


def test_grade_submitted_in_demo_course_appears_in_demo_gradebook(make_app: Any, page: Any) -> None:
    app: Flask = make_app(**FAST)
    place_items(app, page, ASSESSMENT_TITLE)  # the graded item: the demo LMS makes its column
    frame = open_activity(app, page, "Ben Tremblay", ASSESSMENT_TITLE)
    frame.get_by_role("heading", level=1, name="Partnership self-assessment").wait_for()
    tool_at(page, "**/app/**")  # session.js (deferred) puts the page's address in place of /lti/launch
    tool_url = next(f.url for f in page.frames if "/app/" in f.url)
    with app.test_request_context():
        launch_id = read_token(parse_qs(urlsplit(tool_url).query)["lt"][0]).id
    submit(app, launch_id, 8.5, comment="Partnership self-assessment completed")
    assert grade_service.pump(app).wait_idle(60)

    tool = page.frame(name="tool-frame")
    token = parse_qs(urlsplit(tool.url).query)["lt"][0]
    tool.goto(app.config["BASE_URL"] + "/app/grades/mine?lt=" + token)
    assert frame.get_by_test_id("grade-status").get_attribute("data-status") == "delivered"
    page.get_by_role("link", name="Back to the course").click()
    page.get_by_role("link", name="Gradebook").click()
    row = page.locator("#demo-gradebook tr[data-user='201']")
    assert "85" in row.inner_text()  # 8.5 out of 10, on the column's 100 points
    assert "Partnership self-assessment completed" in row.inner_text()
