"""A sweep of every route with malformed input, as nobody, as a learner and as an instructor of
a real launch (with a valid CSRF token, so that the handlers themselves see the garbage): the
answer is a page or JSON error in the 4xx range, or a success, never a 500."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from tests.support.admin_password import cheap_hash
from tests.support.lms import INSTRUCTOR, LEARNERS, DemoLms

GARBAGE = ["", "0", "-1", "abc", "9" * 40, "1e309", "nan", "\u00b2", "<script>", "'; drop", "%00", "a" * 5000]
FIELDS = [
    "lt",
    "csrf_token",
    "item",
    "grade_id",
    "value",
    "reflection",
    "pending",
    "password",
    "label",
    "kind",
    "enabled",
    "confirm",
    "action",
    "page",
    "go",
    "d",
    "state",
    "next",
    "limit",
    "refresh",
    "queued",
    "saved",
    "issuer",
    "client_id",
    "deployment_ids",
    "model",
    "statement",
    "answer",
    "attempt",
    "catalogue",
    "retakes",
    "grade_mode",
]
ADMIN_PASSWORD = "correct horse battery staple"
PATH_VALUES = {
    "int": ["1", "999999", "9" * 30],
    "default": ["x", "..%2F..", "p3-art-of-the-possible"],
    "path": ["x/y", "p3-art-of-the-possible/session-99"],
}


def urls(app: Flask) -> list[tuple[str, str]]:
    """(method, path) for every route, path arguments filled with odd and plausible values."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        paths = [rule.rule]
        for arg in rule.arguments:
            converter = type(rule._converters[arg]).__name__.replace("Converter", "").lower()
            values = PATH_VALUES.get({"integer": "int", "path": "path"}.get(converter, "default"))
            pattern = re.compile(r"<[^>]*\b" + arg + ">")
            paths = [pattern.sub(v, p) for p in paths for v in values]  # type: ignore[union-attr]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found += [(method, p) for p in paths]
    return sorted(found, key=lambda pair: pair[1].endswith("/logout"))  # signed in to the end


def csrf_of(browser: requests.Session, base: str, token: str) -> str:
    for path in (
        "/app/assessment/settings",
        "/app/grades/",
        "/app/assessment/",
        "/app/w/p3-art-of-the-possible/sessions/session-1",
    ):
        page = browser.get(base + path, params={"lt": token}, timeout=10)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if match:
            return match.group(1)
    return ""


# JSON bodies sent to every POST route: malformed, of the wrong shape (not an object), and an
# object whose numbers are beyond what the database holds.
JSON_BODIES = (
    "{",
    "[]",
    "[1, 2]",
    '"x"',
    "5",
    "null",
    '{"statement": [], "value": {}}',
    '{"item": "x", "value": "3", "version": 9223372036854775808, "attempt": 9223372036854775808}',
)


def sweep(
    app: Flask, client: FlaskClient, token: str, csrf: str, admin: bool = False, under: str = "/"
) -> list[str]:
    """Every route (under a path) through the test client (the app's own code sees every
    request; the server stays up for what the routes fetch over HTTP, such as the tool's key set)."""
    problems = []
    for method, path in urls(app):
        if not path.startswith(under):
            continue
        for junk in GARBAGE:
            data: dict[str, Any] = {f: junk for f in FIELDS}
            if token:
                data["lt"] = token
            if token or admin:
                data["csrf_token"] = csrf
            if method == "GET":
                answer = client.get(path, query_string=data)
            else:
                answer = client.post(path, data=data, query_string={"lt": token} if token else None)
            if answer.status_code >= 500:
                problems.append(f"{method} {path} [{junk[:12]!r}] -> {answer.status_code}")
        if method == "POST":  # JSON bodies: malformed, and of the wrong shape
            for body in JSON_BODIES:
                answer = client.post(
                    path,
                    data=body,
                    query_string={"lt": token} if token else None,
                    headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
                )
                if answer.status_code >= 500:
                    problems.append(f"{method} {path} [json {body}] -> {answer.status_code}")
    return problems


