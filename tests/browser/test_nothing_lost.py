"""Nothing a person types is lost or silently changed (issue 18), in Chromium: two tabs on one
attempt, an over-long reflection, the back button after submitting. axe checks each state."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lti_tool.assessment.instrument import default_instrument
from tests.browser.conftest import run_axe
from tests.browser.demo_course import ASSESSMENT_TITLE, FRAME, open_activity, place_items

BEN = "Ben Tremblay"


def serious(page: Any) -> list[str]:
    return [f"{v['id']}: {v['help']}" for v in run_axe(page, page.frame(name="tool-frame"))]


def question(frame: Any, item: str) -> Any:
    return frame.locator(f"fieldset[data-item='{item}']")


def choose(frame: Any, item: str, value: str) -> None:
    """Choose an answer and wait until the question says it is saved."""
    q = question(frame, item)
    q.locator(f"input[type=radio][value='{value}']").check()
    q.locator(".question-status").filter(has_text="Saved.").wait_for()


def checked(frame: Any, item: str) -> str:
    return question(frame, item).locator("input:checked").get_attribute("value")


def open_assessment(app: Flask, page: Any) -> Any:
    frame = open_activity(app, page, BEN, ASSESSMENT_TITLE)
    frame.get_by_role("heading", level=1).first.wait_for()
    return frame


def test_two_tabs_on_one_attempt_lose_nothing(app: Flask, chromium: Any, page: Any) -> None:
    place_items(app, page, ASSESSMENT_TITLE)
    tab_a = open_assessment(app, page)
    tab_a.get_by_label("Which partnership will you assess?").fill("Harbour renewal P3")
    tab_a.get_by_role("button", name="Begin the self-assessment").click()
    tab_a.get_by_text("Area 1 of 12").wait_for()
    choose(tab_a, "need-1", "1")
    # The chosen option is marked by more than colour: a thick border and a tick.
    chosen = question(tab_a, "need-1").locator("label:has(input:checked)")
    assert chosen.evaluate("l => getComputedStyle(l).borderTopWidth") == "3px"
    assert chosen.evaluate("l => getComputedStyle(l, '::after').content").startswith('"✓"')

    other = chromium.new_context()  # tab B: another window, another launch of the same person
    try:
        page_b = other.new_page()
        page_b.set_default_timeout(60000)  # a wait, not a timing: as the conftest's pages
        tab_b = open_assessment(app, page_b)
        tab_b.get_by_role("link", name="Continue where you left off").click()
        tab_b.get_by_text("Area 1 of 12").wait_for()
        assert checked(tab_b, "need-1") == "1"
        choose(tab_b, "need-1", "3")

        # Tab A still shows 1. Its "Save and continue" does not send the untouched answer back.
        assert checked(tab_a, "need-1") == "1"
        choose(tab_a, "need-2", "4")
        tab_a.get_by_role("button", name="Save and continue").click()
        tab_a.get_by_text("Area 2 of 12").wait_for()
        tab_a.get_by_role("button", name="Previous area").click()
        tab_a.get_by_text("Area 1 of 12").wait_for()
        assert checked(tab_a, "need-1") == "3" and checked(tab_a, "need-2") == "4"

        # Tab B is stale now about need-2 (it shows nothing): changing it there is a conflict.
        question(tab_b, "need-2").locator("input[type=radio][value='2']").check()
        conflict = question(tab_b, "need-2").get_by_role("alert")
        conflict.wait_for()
        assert "Saved there: 4 · Mostly" in conflict.inner_text()
        assert "Your choice here: 2 · A little" in conflict.inner_text()
        assert "Nothing was overwritten" in conflict.inner_text()
        page_b.set_viewport_size({"width": 1280, "height": 900})
        assert serious(page_b) == []
        conflict.get_by_role("button", name="Keep the other: 4 · Mostly").click()
        assert checked(tab_b, "need-2") == "4"
        question(tab_b, "need-2").get_by_text("Kept the answer saved in the other tab").wait_for()
        choose(tab_b, "need-2", "5")  # a new choice after that is based on what tab B knows now

        # Tab A changes need-1 (now 3 elsewhere... it knows that: no conflict) and need-2 (stale).
        question(tab_a, "need-2").locator("input[type=radio][value='1']").check()
        question(tab_a, "need-2").get_by_role("alert").wait_for()
        question(tab_a, "need-2").get_by_role("button", name="Keep mine: 1 · Not at all").click()
        question(tab_a, "need-2").locator(".question-status").filter(has_text="Saved.").wait_for()
        assert tab_a.locator("#save-status").inner_text() == "Every answer on this page is saved."
        page_b.reload()  # the LMS page again: a new launch, on the start page
        tab_b = page_b.frame_locator(FRAME)
        tab_b.get_by_role("link", name="Continue where you left off").click()
        tab_b.get_by_text("Area 1 of 12").wait_for()
        assert checked(tab_b, "need-1") == "3" and checked(tab_b, "need-2") == "1"
    finally:
        other.close()


def test_the_answered_count_never_goes_back_when_saves_come_back_out_of_order(app: Flask, page: Any) -> None:
    """Two answers saved at once: the later save's answer (2 answered) comes back first, the
    earlier one's (1 answered) after it. The page keeps saying 2: answers are never taken away."""
    place_items(app, page, ASSESSMENT_TITLE)
    frame = open_assessment(app, page)
    frame.get_by_label("Which partnership will you assess?").fill("Harbour renewal P3")
    frame.get_by_role("button", name="Begin the self-assessment").click()
    frame.get_by_text("Area 1 of 12").wait_for()
    held: list[tuple[Any, Any]] = []

    def hold_the_first(route: Any) -> None:
        if held:
            route.continue_()
        else:  # saved at the server, its answer kept back
            held.append((route, route.fetch()))

    page.route("**/app/assessment/answer", hold_the_first)
    question(frame, "need-1").locator("input[type=radio][value='2']").check()
    while not held:  # the route's handler runs while Playwright waits
        page.wait_for_timeout(50)
    choose(frame, "need-2", "3")
    assert frame.locator("#answered-count").inner_text() == "2"
    route, response = held[0]
    route.fulfill(response=response)
    question(frame, "need-1").locator(".question-status").filter(has_text="Saved.").wait_for()
    assert frame.locator("#answered-count").inner_text() == "2"


