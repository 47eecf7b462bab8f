"""Launches from the demo LMS over real HTTP, through the whole OIDC flow."""

from __future__ import annotations

import requests

from tests.support.lms import INSTRUCTOR, LEARNERS, DemoLms
from tests.support.pages import page_url


def test_learner_launch_lands_on_tool_home(lms: DemoLms) -> None:
    _, page = lms.launch(LEARNERS[0])
    assert page.status_code == 200
    assert "Ben Tremblay" in page.text
    assert "a learner" in page.text
    assert "Partnerships in Practice" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_instructor_launch_gets_instructor_role(lms: DemoLms) -> None:
    _, page = lms.launch(INSTRUCTOR)
    assert page.status_code == 200
    assert "an instructor" in page.text


def test_session_check_reports_the_launch(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(LEARNERS[1])
    token = lms.token_of(page)
    answer = requests.get(base_url + "/app/session-check", params={"lt": token}, timeout=5)
    assert answer.json() == {"user": "202", "role": "learner", "context": "course-101"}


def test_deep_linking_request_is_routed_to_the_picker(lms: DemoLms) -> None:
    _, page = lms.launch(INSTRUCTOR, deep_link=True)
    assert page.status_code == 200
    assert "/app/deep-linking/" in page_url(page)


def test_jwks_publishes_the_tool_key(base_url: str) -> None:
    keys = requests.get(base_url + "/lti/jwks", timeout=5).json()["keys"]
    assert len(keys) == 1
    assert {"kid", "alg", "use", "n", "e", "kty"} <= set(keys[0])
    assert keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
