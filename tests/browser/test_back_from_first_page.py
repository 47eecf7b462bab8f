"""Back from the tool's first page leaves the activity for the LMS's page before it; it never
blanks the frame with the browser's error page (decision 0033)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.browser.demo_course import FRAME, WORKSHOP_TITLE, open_course


def _launch(app: Flask, page: Any, storage: bool) -> Any:
    """Ben opens the workshop from the course page; the tool frame on its first page."""
    open_course(app, page, "Ben Tremblay")
    page.goto(f"{app.config['DEMO_URL']}/demo/launch?as=201&activity=1&storage={int(storage)}")
    page.frame_locator(FRAME).get_by_role("heading", level=1, name=WORKSHOP_TITLE).wait_for()
    tool = page.locator(FRAME).element_handle().content_frame()
    tool.wait_for_url("**/app/w/**")
    return tool


def _assert_back_lands_somewhere_sensible(app: Flask, page: Any, tool: Any) -> None:
    first_page = tool.url
    # Back as the frame's own script would press it; after this call returns, so that the page
    # going away does not cut the evaluation short.
    tool.evaluate("setTimeout(function () { history.back(); }, 0)")
    # Wait until Back has gone somewhere: the top page changed, or the tool frame left its page.
    for _ in range(100):
        page.wait_for_timeout(100)
        if "/demo/launch" not in page.url or all(frame.url != first_page for frame in page.frames):
            break
    page.wait_for_load_state()
    urls = [frame.url for frame in page.frames]
    assert not any(url.startswith("chrome-error:") for url in urls), urls
    if page.url.endswith("/demo/course?as=201"):
        return  # the LMS's page before the activity: what Back does almost every time
    frame = page.frame_locator(FRAME)
    landed = frame.get_by_role("heading", level=1, name=WORKSHOP_TITLE).or_(
        frame.get_by_text("Open the activity again from the LMS.")
    )
    landed.first.wait_for()


@pytest.mark.parametrize("storage", [True, False], ids=["platform-storage", "no-storage"])
def test_back_from_the_first_page_is_never_a_browser_error(app: Flask, page: Any, storage: bool) -> None:
    tool = _launch(app, page, storage)
    _assert_back_lands_somewhere_sensible(app, page, tool)


@pytest.mark.parametrize("storage", [True, False], ids=["platform-storage", "no-storage"])
def test_back_without_third_party_cookies_is_never_a_browser_error(
    app: Flask, blocked_page: Any, storage: bool
) -> None:
    tool = _launch(app, blocked_page, storage)
    _assert_back_lands_somewhere_sensible(app, blocked_page, tool)
