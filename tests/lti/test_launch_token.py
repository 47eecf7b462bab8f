"""The in-page launch token: the session that needs no cookie, and what it can never do.

The first and last tests take the token from a real launch of the demo LMS over HTTP; the others
check the token itself through the test client (``launch_as``)."""

from __future__ import annotations

from typing import Any

import requests
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from werkzeug.test import TestResponse

from tests.conftest import TEST_SECRET
from tests.support.lms import LEARNERS, DemoLms


def check(who: Any, token: str, path: str = "/app/session-check") -> TestResponse:
    # A fresh client: no cookie, only the token, as in a browser that blocks them.
    return who.app.test_client().get(path, query_string={"lt": token}, headers={"Accept": "application/json"})


def test_token_alone_carries_the_session(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(LEARNERS[0])
    answer = requests.get(
        base_url + "/app/session-check",
        params={"lt": lms.token_of(page)},
        timeout=5,
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200 and answer.json()["user"] == "201"


def test_token_in_header_works_too(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    answer = ben.app.test_client().get("/app/session-check", headers={"X-Launch-Token": ben.token})
    assert answer.get_json()["role"] == "learner"


def test_each_token_grants_only_its_own_launch(launch_as: Any) -> None:
    ben, chloe = launch_as("learner", sub="ben"), launch_as("learner", sub="chloe")
    assert check(ben, ben.token).get_json()["user"] == "ben"
    assert check(chloe, chloe.token).get_json()["user"] == "chloe"


def test_learner_token_cannot_reach_instructor_pages(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    assert check(ben, ben.token, "/app/deep-linking/").status_code == 403


def test_altered_token_is_refused(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    altered = ben.token[:-3] + ("AAA" if not ben.token.endswith("AAA") else "BBB")
    answer = check(ben, altered)
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"


def test_token_naming_another_user_or_role_is_refused(launch_as: Any) -> None:
    """Even correctly signed (a leaked secret), claims must match the stored launch."""
    ben = launch_as("learner", sub="ben")
    launch_as("learner", sub="chloe")  # a user pk that exists
    serializer = URLSafeTimedSerializer(TEST_SECRET, salt="launch-token")
    data = serializer.loads(ben.token)
    for change in ({"r": "instructor"}, {"u": data["u"] + 1}, {"c": None}):
        forged = serializer.dumps({**data, **change})
        assert check(ben, forged).status_code == 401, change


def test_token_signed_with_another_secret_is_refused(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben")
    data = URLSafeTimedSerializer(TEST_SECRET, salt="launch-token").loads(ben.token)
    forged = URLSafeTimedSerializer("another-secret", salt="launch-token").dumps(data)
    assert check(ben, forged).status_code == 401


def test_token_expires(tool_app: Flask, launch_as: Any, clock: Any) -> None:
    clock.install(tool_app)
    ttl = tool_app.config["LAUNCH_TOKEN_TTL"]
    ada = launch_as("instructor", sub="ada")
    assert check(ada, ada.token).status_code == 200
    clock.advance(ttl - 1)
    assert check(ada, ada.token).status_code == 200
    clock.advance(2)
    answer = check(ada, ada.token)
    assert answer.status_code == 401 and "expired" in answer.get_json()["message"]


def test_no_token_and_no_cookie_is_refused(tool_app: Flask) -> None:
    answer = tool_app.test_client().get("/app/")
    assert answer.status_code == 401 and "open this activity from your course" in answer.text


def test_cookie_session_works_when_the_browser_keeps_cookies(lms: DemoLms, base_url: str) -> None:
    browser, _ = lms.launch(LEARNERS[2])
    answer = browser.get(base_url + "/app/session-check", timeout=5)  # no token: the cookie
    assert answer.json()["user"] == "203"
