"""In Chromium with third-party cookies blocked, the LMS on localhost and the tool on
127.0.0.1 (two sites): launches work in the iframe, with and without platform storage."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import LaunchFailure
from tests.browser.demo_course import WORKSHOP_TITLE as TITLE
from tests.browser.demo_course import open_activity


def open_workshop(page: Any, app: Flask, storage: bool) -> Any:
    frame = open_activity(app, page, "Ben Tremblay")
    if not storage:
        page.get_by_role("link", name="turn off").click()
        page.wait_for_url(lambda url: "storage=0" in url)  # the page left says "on", and has a tool frame too
        assert page.locator("#storage-mode").inner_text() == "off"
    return frame


@pytest.mark.parametrize("storage", [True, False], ids=["platform-storage", "no-storage"])
def test_launch_and_session_survive_without_third_party_cookies(
    app: Flask, blocked_page: Any, storage: bool
) -> None:
    frame = open_workshop(blocked_page, app, storage)
    frame.get_by_role("heading", level=1, name=TITLE).wait_for()
    # Several pages, then a real form post (the no-JavaScript save), then back again.
    nav = frame.get_by_role("navigation", name="Workshop")
    nav.get_by_role("link", name="Session 1", exact=True).click()
    frame.get_by_role("heading", level=1).filter(has_text="Session 1:").wait_for()
    nav.get_by_role("link", name="Bibliography", exact=True).click()
    frame.get_by_role("heading", level=1, name="Bibliography").wait_for()
    nav.get_by_role("link", name="Session 4", exact=True).click()
    box = frame.get_by_role("textbox", name="Notes on this session (optional)")
    box.fill("Capacity needs patience.")
    frame.get_by_role("button", name="Save reflection").click()
    # Saved (by the page's script, or by the plain post and its redirect) before moving on:
    # leaving the page earlier would cancel the save.
    frame.get_by_role("status").filter(has_text="Your reflection is saved.").wait_for()
    frame.get_by_role("heading", level=1).filter(has_text="Session 4:").wait_for()
    nav.get_by_role("link", name="Assignment", exact=True).click()
    frame.get_by_role("heading", level=1).filter(has_text="Assignment:").wait_for()
    nav.get_by_role("link", name="Session 4", exact=True).click()
    assert frame.get_by_role("textbox", name="Notes on this session (optional)").input_value() == (
        "Capacity needs patience."
    )
    # The tool sees no cookie at all: its session rides on the launch token.
    tool_frame = next(f for f in blocked_page.frames if f.url.startswith(app.config["BASE_URL"]))
    assert blocked_page.context.cookies(app.config["BASE_URL"]) == []
    who = tool_frame.evaluate("async () => (await fetch('/app/session-check' + location.search)).json()")
    assert who == {"user": "201", "role": "learner", "context": "course-101"}
    with app.app_context():
        assert db.session.scalars(select(LaunchFailure)).all() == []
