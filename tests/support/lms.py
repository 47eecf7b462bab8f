"""Drives the demo LMS over HTTP like a browser: follows its auto-posted forms."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from tests.support.forms import first_form

INSTRUCTOR = "101"
LEARNERS = ("201", "202", "203")


class DemoLms:
    def __init__(self, tool_url: str, demo_url: str) -> None:
        self.tool_url = tool_url
        self.demo_url = demo_url

    def launch(self, person: str, activity: int | None = 1, *, deep_link: bool = False,
               session: requests.Session | None = None) -> tuple[requests.Session, requests.Response]:
        """Open an activity (or the deep-linking picker) as a person; returns the tool page."""
        browser = session or requests.Session()
        # No JavaScript here, so no platform storage: the browser tests cover that path.
        query = {"as": person, "storage": "0",
                 **({"deep_link": "1"} if deep_link else {"activity": activity})}
        init = browser.get(self.demo_url + "/demo/init", params=query, timeout=10)
        init.raise_for_status()
        login_form = first_form(init.text, init.url)
        auth_page = browser.post(login_form.action, data=login_form.fields, timeout=10)
        auth_page.raise_for_status()
        launch_form = first_form(auth_page.text, auth_page.url)
        page = browser.post(launch_form.action, data=launch_form.fields, timeout=10)
        return browser, page

    @staticmethod
    def token_of(response: requests.Response) -> str:
        return parse_qs(urlsplit(response.url).query)["lt"][0]
