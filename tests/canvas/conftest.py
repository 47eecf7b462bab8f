"""The Canvas test platform (tests/support/canvas_platform.py) against the live tool."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from tests.support.canvas_platform import CanvasPlatform, Link, Person
from tests.support.forms import first_form
from tests.support.lms import DemoLms
from tests.support.platform_admin import add_to_tool


class Canvas:
    """The platform with the tool installed the manual way: the administrator pastes the tool's
    developer-key JSON into Canvas, installs it, and registers Canvas in the tool's /admin.
    ``dynamic=True``: the administrator registers the tool by Dynamic Registration instead (the
    registration page is ``self.registered``); ``install()`` is then theirs to call."""

    def __init__(self, app: Flask, students: int = 3, *, dynamic: bool = False) -> None:
        self.app = app
        self.base_url = app.config["BASE_URL"]
        self.lms = CanvasPlatform(self.base_url, students=students)
        if dynamic:
            url = self.lms.registration_url(self.base_url + "/lti/register")
            self.registered = requests.get(url, timeout=10)
            assert self.registered.status_code == 200, self.registered.text[:800]
            self.client_id = self.lms.registrations[-1]["client_id"]
            return
        config = requests.get(self.base_url + "/lti/canvas.json", timeout=10).json()
        self.client_id = self.lms.add_developer_key(config)
        self.deployment_id = self.lms.install(self.client_id)
        add_to_tool(app, self.lms.registration())

    def install(self) -> str:
        """The administrator installs the registered tool: Canvas makes a deployment."""
        self.deployment_id = self.lms.install(self.client_id)
        return self.deployment_id

    def enter(self, who: Person, link: Link | None = None, deep_link: bool = False) -> requests.Response:
        """Open the link (or the Deep Linking picker) as ``who``: the tool's first page."""
        browser, launched = self.lms.open_activity(who, link, deep_link=deep_link, client_id=self.client_id)
        assert launched.status_code == 200, launched.text[:800]  # the page itself (decision 0026)
        page = launched
        page.browser = browser  # type: ignore[attr-defined]
        return page

    def place(self, items: list[str], **fields: str) -> list[Link]:
        """The teacher adds items from a module ("link_selection"): Canvas makes assignments of the
        graded ones. Returns the new links."""
        before = set(self.lms.links)
        picker = self.enter(self.lms.person("Instructor"), deep_link=True)
        answer = DemoLms.pick(picker.browser, picker, items, **fields)  # type: ignore[attr-defined]
        assert answer.status_code == 200, answer.text[:500]
        form = first_form(answer.text, answer.url)
        placed = picker.browser.post(form.action, data=form.fields, timeout=10)  # type: ignore[attr-defined]
        assert placed.status_code == 200, placed.text
        return [self.lms.links[u] for u in self.lms.links if u not in before]


@pytest.fixture
def canvas(fast_app: Flask) -> Iterator[Canvas]:
    found = Canvas(fast_app)
    yield found
    found.lms.stop()


@pytest.fixture
def fast_app(make_app: Any) -> Flask:
    from tests.grades.conftest import FAST

    return make_app(**FAST)
