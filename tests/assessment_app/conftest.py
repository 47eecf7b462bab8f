from __future__ import annotations

from typing import Any

import pytest
import requests

from lti_tool.assessment.instrument import default_instrument
from tests.support.lms import INSTRUCTOR, DemoLms

ITEM = "partnership-assessment"
ASSESSMENT_TITLE = "Assignment: Partnership Self-Assessment"  # the item's default title


class Taker:
    """One person in the assessment activity, over HTTP with the launch token only."""

    def __init__(self, lms: DemoLms, person: str, activity: int) -> None:
        self.lms = lms
        self.base = lms.tool_url
        self.browser, page = lms.launch(person, activity)
        self.page = page
        self.token = lms.token_of(page)

    @classmethod
    def entered(cls, tool_url: str, page: requests.Response) -> Taker:
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


@pytest.fixture
def activity(lms: DemoLms) -> int:
    """The assessment placed in the demo course through Deep Linking."""
    lms.add_content([ITEM])
    return lms.activities()[ASSESSMENT_TITLE]


@pytest.fixture
def taker(lms: DemoLms, activity: int) -> Any:
    return lambda person: Taker(lms, person, activity)


@pytest.fixture
def teacher(taker: Any) -> Taker:
    return taker(INSTRUCTOR)
