"""The in-page launch token: the session that needs no cookie, and what it can never do."""

from __future__ import annotations

import requests
from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from tests.conftest import TEST_SECRET
from tests.support.lms import INSTRUCTOR, LEARNERS, DemoLms


def check(base_url: str, token: str, path: str = "/app/session-check") -> requests.Response:
    # A fresh session: no cookie, only the token, as in a browser that blocks them.
    return requests.get(
        base_url + path, params={"lt": token}, timeout=5, headers={"Accept": "application/json"}
    )


def test_token_alone_carries_the_session(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(LEARNERS[0])
    answer = check(base_url, lms.token_of(page))
    assert answer.status_code == 200 and answer.json()["user"] == "201"


def test_token_in_header_works_too(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(LEARNERS[0])
    answer = requests.get(
        base_url + "/app/session-check", timeout=5, headers={"X-Launch-Token": lms.token_of(page)}
    )
    assert answer.json()["role"] == "learner"


def test_each_token_grants_only_its_own_launch(lms: DemoLms, base_url: str) -> None:
    _, page_a = lms.launch(LEARNERS[0])
    _, page_b = lms.launch(LEARNERS[1])
    assert check(base_url, lms.token_of(page_a)).json()["user"] == "201"
    assert check(base_url, lms.token_of(page_b)).json()["user"] == "202"


def test_learner_token_cannot_reach_instructor_pages(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(LEARNERS[0])
    assert check(base_url, lms.token_of(page), "/app/deep-linking/").status_code == 403


def test_altered_token_is_refused(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(LEARNERS[0])
    token = lms.token_of(page)
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    answer = check(base_url, altered)
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"


def test_token_naming_another_user_or_role_is_refused(lms: DemoLms, base_url: str) -> None:
    """Even correctly signed (a leaked secret), claims must match the stored launch."""
    _, page = lms.launch(LEARNERS[0])
    serializer = URLSafeTimedSerializer(TEST_SECRET, salt="launch-token")
    data = serializer.loads(lms.token_of(page))
    for change in ({"r": "instructor"}, {"u": data["u"] + 1}, {"c": None}):
        forged = serializer.dumps({**data, **change})
        assert check(base_url, forged).status_code == 401, change


def test_token_signed_with_another_secret_is_refused(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(LEARNERS[0])
    data = URLSafeTimedSerializer(TEST_SECRET, salt="launch-token").loads(lms.token_of(page))
    forged = URLSafeTimedSerializer("another-secret", salt="launch-token").dumps(data)
    assert check(base_url, forged).status_code == 401


def test_token_expires(make_app, clock) -> None:  # type: ignore[no-untyped-def]
    app: Flask = make_app(LAUNCH_TOKEN_TTL=60)
    clock.install(app)
    lms = DemoLms(app.config["BASE_URL"], app.config["DEMO_URL"])
    _, page = lms.launch(INSTRUCTOR)
    token = lms.token_of(page)
    assert check(app.config["BASE_URL"], token).status_code == 200
    clock.advance(59)
    assert check(app.config["BASE_URL"], token).status_code == 200
    clock.advance(2)
    answer = check(app.config["BASE_URL"], token)
    assert answer.status_code == 401 and "expired" in answer.json()["message"]


def test_no_token_and_no_cookie_is_refused(base_url: str) -> None:
    answer = requests.get(base_url + "/app/", timeout=5)
    assert answer.status_code == 401 and "open this activity from your course" in answer.text


def test_cookie_session_works_when_the_browser_keeps_cookies(lms: DemoLms, base_url: str) -> None:
    browser, _ = lms.launch(LEARNERS[2])
    answer = browser.get(base_url + "/app/session-check", timeout=5)  # no token: the cookie
    assert answer.json()["user"] == "203"
