"""The self-assessment as people use it: a learner starts, leaves halfway, comes back,
finishes, submits and reads the report; the teacher switches the scoring model and the
report follows; the grade reaches the demo gradebook; axe checks the pages."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.conftest import run_axe
from tests.browser.demo_course import ASSESSMENT_TITLE, open_activity, place_items


def open_assessment(app: Flask, page: Any, person: str) -> Any:
    frame = open_activity(app, page, person, ASSESSMENT_TITLE)
    frame.get_by_role("heading", level=1).first.wait_for()
    return frame


def answer_page(frame: Any, choice: int) -> None:
    """Pick the same point on every question of the current area (autosaved on change)."""
    groups = frame.locator("fieldset.rating")
    for i in range(groups.count()):
        groups.nth(i).get_by_role("radio").nth(choice).check()
    frame.locator("#save-status").filter(has_text="Saved.").wait_for()


def serious(page: Any) -> list[str]:
    return [f"{v['id']}: {v['help']}" for v in run_axe(page, page.frame(name="tool-frame"))]


def test_learner_takes_leaves_resumes_submits_and_teacher_switches_model(app: Flask, page: Any) -> None:
    place_items(app, page, ASSESSMENT_TITLE)

    frame = open_assessment(app, page, "Ben Tremblay")
    frame.get_by_label("Which partnership will you assess?").fill("Harbour renewal P3")
    frame.get_by_role("button", name="Begin the self-assessment").click()
    frame.get_by_text("Area 1 of 12").wait_for()
    assert serious(page) == []
    for area in range(1, 5):  # four areas, then the learner leaves
        answer_page(frame, choice=0 if area == 3 else 3)
        frame.get_by_role("button", name="Save and continue").click()
        frame.get_by_text(f"Area {area + 1} of 12").wait_for()
    page.get_by_role("link", name="← Back to the course").click()

    frame = open_assessment(app, page, "Ben Tremblay")  # a new launch
    frame.get_by_role("link", name="Continue where you left off").click()
    frame.get_by_text("Area 5 of 12").wait_for()
    for area in range(5, 13):
        frame.get_by_text(f"Area {area} of 12").wait_for()
        answer_page(frame, choice=3 if area % 2 else 1)
        last = area == 12
        frame.get_by_role("button", name="Save and review" if last else "Save and continue").click()
    frame.get_by_role("button", name="Submit my self-assessment").click()
    frame.get_by_role("heading", level=1, name="Partnership self-assessment: report").wait_for()
    assert frame.locator("svg[role=img]").count() == 1
    assert frame.get_by_role("heading", name="Areas needing attention, in priority order").is_visible()
    assert frame.get_by_role("heading", name="Areas needing attention with no obvious mechanism").is_visible()
    assert frame.locator("#scoring-model").inner_text() == "Strength, borderline, concern"
    first_priority = frame.locator(".priority h3").first.inner_text()
    assert serious(page) == []
    page.set_viewport_size({"width": 352, "height": 800})  # the report in a 320px iframe
    tool = page.frame(name="tool-frame")
    assert (
        tool.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    )  # no sideways page
    page.set_viewport_size({"width": 1280, "height": 720})

    frame = open_assessment(app, page, "Ada Okafor")
    frame.get_by_role("link", name="Change the settings").click()
    frame.get_by_role("heading", level=1, name="Self-assessment settings").wait_for()
    assert serious(page) == []
    frame.get_by_role("radio", name="Importance and performance").check()
    frame.get_by_role("button", name="Save settings").click()
    frame.get_by_role("status").filter(has_text="Settings saved.").wait_for()
    assert serious(page) == []  # the instructor's overview
    frame.get_by_role("link", name="Report of Ben Tremblay, attempt 1").click()
    assert frame.locator("#scoring-model").inner_text() == "Importance and performance"
    # Area 3 (all 1s, importance 1) led; now an area rated 2 but more important leads.
    assert frame.locator(".priority h3").first.inner_text() != first_priority

    page.get_by_role("link", name="← Back to the course").click()
    page.get_by_role("link", name="Gradebook").click()
    page.locator("#demo-gradebook tr[data-user='201']").filter(has_text="100").wait_for()
