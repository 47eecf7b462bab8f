"""What people click: a teacher places content by Deep Linking, learners open it and write
reflections; axe-core checks every page kind inside the LMS iframe."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.browser.conftest import run_axe
from tests.browser.demo_course import (
    ASSESSMENT_TITLE,
    FRAME,
    content_added,
    open_activity,
    open_course,
    place_items,
    tool_at,
)
from tests.browser.demo_course import WORKSHOP_TITLE as TITLE


def test_teacher_adds_a_session_and_the_assessment_and_a_learner_opens_them(app: Flask, page: Any) -> None:
    open_course(app, page, "Ada Okafor")
    page.get_by_role("link", name="Add content from P3 Workshop").click()
    frame = page.frame_locator(FRAME)
    frame.get_by_role("checkbox", name="Session 2: The Art of Governance", exact=True).check()
    frame.get_by_role("checkbox", name=ASSESSMENT_TITLE, exact=True).check()
    frame.get_by_role("spinbutton", name=f"Maximum points for {ASSESSMENT_TITLE}", exact=True).fill("30")
    frame.get_by_role("button", name="Add to the course").click()
    content_added(page)
    page.get_by_role("link", name="Back to the course").click()
    page.get_by_role("link", name=ASSESSMENT_TITLE).wait_for()

    frame = open_activity(app, page, "Ben Tremblay", "Session 2: The Art of Governance")
    frame.get_by_role("heading", level=1, name="Session 2: The Art of Governance").wait_for()
    frame = open_activity(app, page, "Ben Tremblay", ASSESSMENT_TITLE)
    frame.get_by_role("heading", level=1, name="Partnership self-assessment").wait_for()


def test_reflection_saves_as_you_type_and_survives_a_relaunch(app: Flask, page: Any) -> None:
    frame = open_activity(app, page, "Chloe Singh", "P3 Workshop")
    frame.get_by_role("navigation", name="Workshop").get_by_role("link", name="Session 3").click()
    box = frame.get_by_role("textbox", name="Notes on this session (optional)")
    box.click()
    box.press_sequentially("Cooperation is contingent on trust.", delay=10)
    frame.get_by_role("status").filter(has_text="Your reflection is saved.").wait_for()

    page.reload()  # the LMS page again: a brand-new launch
    frame = page.frame_locator(FRAME)
    frame.get_by_role("navigation", name="Workshop").get_by_role("link", name="Session 3").click()
    box = frame.get_by_role("textbox", name="Notes on this session (optional)")
    assert box.input_value() == "Cooperation is contingent on trust."


def _check(page: Any, found: dict[str, list[str]], kind: str) -> None:
    tool = page.frame(name="tool-frame")
    tool.wait_for_load_state()
    found[kind] = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in run_axe(page, tool)]


def test_axe_finds_no_serious_violation_on_any_page_kind(app: Flask, page: Any) -> None:
    found: dict[str, list[str]] = {}
    frame = open_activity(app, page, "Dev Lavoie", "P3 Workshop")
    frame.get_by_role("heading", level=1, name=TITLE).wait_for()
    _check(page, found, "overview")
    nav = frame.get_by_role("navigation", name="Workshop")
    for link, heading, kind in [
        ("Session 1", "Session 1:", "session"),
        ("Bibliography", "Bibliography", "bibliography"),
        ("Assignment", "Assignment:", "assignment"),
    ]:
        nav.get_by_role("link", name=link, exact=True).click()
        frame.get_by_role("heading", level=1).filter(has_text=heading).wait_for()
        _check(page, found, kind)
    # The assignment page starts nothing: the graded self-assessment is its own activity.
    assert frame.get_by_role("link", name="Open the partnership self-assessment").count() == 0
    place_items(app, page, ASSESSMENT_TITLE)
    frame = open_activity(app, page, "Dev Lavoie", ASSESSMENT_TITLE)
    frame.get_by_role("heading", level=1, name="Partnership self-assessment").wait_for()
    _check(page, found, "assessment start")

    tool = page.frame(name="tool-frame")
    tool.goto(re.sub(r"/app/[^?]*", "/app/w/nothing/", tool.url, count=1))
    frame.get_by_role("heading", name="Not found").wait_for()
    _check(page, found, "error page")

    open_course(app, page, "Ada Okafor")
    page.get_by_role("link", name="Add content from P3 Workshop").click()
    frame = page.frame_locator(FRAME)
    frame.get_by_role("button", name="Add to the course").click()  # nothing chosen: errors
    frame.get_by_role("alert").first.wait_for()
    _check(page, found, "picker with errors")

    assert found == {kind: [] for kind in found}, found
    assert len(found) == 7


def test_pages_fit_a_320px_iframe_and_show_keyboard_focus(app: Flask, page: Any) -> None:
    page.set_viewport_size({"width": 352, "height": 800})  # leaves a 320px iframe
    frame = open_activity(app, page, "Ben Tremblay", "P3 Workshop")
    frame.get_by_role("heading", level=1, name=TITLE).wait_for()
    tool = tool_at(page, "**/app/w/**")  # its address, not /lti/launch: session.js has run
    assert tool.evaluate("document.documentElement.clientWidth") <= 320
    for path in ["/", "/sessions/session-5", "/bibliography"]:
        tool.goto(
            tool.url.split("/app/w/")[0]
            + "/app/w/p3-art-of-the-possible"
            + path
            + "?"
            + tool.url.split("?", 1)[1]
        )
        overflow = tool.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    skip = tool.get_by_role("link", name="Skip to content")
    skip.focus()
    assert skip.bounding_box()["x"] >= 0  # shown when focused
    assert tool.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    skip.press("Enter")
    assert tool.evaluate("document.activeElement.id") == "main"
