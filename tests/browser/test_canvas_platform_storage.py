"""Platform storage on a two-origin Canvas (tests/support/canvas_platform.py), in Chromium with
third-party cookies blocked: the course page on the school's domain (localhost), the OIDC login
and the post_message_forwarding frame on the SSO domain (127.0.0.2), the tool on 127.0.0.1.

The tool asks lti.capabilities of its parent with target origin "*", then stores and reads its
login state through the announced post_message_forwarding frame with the SSO origin as target
origin; Canvas's storage holds it; the launch is confirmed from it, and the fallback to
server-side state (which used to follow a 2 s wait on every launch) is never taken.

The tool was registered by Dynamic Registration, as a Canvas administrator would: this is the first
launch after it, and it works (its deployment is learned: docs/decisions/0020)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Deployment, LaunchFailure
from tests.browser.demo_course import WORKSHOP_TITLE
from tests.canvas.conftest import Canvas
from tests.grades.conftest import FAST


def once(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each message once: the tool posts a message again, same message_id, until it is answered
    (lti-storage.js), and Canvas may receive a copy posted before the first answer came back."""
    seen: set[str] = set()
    first = []
    for message in messages:
        if message["id"] not in seen:
            seen.add(message["id"])
            first.append(message)
    return first


@pytest.fixture
def canvas(make_app: Any) -> Iterator[Canvas]:
    found = Canvas(make_app(**FAST), dynamic=True)
    found.install()
    yield found
    found.lms.stop()


def open_the_course_page(canvas: Canvas, page: Any) -> list[str]:
    """A learner opens the course page with the tool's navigation link, until the tool's page
    shows in its frame; the URLs the browser requested on the way."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    student = canvas.lms.person("Learner")
    link = canvas.lms.course_navigation_link(canvas.client_id)
    page.goto(canvas.lms.course_url(student, link))
    frame = page.frame_locator("iframe[name=tool_content]")
    frame.get_by_role("heading", level=1, name=WORKSHOP_TITLE).wait_for()
    return requested


def test_launch_in_a_cross_site_iframe_uses_canvas_platform_storage(
    canvas: Canvas, blocked_page: Any
) -> None:
    app: Flask = canvas.app
    tool = app.config["BASE_URL"]
    requested = open_the_course_page(canvas, blocked_page)

    # The login state went into Canvas's storage (the school domain's localStorage), through the
    # forwarding frame: under the SSO origin, as Canvas keys what that frame relays (0034).
    stored = blocked_page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('lti|platform_storage|'))"
    )
    assert len(stored) == 1 and stored[0].startswith(f"lti|platform_storage|{canvas.lms.sso_url}|p3_state_")
    messages = blocked_page.evaluate("() => window.__ltiMessages")
    capabilities = [m for m in messages if m["subject"] == "lti.capabilities"]
    data = once([m for m in messages if m["subject"] in ("lti.put_data", "lti.get_data")])
    assert capabilities and all(m["origin"] == tool and not m["forwarded"] for m in capabilities)
    assert [m["subject"] for m in data] == ["lti.put_data", "lti.get_data"]
    assert all(m["origin"] == canvas.lms.sso_url and m["forwarded"] for m in data)

    # No fallback to the server-side state, no cookie, no refusal.
    assert not [url for url in requested if "/lti/login/continue" in url]
    assert any(
        url.startswith(tool + "/lti/launch/confirm") or url.startswith(tool + "/lti/launch")
        for url in requested
    )
    assert blocked_page.context.cookies(tool) == []
    with app.app_context():
        assert db.session.scalars(select(LaunchFailure)).all() == []
        [deployment] = db.session.scalars(select(Deployment)).all()
        assert deployment.deployment_id == canvas.deployment_id and deployment.learned_at is not None
        db.session.remove()


def test_the_forwarding_frame_arriving_late_does_not_lose_the_login_state(
    canvas: Canvas, blocked_page: Any
) -> None:
    """The tool's login page can ask before Canvas's post_message_forwarding frame has reached the
    OIDC domain (it starts on the school's domain, is redirected, and loads its own script): the
    browser drops what is posted to it until then. Posted once, the state was lost and, 2 s later,
    the launch fell back to server-side state (the test above failed so, now and then, by timing
    alone); posted again until answered, it is stored as soon as the frame is there."""
    canvas.lms.forwarding_delay = 1.2
    tool = canvas.app.config["BASE_URL"]
    requested = open_the_course_page(canvas, blocked_page)

    assert not [url for url in requested if "/lti/login/continue" in url]
    assert any(url.startswith(tool + "/lti/launch/confirm") for url in requested)
    stored = blocked_page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('lti|platform_storage|'))"
    )
    assert len(stored) == 1 and stored[0].startswith(f"lti|platform_storage|{canvas.lms.sso_url}|p3_state_")
    messages = blocked_page.evaluate("() => window.__ltiMessages")
    data = once([m for m in messages if m["subject"] in ("lti.put_data", "lti.get_data")])
    assert [m["subject"] for m in data] == ["lti.put_data", "lti.get_data"]
    with canvas.app.app_context():
        assert db.session.scalars(select(LaunchFailure)).all() == []
        db.session.remove()
