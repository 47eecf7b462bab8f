"""The learner's walk (2026-12-03), what a person meets in the browser: a Francophone learner in
the demo LMS, its tool iframe 320 px wide, keyboard only. The wording findings are in
tests/pages/test_learner_walk.py."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.demo_course import ASSESSMENT_TITLE, FRAME, place_items

FOCUSED = "document.activeElement && (document.activeElement.id || document.activeElement.tagName)"


def _ben_in_french(app: Flask, page: Any, activity: str) -> tuple[Any, Any]:
    page.set_viewport_size({"width": 352, "height": 700})  # leaves a 320 px iframe
    page.goto(app.config["DEMO_URL"] + "/demo/")
    page.locator("a.person-fr").filter(has_text="Ben").click()
    page.get_by_role("link", name=activity, exact=True).click()
    frame = page.frame_locator(FRAME)
    frame.locator("h1").wait_for()
    tool = page.frame(name="tool-frame")
    assert tool.evaluate("document.documentElement.clientWidth") <= 320
    return frame, tool


def test_an_empty_partnership_name_is_refused_in_french_with_the_focus_on_the_field(
    app: Flask, page: Any
) -> None:
    """Enter on an empty name: Chromium's own bubble said "Please fill out this field." (the
    browser's language, not the page's) and nothing reached the tool. Now the tool's message
    says it, in French, and the focus is back in the field to type the name."""
    place_items(app, page, ASSESSMENT_TITLE)
    frame, tool = _ben_in_french(app, page, ASSESSMENT_TITLE)
    frame.locator("#partnership").focus()
    page.keyboard.press("Enter")
    frame.locator("#partnership-error").filter(
        has_text="Nommez le partenariat que vous évaluerez."
    ).wait_for()
    tool = page.frame(name="tool-frame")
    assert tool.evaluate(FOCUSED) == "partnership"
    page.keyboard.type("Le PPP du port")
    page.keyboard.press("Enter")
    frame.get_by_text("Domaine 1 sur 12").wait_for()


def test_a_save_the_server_could_not_answer_is_said_in_words_not_a_status_code(app: Flask, page: Any) -> None:
    """A proxy's 502 (no JSON) made the question say "Non enregistrée : 502 Votre choix…": a
    number a learner cannot act on. (reflection.js had the same line and got the same fix.)"""
    place_items(app, page, ASSESSMENT_TITLE)
    frame, tool = _ben_in_french(app, page, ASSESSMENT_TITLE)
    frame.locator("#partnership").fill("Le PPP du port")
    frame.locator("#begin").focus()
    page.keyboard.press("Enter")
    frame.get_by_text("Domaine 1 sur 12").wait_for()
    page.route("**/app/assessment/answer", lambda route: route.fulfill(status=502, body="Bad gateway"))
    frame.locator("fieldset.rating").first.get_by_role("radio").first.focus()
    page.keyboard.press("ArrowRight")  # keyboard: the arrow chooses the next point
    status = frame.locator("fieldset.rating").first.locator(".question-status")
    status.filter(has_text="Non enregistrée").wait_for()
    said = status.inner_text()
    assert "502" not in said and "l'outil n'a pas pu l'enregistrer pour le moment" in said, said
