"""After a refused save the page opens on its error summary (the teacher's walk, 2026-12-02):
focus had stayed at the top of the page, so keyboard and screen-reader users started from the
navigation instead of from what to correct."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.demo_course import ASSESSMENT_TITLE, open_activity, place_items


def test_a_refused_settings_save_puts_the_focus_on_the_error_summary(app: Flask, page: Any) -> None:
    place_items(app, page, ASSESSMENT_TITLE)
    frame = open_activity(app, page, "Ada Okafor", ASSESSMENT_TITLE)
    frame.get_by_role("link", name="Change the settings").click()
    frame.get_by_role("heading", level=1, name="Self-assessment settings").wait_for()
    tool = page.frame(name="tool-frame")
    assert tool.evaluate("document.activeElement.id") != "settings-problems"  # no summary, no focus

    # A value the server refuses (the browser's own check set aside, as a browser without it would).
    frame.locator("#settings-form").evaluate("form => { form.noValidate = true; }")
    frame.get_by_label("Learners who must have submitted before the discussion view shows anything").fill("0")
    frame.get_by_role("button", name="Save settings").click()
    frame.get_by_role("alert").filter(has_text="Nothing was saved").wait_for()
    tool = page.frame(name="tool-frame")
    tool.wait_for_function("() => document.readyState === 'complete'")
    assert tool.evaluate("document.activeElement.id") == "settings-problems"
    # Tab goes on from the summary to its first link, the field to correct.
    page.keyboard.press("Tab")
    assert tool.evaluate("document.activeElement.getAttribute('href')") == "#discussion-minimum"
