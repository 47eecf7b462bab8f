"""The pages around the workshop: the administrator area (keyboard only, axe-checked) and the
grade pages that teachers and learners open inside the LMS iframe."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lti_tool.extensions import db
from lti_tool.models import Launch
from tests.browser.conftest import run_axe
from tests.browser.demo_course import ASSESSMENT_TITLE, FRAME, open_activity, place_items, tool_at
from tests.support.admin_password import cheap_hash
from tests.support.grades import REFUSED, launch_of, recorded_grade

PASSWORD = "correct horse battery staple"
ASSESSMENT = ASSESSMENT_TITLE  # a graded activity of the demo course


def serious(page: Any, frame: Any = None) -> list[str]:
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in run_axe(page, frame)]


def test_administrator_signs_in_and_adds_a_platform_with_the_keyboard(make_app: Any, page: Any) -> None:
    app: Flask = make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD))
    found: dict[str, list[str]] = {}
    page.goto(app.config["BASE_URL"] + "/admin/login")
    page.keyboard.press("Tab")  # the skip link first, then Administration and Documentation
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("not it")
    page.keyboard.press("Enter")
    page.get_by_role("alert").wait_for()
    found["sign-in with error"] = serious(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_role("heading", level=1, name="Administration").wait_for()
    found["dashboard"] = serious(page)
    page.get_by_role("link", name="Add a platform").click()
    page.get_by_label("Issuer").fill("https://moodle.example")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("alert").first.wait_for()
    page.wait_for_function("() => document.readyState === 'complete'")  # error-summary.js has taken the focus
    found["platform form with errors"] = serious(page)
    assert page.get_by_label("Client ID").get_attribute("aria-invalid") == "true"
    problems = page.locator("#form-problems")
    assert "Client ID: Required" in problems.inner_text()
    problems.get_by_role("link", name="Client ID: Required").click()  # the list leads to the field
    assert page.evaluate("document.activeElement.id") == "f-client_id"
    page.keyboard.type("abc")
    for label, url in [("OIDC", "auth"), ("OAuth2", "token"), ("Key set", "jwks")]:
        page.get_by_label(label).fill(f"https://moodle.example/{url}")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Platform #1 added.").wait_for()

    # Destructive actions: a page that says what will happen, then the button.
    page.get_by_role("link", name="Remove… platform #1").click()
    page.get_by_role("heading", level=1, name="Remove platform #1?").wait_for()
    assert "0 self-assessment attempts" in page.locator("#removal-summary").inner_text()
    found["remove a platform: confirmation"] = serious(page)
    page.get_by_role("link", name="Cancel: keep it").click()
    page.get_by_role("link", name="Rotate the signing key…").click()
    page.get_by_role("heading", level=1, name="Rotate the signing key?").wait_for()
    found["rotate the key: confirmation"] = serious(page)
    page.get_by_role("button", name="Rotate now").click()
    page.get_by_text("New signing key").wait_for()

    page.get_by_role("link", name="Documentation").click()
    page.get_by_role("heading", level=1, name="Documentation").wait_for()  # not the dashboard left
    found["documentation"] = serious(page)
    page.get_by_role("link", name="Grades").click()
    page.wait_for_url(lambda url: "/docs/" in url and not url.endswith("/docs/"))  # the index has an h1 too
    page.get_by_role("heading", level=1).first.wait_for()
    found["a documentation page"] = serious(page)
    assert found == {kind: [] for kind in found}, found


def test_gradebook_and_learner_grade_pages_in_the_iframe(app: Flask, page: Any) -> None:
    found: dict[str, list[str]] = {}
    place_items(app, page, ASSESSMENT)
    frame = open_activity(app, page, "Ben Tremblay", ASSESSMENT)
    frame.get_by_role("link", name="Your grade").click()
    frame.get_by_role("heading", level=1).filter(has_text="grade").wait_for()
    found["learner's grade"] = serious(page, page.frame(name="tool-frame"))
    frame = open_activity(app, page, "Ada Okafor", ASSESSMENT)
    frame.get_by_role("link", name="Gradebook").click()
    tool_at(page, "**/app/grades/**")  # the class view can have a table too
    frame.get_by_role("table").wait_for()
    assert frame.get_by_role("row").filter(has_text="Chloe Singh").count() == 1  # the roster
    found["gradebook"] = serious(page, page.frame(name="tool-frame"))
    page.set_viewport_size({"width": 352, "height": 800})  # in a 320px iframe
    assert (
        page.frame(name="tool-frame").evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        <= 0
    )
    page.set_viewport_size({"width": 1280, "height": 720})
    assert found == {kind: [] for kind in found}, found
    assert page.frame_locator(FRAME).get_by_role("link", name="Refresh the roster").count() == 1
    frame.get_by_role("link", name="Back to the activity").click()
    frame.get_by_role("heading", level=1, name="Partnership self-assessment: your class").wait_for()


def test_a_refused_grade_in_a_320px_gradebook_says_what_to_do(app: Flask, page: Any) -> None:
    """A refused grade's row (its "Send again" button, its next step) keeps the page from
    scrolling sideways in a 320px iframe; after "Send again" the old refusal is gone."""
    place_items(app, page, ASSESSMENT)
    open_activity(app, page, "Ben Tremblay", ASSESSMENT).get_by_role("heading", level=1).first.wait_for()
    recorded_grade(app, launch_of(app, "201"), score_given=100, score_maximum=100, **REFUSED)
    frame = open_activity(app, page, "Ada Okafor", ASSESSMENT)
    frame.get_by_role("link", name="Gradebook").click()
    ben = frame.locator("tr[data-user='201']")
    ben.filter(has_text="What to do: check in the LMS").wait_for()
    page.set_viewport_size({"width": 352, "height": 800})  # in a 320px iframe
    tool = page.frame(name="tool-frame")
    assert tool.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert serious(page, tool) == []
    ben.get_by_role("button", name="Send again for Ben Tremblay").click()
    frame.get_by_role("status").filter(has_text="The grade will be sent again now.").wait_for()
    assert "HTTP 422" not in ben.inner_text()
    assert tool.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    frame.get_by_role("link", name="See whether it has reached the LMS").click()
    tool_at(page, lambda url: "/app/grades/" in url and "resent=" not in url)  # not the page left
    frame.get_by_role("heading", level=1).filter(has_text="Gradebook").wait_for()
    assert frame.get_by_role("status").count() == 0  # a fresh look, without the old notice
    assert serious(page, page.frame(name="tool-frame")) == []


def test_a_learner_answers_with_the_keyboard_alone(app: Flask, page: Any) -> None:
    """Tab into each question, arrow keys choose (and autosave), Enter on the button goes on."""
    place_items(app, page, ASSESSMENT)
    frame = open_activity(app, page, "Ben Tremblay", ASSESSMENT)
    frame.get_by_label("Which partnership will you assess?").focus()
    page.keyboard.type("Harbour renewal P3")
    page.keyboard.press("Enter")  # submits the name
    frame.get_by_text("Area 1 of 12").wait_for()
    groups = frame.locator("fieldset.rating")
    groups.first.get_by_role("radio").first.focus()
    for question in range(groups.count()):
        page.keyboard.press("ArrowRight")  # in a radio group: moves to and checks the next
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")  # on to the next question's group
        assert groups.nth(question).locator("input:checked").get_attribute("value") == "3"
    frame.locator("#save-status").filter(has_text="Every answer on this page is saved.").wait_for()
    answered = frame.locator("#answered-count").inner_text()
    assert answered == str(groups.count())
    focused = frame.locator(":focus")
    assert focused.inner_text() == "Save and continue"
    page.keyboard.press("Enter")
    frame.get_by_text("Area 2 of 12").wait_for()
    page.set_viewport_size({"width": 352, "height": 800})  # the same page in a 320px iframe
    tool = page.frame(name="tool-frame")
    assert tool.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_send_again_all_refused_grades_moves_the_focus_to_what_it_did(app: Flask, page: Any) -> None:
    """The gradebook's bulk "Send again": its status message says how many and takes the focus,
    in a 320px iframe, axe-clean; nothing refused is left, so the button is gone."""
    place_items(app, page, ASSESSMENT)
    open_activity(app, page, "Ben Tremblay", ASSESSMENT).get_by_role("heading", level=1).first.wait_for()
    ben = launch_of(app, "201")
    # Refused once, and sent again to the demo LMS's real line item: whether the gradebook is
    # drawn before or after the delivery thread sends it, nothing refused is left (without the
    # launch's AGS claim it failed again at once and the button came back, depending on timing).
    recorded_grade(app, ben, score_given=100, score_maximum=100, ags_json=_ags_json(app, ben), **REFUSED)
    frame = open_activity(app, page, "Ada Okafor", ASSESSMENT)
    frame.get_by_role("link", name="Gradebook").click()
    page.set_viewport_size({"width": 352, "height": 800})  # in a 320px iframe
    frame.get_by_role("button", name="Send again 1 refused grade").click()
    frame.get_by_role("status").filter(has_text="1 refused grade will be sent again now.").wait_for()
    tool = page.frame(name="tool-frame")
    # The message is in the page before the script at its end moves the focus (seen failing once
    # in a full run, 4 December): look once the page has run its scripts.
    tool.wait_for_function("() => document.readyState === 'complete'")
    assert tool.evaluate("document.activeElement.id") == "queued"
    assert tool.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert frame.get_by_role("button", name="Send again 1 refused grade").count() == 0
    assert serious(page, tool) == []


def _ags_json(app: Flask, launch_id: str) -> str | None:
    with app.app_context():
        launch = db.session.get(Launch, launch_id)
        assert launch is not None and launch.ags_json
        return launch.ags_json
