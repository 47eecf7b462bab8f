from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from werkzeug.test import TestResponse

from lti_tool.assessment.instrument import default_instrument
from lti_tool.demo import platform as demo
from tests.conftest import TEST_OUTBOUND_ALLOWLIST
from tests.support.independent_platform import IndependentPlatform
from tests.support.launch_as import Launched
from tests.support.lms import INSTRUCTOR, DemoLms

ITEM = "partnership-assessment"
ASSESSMENT_TITLE = "Assignment: Partnership Self-Assessment"  # the item's default title


class HttpTaker:
    """One person in the assessment activity launched from the demo LMS, over real HTTP with the
    launch token only (for flows that need a server: concurrency, deliveries)."""

    def __init__(self, lms: DemoLms, person: str, activity: int) -> None:
        self.lms = lms
        self.base = lms.tool_url
        self.browser, page = lms.launch(person, activity)
        self.page = page
        self.token = lms.token_of(page)

    @classmethod
    def entered(cls, tool_url: str, page: requests.Response) -> HttpTaker:
        """Someone who entered the tool from another platform (the page after the launch)."""
        taker = cls.__new__(cls)
        taker.base, taker.page, taker.token = tool_url, page, DemoLms.token_of(page)
        return taker

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(self.base + path, params={"lt": self.token, **params}, timeout=10)

    def csrf(self, path: str = "/app/assessment/") -> str:
        page = self.get(path).text
        return page.split('<meta name="csrf-token" content="')[1].split('"')[0]

    def answer(self, item: str, value: str, csrf: str | None = None) -> requests.Response:
        return requests.post(
            self.base + "/app/assessment/answer",
            json={"item": item, "value": value},
            headers={"X-Launch-Token": self.token, "X-CSRF-Token": csrf or self.csrf()},
            timeout=10,
        )

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> requests.Response:
        csrf = self.csrf() if "csrf_token" not in (data or {}) else None
        body = {"lt": self.token, **({"csrf_token": csrf} if csrf else {}), **(data or {})}
        return requests.post(self.base + path, data=body, timeout=10, **kw)

    def begin(self, name: str = "Harbour renewal P3") -> requests.Response:
        """Name the partnership to assess (the first step of an attempt)."""
        return self.post("/app/assessment/begin", {"partnership": name}, allow_redirects=False)

    def answer_all(self, rating: Any = 4, importance: Any = 3, skip: int = 0) -> None:
        """Name the partnership, then answer every question (rating and importance may be
        functions of the statement or dimension id)."""
        assert self.begin().status_code == 303
        csrf = self.csrf()
        instrument = default_instrument()
        pairs = []
        for d in instrument.dimensions:  # in page order: a dimension's statements, its importance
            pairs += [(s.id, str(rating(s.id) if callable(rating) else rating)) for s in d.statements]
            weight = importance(d.id) if callable(importance) else importance
            pairs.append(("importance:" + d.id, str(weight)))
        for item, value in pairs[: len(pairs) - skip]:
            assert self.answer(item, value, csrf).status_code == 200


class Taker:
    """One person in the assessment activity, through the test client, with a launch recorded by
    the tool's services (``launch_as``). Same methods as HttpTaker; responses are werkzeug's."""

    def __init__(self, launched: Launched) -> None:
        self.launched = launched
        self.app = launched.app
        self.client = launched.client
        self.token = launched.token
        self.page = self.get("/app/", follow_redirects=True)

    def get(self, path: str, follow_redirects: bool = False, **params: Any) -> TestResponse:
        return self.launched.get(path, follow_redirects=follow_redirects, **params)

    def csrf(self, path: str = "/app/assessment/") -> str:
        page = self.get(path).text
        return page.split('<meta name="csrf-token" content="')[1].split('"')[0]

    def answer(
        self, item: str, value: str, csrf: str | None = None, attempt: int | None = None
    ) -> TestResponse:
        """An autosave; ``attempt`` as the take page's script names it."""
        return self.client.post(
            "/app/assessment/answer",
            json={"item": item, "value": value, **({"attempt": attempt} if attempt is not None else {})},
            headers={"X-Launch-Token": self.token, "X-CSRF-Token": csrf or self.csrf()},
        )

    def post(
        self, path: str, data: dict[str, Any] | None = None, allow_redirects: bool = True
    ) -> TestResponse:
        csrf = self.csrf() if "csrf_token" not in (data or {}) else None
        body = {"lt": self.token, **({"csrf_token": csrf} if csrf else {}), **(data or {})}
        return self.client.post(path, data=body, follow_redirects=allow_redirects)

    def begin(self, name: str = "Harbour renewal P3") -> TestResponse:
        return self.post("/app/assessment/begin", {"partnership": name}, allow_redirects=False)

    answer_all = HttpTaker.answer_all


@pytest.fixture
def taker(launch_as: Any) -> Any:
    """``taker(person_id)``: a demo person (tests.support.lms) launched into the activity."""

    def launched(person_id: str) -> Taker:
        who = demo.person(person_id)
        assert who is not None
        role = "instructor" if person_id == INSTRUCTOR else "learner"
        extra = {"name": f"{who.given_name} {who.family_name}", "email": who.email}
        return Taker(launch_as(role, sub=person_id, item=ITEM, extra=extra))

    return launched


@pytest.fixture
def teacher(taker: Any) -> Taker:
    return taker(INSTRUCTOR)


@pytest.fixture
def activity(lms: DemoLms) -> int:
    """The assessment placed in the demo course through Deep Linking."""
    lms.add_content([ITEM])
    return lms.activities()[ASSESSMENT_TITLE]


@pytest.fixture
def http_taker(lms: DemoLms, activity: int) -> Any:
    return lambda person: HttpTaker(lms, person, activity)


@pytest.fixture
def http_teacher(http_taker: Any) -> HttpTaker:
    return http_taker(INSTRUCTOR)


# A tool behind the test client launched for real (login, signed id_token, launch POST), for the
# guards that count what a launch costs (test_query_counts, test_durability).
LAUNCH_BASE = "http://tool.test"


@pytest.fixture
def launch_app(make_tool_app: Any) -> Flask:
    """The tool behind the test client, allowed to fetch the independent platform's key set."""
    return make_tool_app(OUTBOUND_ALLOWLIST=TEST_OUTBOUND_ALLOWLIST)


@pytest.fixture
def platform(launch_app: Flask) -> Iterator[IndependentPlatform]:
    independent = IndependentPlatform()
    independent.register_by_cli(launch_app)
    yield independent
    independent.stop()


def login_and_token(app: Flask, platform: IndependentPlatform, **claims: Any) -> tuple[Any, str, str]:
    """A browser (test client) that went through the login; the signed id_token and its state."""
    return platform.logged_in(app, LAUNCH_BASE + "/lti/launch", **claims)
