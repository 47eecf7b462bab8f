"""Steps every browser test takes in the demo LMS: open the course as someone, open an
activity, find the tool's iframe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

FRAME = "iframe[name=tool-frame]"
WORKSHOP_TITLE = "Private-Public Partnerships: The Art of the Possible"
ASSESSMENT_TITLE = "Assignment: Partnership Self-Assessment"  # the graded item, as the picker names it


def open_course(app: Flask, page: Any, person: str) -> None:
    page.goto(app.config["DEMO_URL"] + "/demo/")
    page.get_by_role("link", name=person).click()


def open_activity(app: Flask, page: Any, person: str, activity: str = "P3 Workshop") -> Any:
    """The activity's tool iframe (a frame locator), as ``person`` opened it."""
    open_course(app, page, person)
    page.get_by_role("link", name=activity, exact=True).click()
    return page.frame_locator(FRAME)


def place_items(app: Flask, page: Any, *labels: str) -> None:
    """The demo teacher adds items to the course through the Deep Linking picker."""
    open_course(app, page, "Ada Okafor")
    page.get_by_role("link", name="Add content from P3 Workshop").click()
    frame = page.frame_locator(FRAME)
    for label in labels:
        frame.get_by_role("checkbox", name=label, exact=True).check()
    frame.get_by_role("button", name="Add to the course").click()
    content_added(page)


def content_added(page: Any) -> None:
    """The LMS's "Content added" page, in the whole window: the Deep Linking return posted into
    the tool's frame moves the window there (never the course inside the tool's frame)."""
    page.wait_for_url("**/demo/content-added?**")
    page.get_by_role("heading", level=1, name="Content added").wait_for()
    assert page.locator(FRAME).count() == 0


def tool_at(page: Any, url: str | Callable[[str], bool]) -> Any:
    """The tool's frame once it shows ``url`` (a glob or a test on the address). After a click
    that moves the frame, wait here before looking: a heading both pages have could otherwise be
    the page being left, as Playwright is not always told in time that the click navigates."""
    tool = page.frame(name="tool-frame")
    tool.wait_for_url(url)
    return tool