def test_the_scale_is_one_line_where_it_fits_and_stacked_where_not(app: Flask, page: Any) -> None:
    place_items(app, page, ASSESSMENT_TITLE)
    frame = open_assessment(app, page)
    frame.get_by_label("Which partnership will you assess?").fill("Harbour renewal P3")
    frame.get_by_role("button", name="Begin the self-assessment").click()
    frame.get_by_text("Area 1 of 12").wait_for()
    tops = (
        "q => [...q.querySelectorAll('.choices label')].map(l => Math.round(l.getBoundingClientRect().top))"
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    assert len(set(question(frame, "need-1").evaluate(tops))) == 1  # six options, one line
    page.set_viewport_size({"width": 375, "height": 800})
    stacked = question(frame, "need-1").evaluate(tops)
    assert len(set(stacked)) == len(stacked) == 6  # one per line, never five and one
    choose(frame, "need-1", "2")  # the status is next to the question, announced politely
    status = question(frame, "need-1").locator(".question-status")
    assert status.get_attribute("role") == "status"
    assert serious(page) == []


def answer_everything(frame: Any) -> None:
    """Every answer through the page's own autosave endpoint (the clicks are tested above)."""
    instrument = default_instrument()
    items = [s.id for _, s in instrument.statements()] + ["importance:" + d.id for d in instrument.dimensions]
    frame.locator("#assessment-form").evaluate(
        """async (form, items) => {
          for (const item of items) {
            const answer = await fetch(form.dataset.answerUrl, {method: 'POST', credentials: 'same-origin',
              headers: {'Content-Type': 'application/json', 'Accept': 'application/json',
                        'X-Launch-Token': form.elements.lt.value,
                        'X-CSRF-Token': form.elements.csrf_token.value},
              body: JSON.stringify({item: item, value: '4'})});
            if (!answer.ok) { throw new Error(item + ': ' + answer.status); }
          }
        }""",
        items,
    )


def test_back_after_submit_and_a_stale_tab_lead_to_the_report(app: Flask, chromium: Any, page: Any) -> None:
    place_items(app, page, ASSESSMENT_TITLE)
    frame = open_assessment(app, page)
    frame.get_by_label("Which partnership will you assess?").fill("Harbour renewal P3")
    frame.get_by_role("button", name="Begin the self-assessment").click()
    frame.get_by_text("Area 1 of 12").wait_for()
    answer_everything(frame)
    other = chromium.new_context()  # a second tab, left open on the last area's questions
    try:
        page_b = other.new_page()
        page_b.set_default_timeout(60000)  # a wait, not a timing: as the conftest's pages
        stale = open_assessment(app, page_b)
        stale.get_by_role("link", name="Review and submit").wait_for()  # all answered: not "continue"

        frame.get_by_role("link", name="Self-assessment", exact=True).click()
        frame.get_by_role("link", name="Review and submit").click()
        frame.get_by_role("button", name="Submit my self-assessment").click()
        frame.get_by_role("heading", level=1, name="Report: Harbour renewal P3").wait_for()

        # The back button (the joint history: the iframe goes back, the LMS page stays): the
        # review page again, which says the attempt is submitted and where to go.
        page.evaluate("history.back()")
        frame = page.frame_locator(FRAME)
        frame.get_by_role("heading", level=1, name="Your self-assessment is already submitted").wait_for()
        assert frame.get_by_role("button", name="Submit my self-assessment").count() == 0
        assert serious(page) == []
        frame.get_by_role("link", name="Open your report").click()
        frame.get_by_role("heading", level=1, name="Report: Harbour renewal P3").wait_for()

        stale.get_by_role("link", name="Review and submit").click()
        stale.get_by_role("heading", level=1, name="Your self-assessment is already submitted").wait_for()
        stale.get_by_role("link", name="Open your report").click()
        stale.get_by_role("heading", level=1, name="Report: Harbour renewal P3").wait_for()
    finally:
        other.close()


def test_an_over_long_reflection_is_refused_and_nothing_saved_is_lost(app: Flask, page: Any) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" (unsaved text)
    frame = open_activity(app, page, "Chloe Singh", "P3 Workshop")
    frame.get_by_role("navigation", name="Workshop").get_by_role("link", name="Session 3").click()
    box = frame.get_by_role("textbox", name="Notes on this session (optional)")
    box.fill("My first thoughts.")
    frame.get_by_role("status").filter(has_text="Your reflection is saved.").wait_for()

    box.fill("x" * 30_000)  # a long paste: kept whole in the box, said too long, not sent
    count = frame.locator("#reflection-count")
    count.filter(has_text="30,000 characters: 10,000 over the limit of 20,000").wait_for()
    status = frame.locator("#reflection-status")
    status.filter(has_text="Not saved: your reflection is 10,000 characters over the limit").wait_for()
    box.fill("x" * 20_001)  # exactly one over: the singular
    count.filter(has_text="20,001 characters: 1 over the limit of 20,000").wait_for()
    status.filter(has_text="Not saved: your reflection is 1 character over the limit of 20,000.").wait_for()
    box.fill("x" * 30_000)
    status.filter(has_text="Not saved: your reflection is 10,000 characters over the limit").wait_for()
    assert len(box.input_value()) == 30_000
    assert serious(page) == []
    frame.get_by_role("button", name="Save reflection").click()
    assert "Not saved" in status.inner_text() and len(box.input_value()) == 30_000

    page.reload()  # a new launch: what was saved before is still there
    frame = page.frame_locator(FRAME)
    frame.get_by_role("navigation", name="Workshop").get_by_role("link", name="Session 3").click()
    box = frame.get_by_role("textbox", name="Notes on this session (optional)")
    assert box.input_value() == "My first thoughts."

    box.fill("y" * 19_000)  # near the limit: the counter warns, and it is saved
    frame.locator("#reflection-count").filter(has_text="19,000 of 20,000 characters: 1,000 left").wait_for()
    frame.get_by_role("status").filter(has_text="Your reflection is saved.").wait_for()
