"""Drives the demo LMS over HTTP like a browser: follows its auto-posted forms."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import requests

from tests.support.forms import first_form

INSTRUCTOR = "101"
LEARNERS = ("201", "202", "203")
ASSESSMENT = "partnership-assessment"  # the workshop's only graded item


class DemoLms:
    def __init__(self, tool_url: str, demo_url: str) -> None:
        self.tool_url = tool_url
        self.demo_url = demo_url

    def launch(
        self,
        person: str,
        activity: int | None = 1,
        *,
        deep_link: bool = False,
        session: requests.Session | None = None,
        lang: str | None = None,
    ) -> tuple[requests.Session, requests.Response]:
        """Open an activity (or the deep-linking picker) as a person; returns the tool page."""
        browser = session or requests.Session()
        # No JavaScript here, so no platform storage: the browser tests cover that path.
        query = {
            "as": person,
            "storage": "0",
            **({"deep_link": "1"} if deep_link else {"activity": activity}),
            **({"lang": lang} if lang else {}),  # the person's language in the demo LMS
        }
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
        """A tool page's launch token: in its address, or (the launch POST's answer, decision
        0026) in its launch-token meta tag."""
        found = parse_qs(urlsplit(response.url).query).get("lt")
        if found:
            return found[0]
        return response.text.split('<meta name="launch-token" content="')[1].split('"')[0]

    def picker(self, session: requests.Session | None = None) -> tuple[requests.Session, requests.Response]:
        """The instructor's Deep Linking picker, opened from the demo course."""
        return self.launch(INSTRUCTOR, deep_link=True, session=session)

    @staticmethod
    def pick(
        browser: requests.Session, picker: requests.Response, items: list[str], **fields: str
    ) -> requests.Response:
        """Submit the picker with these items chosen (and extra fields, e.g. titles)."""
        form = first_form(picker.text, picker.url)
        data: dict[str, object] = {**form.fields, "item": items, "action": "add", **fields}
        return browser.post(form.action, data=data, timeout=10)

    @staticmethod
    def deliver(browser: requests.Session, answer: requests.Response) -> requests.Response:
        """Follow the tool's auto-posted Deep Linking answer to the LMS."""
        form = first_form(answer.text, answer.url)
        return browser.post(form.action, data=form.fields, timeout=10)

    def add_content(self, items: list[str], **fields: str) -> requests.Response:
        browser, picker = self.picker()
        answer = self.pick(browser, picker, items, **fields)
        assert answer.status_code == 200, answer.text
        return self.deliver(browser, answer)

    def place_assessment(self, points: float = 10, title: str = "Self-assessment") -> int:
        """The instructor places the graded self-assessment with these points (the demo LMS
        makes its gradebook column from the lineItem); returns the new activity's id."""
        done = self.add_content(
            [ASSESSMENT], **{f"points:{ASSESSMENT}": f"{points:g}", f"title:{ASSESSMENT}": title}
        )
        assert done.status_code == 200, done.text[:500]
        return max(a for t, a in self.activities().items() if t == title)

    def activities(self, person: str = LEARNERS[0]) -> dict[str, int]:
        """The demo course's activities as a person sees them: title -> activity id."""
        page = requests.get(self.demo_url + "/demo/course", params={"as": person}, timeout=10)
        page.raise_for_status()
        found = re.findall(r'activity=(\d+)">([^<]+)</a>', page.text)
        return {html.unescape(title): int(activity) for activity, title in found}
