"""Steps every browser test takes in the demo LMS: open the course as someone, open an
activity, find the tool's iframe."""

from __future__ import annotations

from typing import Any

from flask import Flask

FRAME = "iframe[name=tool-frame]"
WORKSHOP_TITLE = "Private-Public Partnerships: The Art of the Possible"


def open_course(app: Flask, page: Any, person: str) -> None:
    page.goto(app.config["DEMO_URL"] + "/demo/")
    page.get_by_role("link", name=person).click()


def open_activity(app: Flask, page: Any, person: str, activity: str = "P3 Workshop") -> Any:
    """The activity's tool iframe (a frame locator), as ``person`` opened it."""
    open_course(app, page, person)
    page.get_by_role("link", name=activity, exact=True).click()
    return page.frame_locator(FRAME)