def signed_in_admin(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    login = client.get("/admin/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    signed = client.post(
        "/admin/login", data={"password": ADMIN_PASSWORD, "csrf_token": csrf}, follow_redirects=True
    )
    assert signed.status_code == 200
    return client, csrf


@pytest.mark.slow
@pytest.mark.parametrize("who", ["nobody", "learner", "instructor", "administrator"])
def test_no_route_answers_500_to_malformed_input(make_app: Any, who: str) -> None:
    app = make_app(ADMIN_PASSWORD=cheap_hash(ADMIN_PASSWORD), ADMIN_SIGN_IN_MAX_FAILURES=0)
    lms = DemoLms(app.config["BASE_URL"], app.config["DEMO_URL"])
    client, token, csrf = app.test_client(), "", ""
    if who == "administrator":
        client, csrf = signed_in_admin(app)
        assert sweep(app, client, "", csrf, admin=True) == []
        return
    if who != "nobody":
        browser, page = lms.launch(INSTRUCTOR if who == "instructor" else LEARNERS[0])  # a real launch
        token = lms.token_of(page)
        csrf = csrf_of(browser, app.config["BASE_URL"], token)
        assert csrf, "no form with a CSRF token found for this launch"
    assert sweep(app, client, token, csrf) == []


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_the_self_assessment_answers_no_500_to_malformed_input(launch_as: Any, who: str) -> None:
    """The sweep above launches into the workshop; the self-assessment's routes answer in depth
    only to a launch into its activity (a learner with a draft, the instructor's class view)."""
    person = launch_as(who, sub=f"{who}-1", item="partnership-assessment")
    if who == "learner":
        assert person.post("/app/assessment/begin", {"partnership": "P3"}).status_code == 303
    csrf = person.csrf("/app/assessment/")
    assert sweep(person.app, person.client, person.token, csrf, under="/app/assessment") == []


def _autosave(launch_as: Any, body: bytes) -> Any:
    ben = launch_as("learner", sub="201", item="partnership-assessment")
    assert ben.post("/app/assessment/begin", {"partnership": "P3"}).status_code == 303
    return ben.client.post(
        "/app/assessment/answer",
        data=body,
        content_type="application/json",
        headers={"X-Launch-Token": ben.token, "X-CSRF-Token": ben.csrf("/app/assessment/")},
    )


@pytest.mark.parametrize("body", [b"[1, 2]", b'"x"', b"5", b"null", b"{"])
def test_an_autosave_that_is_not_a_json_object_is_a_400(launch_as: Any, body: bytes) -> None:
    answer = _autosave(launch_as, body)
    assert answer.status_code == 400
    assert answer.json == {"error": "bad_answer", "message": "Send a JSON object with an item and a value."}


@pytest.mark.parametrize("attempt", [9223372036854775808, 2**31, 0, -1])
def test_an_autosave_for_an_attempt_no_record_can_have_is_a_400(launch_as: Any, attempt: int) -> None:
    answer = _autosave(launch_as, json.dumps({"item": "need-1", "value": "3", "attempt": attempt}).encode())
    assert answer.status_code == 400
    assert answer.json["error"] == "bad_attempt"


@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999", "3"])
def test_a_class_view_page_past_the_last_shows_the_last(
    launch_as: Any, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setattr("lti_tool.views.assessment_class.PAGE_SIZE", 1)  # two learners, two pages
    ada = launch_as("instructor", sub="ada", item="partnership-assessment")
    for sub in ("ben", "chloe"):
        learner = launch_as("learner", sub=sub, item="partnership-assessment")
        assert learner.post("/app/assessment/begin", {"partnership": "P3"}).status_code == 303
    answer = ada.get("/app/assessment/", page=page)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "page 2 of 2" in html and 'rel="prev"' in html and 'rel="next"' not in html
