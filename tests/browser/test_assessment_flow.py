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
    frame.locator("#save-status").filter(has_text="Every answer on this page is saved.").wait_for()


def serious(page: Any) -> list[str]:
    return [f"{v['id']}: {v['help']}" for v in run_axe(page, page.frame(name="tool-frame"))]


def check_report_first_screen(page: Any, frame: Any) -> None:
    """At 1280 px, the four asks are answered in the frame's first screen, without scrolling."""
    page.set_viewport_size({"width": 1280, "height": 800})  # the demo's iframe: 80% of it
    tool = page.frame(name="tool-frame")
    height = tool.evaluate("window.innerHeight")
    assert tool.evaluate("window.scrollY") == 0
    titles = []
    top = tool.frame_element().bounding_box()["y"]
    for ask in ("ask-profile", "ask-priorities", "ask-mechanisms", "ask-discuss"):
        box = frame.locator(f"#{ask}").bounding_box()
        assert box["y"] - top + box["height"] <= height, f"{ask} ends below the first screen"
        titles.append(frame.locator(f"#{ask} h3").inner_text())
    assert [t.split(maxsplit=1)[1] for t in titles] == [
        "Your partnership's profile",
        "Areas needing attention, by priority",
        "Mechanisms that might be applied",
        "To discuss: attention needed, no obvious mechanism",
    ]
    assert frame.locator("#ask-discuss li").count() >= 1  # Ben rated trust all 1s: motives
    assert serious(page) == []
    frame.get_by_role("button", name="Open all details").click()
    assert (
        frame.locator("svg.radar-wide").is_visible() and not frame.locator("svg.radar-compact").is_visible()
    )
    assert serious(page) == []


def check_report_prints_whole(page: Any) -> None:
    """Printing opens every collapsed section (and closes them again after); paper gets no
    navigation, no buttons and only the wide radar."""
    tool = page.frame(name="tool-frame")
    tool.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
    tool.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert tool.evaluate("[...document.querySelectorAll('details')].every(d => d.open)")
    page.emulate_media(media="print")
    hidden = "sel => getComputedStyle(document.querySelector(sel)).display === 'none'"
    for selector in (".site-header nav", ".report-actions", ".radar-compact-box"):
        assert tool.evaluate(hidden, selector), selector
    assert not tool.evaluate(hidden, ".radar-wide-box")
    page.emulate_media(media="screen")
    tool.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert not tool.evaluate("[...document.querySelectorAll('details')].some(d => d.open)")


def check_report_at_320px(page: Any) -> None:
    """In a 320 px iframe: no sideways page, the radar's labels and the cards readable."""
    page.set_viewport_size({"width": 352, "height": 800})
    tool = page.frame(name="tool-frame")
    tool.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert tool.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    radar = tool.locator("svg.radar-compact")
    assert radar.is_visible() and not tool.locator("svg.radar-wide").is_visible()
    label_heights = radar.locator(".radar-labels text").evaluate_all(
        "texts => texts.map(t => t.getBoundingClientRect().height)"
    )
    assert len(label_heights) == 12 and min(label_heights) >= 12, label_heights  # px on screen
    cell = tool.locator("#scores td[data-label='Mean']").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "inline-block"  # a card, not a table
    assert serious(page) == []


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
    frame.get_by_role("heading", level=1, name="Report: Harbour renewal P3").wait_for()
    assert frame.locator("#scoring-model").inner_text() == "Strength, borderline, concern"
    first_priority = frame.locator(".summary-priority strong").first.inner_text()
    check_report_first_screen(page, frame)
    check_report_prints_whole(page)
    check_report_at_320px(page)
    page.set_viewport_size({"width": 1280, "height": 720})

    frame = open_assessment(app, page, "Ada Okafor")
    frame.get_by_role("link", name="Change the settings").click()
    frame.get_by_role("heading", level=1, name="Self-assessment settings").wait_for()
    assert serious(page) == []
    frame.get_by_role("radio", name="Importance and performance").check()
    frame.get_by_label("Learners who must have submitted before the discussion view shows anything").fill("1")
    frame.get_by_role("button", name="Save settings").click()
    frame.get_by_role("status").filter(has_text="Settings saved.").wait_for()
    assert serious(page) == []  # the instructor's class view
    assert "1 submitted" in frame.locator("#class-counts").inner_text()
    frame.get_by_role("link", name="Discussion view", exact=True).click()
    frame.get_by_role("heading", level=1, name="Our partnerships, by area").wait_for()
    assert frame.locator("#area-stats svg.strip").count() == 12
    assert serious(page) == []
    page.set_viewport_size({"width": 352, "height": 800})
    tool = page.frame(name="tool-frame")
    assert tool.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.set_viewport_size({"width": 1280, "height": 720})
    frame.get_by_role("link", name="Your class", exact=True).click()
    frame.get_by_role("link", name="Report of Ben Tremblay, attempt 1").click()
    assert frame.locator("#scoring-model").inner_text() == "Importance and performance"
    # Area 3 (all 1s, importance 1) led; now an area rated 2 but more important leads.
    assert frame.locator(".summary-priority strong").first.inner_text() != first_priority
    frame.get_by_text("Profile in detail").click()  # the importance-performance chart is there
    assert frame.locator("svg.ipa[role=img]").is_visible()
    assert serious(page) == []

    page.get_by_role("link", name="← Back to the course").click()
    page.get_by_role("link", name="Gradebook").click()
    page.locator("#demo-gradebook tr[data-user='201']").filter(has_text="100").wait_for()
