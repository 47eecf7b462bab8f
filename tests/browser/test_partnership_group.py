"""Partners assess their partnership together (issue 14), as people do it in the demo LMS: Ben
starts a group, invites Chloe from the course list (NRPS) and gives Dev the code; each sees what
the others will see before joining; all three answer alone with different views; each opens the
joint report (divergent and shared areas); the teacher sees the group in the class view. Axe on
every page; the joint report at 320 px."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lti_tool.assessment.instrument import default_instrument
from tests.browser.demo_course import ASSESSMENT_TITLE, open_activity, place_items, tool_at
from tests.browser.test_assessment_flow import serious

# Every answer in one page-form post from inside the frame (the no-JavaScript path the take page
# offers): the taking itself is tests/browser/test_assessment_flow.py's.
ANSWER_ALL = """async (answers) => {
  const body = new FormData();
  body.append("lt", document.querySelector('meta[name="launch-token"]').content);
  body.append("csrf_token", document.querySelector('meta[name="csrf-token"]').content);
  body.append("d", "1"); body.append("go", "review");
  for (const [item, value] of Object.entries(answers)) body.append("a." + item, value);
  const response = await fetch("/app/assessment/take", {method: "POST", body});
  return response.status;
}"""


def open_group(app: Flask, page: Any, person: str) -> Any:
    frame = open_activity(app, page, person, ASSESSMENT_TITLE)
    frame.locator("#partnership-group").wait_for(timeout=60_000)
    frame.get_by_role("link", name="Start or join a partnership group").or_(
        frame.get_by_role("link", name="Open the group")
    ).click()
    tool_at(page, "**/app/assessment/partnership/**")  # the activity's page had an h1 too
    frame.get_by_role("heading", level=1).first.wait_for()
    return frame


def answer_and_submit(app: Flask, page: Any, person: str, trust: int, rest: int) -> None:
    frame = open_activity(app, page, person, ASSESSMENT_TITLE)
    # The launch through the demo LMS can take a while on a loaded machine.
    frame.locator("#begin, #continue").first.click(timeout=60_000)  # the partnership's name is the group's
    frame.get_by_text("Area 1 of 12").wait_for()
    answers = {}
    for d in default_instrument().dimensions:
        for s in d.statements:
            answers[s.id] = str(trust if d.id == "trust" else rest)
        answers["importance:" + d.id] = "3"
    tool = page.frame(name="tool-frame")
    assert tool.evaluate(ANSWER_ALL, answers) == 200
    frame.get_by_role("link", name="Self-assessment", exact=True).click()
    frame.get_by_role("link", name="Review and submit").click()
    frame.get_by_role("button", name="Submit my self-assessment").click()
    frame.get_by_role("heading", level=1, name="Report: Harbour renewal P3").wait_for()


def join_with(frame: Any, page: Any, side: str, named: bool) -> None:
    """The details form, then the preview of what others see, then confirm."""
    frame.get_by_role("radio", name=side).check()
    if named:
        frame.get_by_role("checkbox", name="Show my name (and organization) beside my scores").check()
    assert serious(page) == []
    frame.get_by_role("button", name="See how the others will see you").click()
    frame.locator("#preview").wait_for()
    assert serious(page) == []


def test_three_partners_form_a_group_and_each_sees_the_joint_report(app: Flask, page: Any) -> None:
    place_items(app, page, ASSESSMENT_TITLE)
    frame = open_group(app, page, "Ben Tremblay")
    assert serious(page) == []
    frame.get_by_label("The partnership's name").fill("Harbour renewal P3")
    frame.get_by_role("button", name="Continue").last.click()
    join_with(frame, page, "Public sector", named=True)
    assert frame.locator("#preview-label").inner_text() == "Ben Tremblay"
    frame.get_by_role("button", name="Start the group").click()
    frame.get_by_role("heading", level=1, name="Partnership group: Harbour renewal P3").wait_for()
    code = frame.locator("#join-code").inner_text()
    assert serious(page) == []
    page.set_viewport_size({"width": 352, "height": 800})  # the group page in a 320 px iframe
    tool = page.frame(name="tool-frame")
    assert tool.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.set_viewport_size({"width": 1280, "height": 720})
    frame.get_by_role("link", name="Invite people from the course list").click()
    frame.get_by_role("checkbox", name="Chloe Singh").check()
    assert serious(page) == []
    frame.get_by_role("button", name="Invite", exact=True).click()
    frame.locator("#invited-note").wait_for()

    frame = open_group(app, page, "Chloe Singh")  # by invitation
    frame.get_by_role("button", name="Join Harbour renewal P3").click()
    join_with(frame, page, "Private sector", named=False)
    # Alone on the private side, not named: neither her name nor her side.
    assert frame.locator("#preview-label").inner_text() == "Partner A"
    assert frame.locator("#preview-side").inner_text() == "side not shown"
    frame.get_by_role("button", name="Join the group").click()
    frame.get_by_role("heading", level=1, name="Partnership group: Harbour renewal P3").wait_for()

    frame = open_group(app, page, "Dev Lavoie")  # by code
    frame.get_by_label("The join code a partner gave you").fill(code.lower())
    frame.get_by_role("button", name="Continue").first.click()
    join_with(frame, page, "Public sector", named=False)
    # The only unnamed public member (Ben is named): his side would name him (decision 0046).
    assert frame.locator("#preview-label").inner_text() == "Partner B"
    assert frame.locator("#preview-side").inner_text() == "side not shown"
    frame.get_by_role("button", name="Join the group").click()
    frame.get_by_text("Submitted: 0 members of 3.").wait_for()

    # Trust: Ben 5, Chloe 1, Dev 5; every other area 2, 2 and 3 (under the cut-off of 4.0).
    for person, trust, rest in (("Ben Tremblay", 5, 2), ("Chloe Singh", 1, 2), ("Dev Lavoie", 5, 3)):
        answer_and_submit(app, page, person, trust, rest)

    trust_title = default_instrument().dimension("trust").title
    for person in ("Ben Tremblay", "Chloe Singh", "Dev Lavoie"):
        frame = open_group(app, page, person)
        frame.get_by_role("link", name="Open the joint report").click()
        frame.get_by_role("heading", level=1, name="Joint report: Harbour renewal P3").wait_for()
        assert frame.locator(".divergent-area strong").first.inner_text() == trust_title
        assert frame.locator(".shared-area").count() == 11
        names = frame.locator("#joint-areas").inner_text()
        assert "Ben Tremblay" in names and "Chloe" not in names and "Dev" not in names
        assert serious(page) == []

    page.set_viewport_size({"width": 352, "height": 800})
    tool = page.frame(name="tool-frame")
    assert tool.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert tool.locator("svg.radar-compact").is_visible()
    assert serious(page) == []
    page.set_viewport_size({"width": 1280, "height": 720})

    frame = open_activity(app, page, "Ada Okafor", ASSESSMENT_TITLE)
    row = frame.locator("#group-table tr[data-group]")
    row.filter(has_text="Harbour renewal P3").wait_for()
    assert "3 of 3" in row.inner_text() and trust_title in row.inner_text()
    assert serious(page) == []
    row.get_by_role("link", name="Open").click()
    frame.get_by_role("heading", level=1, name="Joint report: Harbour renewal P3").wait_for()
