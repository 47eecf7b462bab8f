"""A sweep of every route with malformed input, as nobody, as a learner and as an instructor of
a real launch (with a valid CSRF token, so that the handlers themselves see the garbage): the
answer is a page or JSON error in the 4xx range, or a success, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from flask import Flask

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


def sweep(app: Flask, browser: requests.Session, token: str, csrf: str, admin: bool = False) -> list[str]:
    base = app.config["BASE_URL"]
    problems = []
    for method, path in urls(app):
        url = (app.config["DEMO_URL"] if path.startswith("/demo") else base) + path
        for junk in GARBAGE:
            data: dict[str, Any] = {f: junk for f in FIELDS}
            if token:
                data["lt"] = token
            if token or admin:
                data["csrf_token"] = csrf
            if method == "GET":
                answer = browser.get(url, params=data, timeout=10, allow_redirects=False)
            else:
                answer = browser.post(
                    url, data=data, params={"lt": token} if token else None, timeout=10, allow_redirects=False
                )
            if answer.status_code >= 500:
                problems.append(f"{method} {path} [{junk[:12]!r}] -> {answer.status_code}")
        if method == "POST":  # JSON bodies: malformed, and of the wrong shape
            for body in ("{", "[]", '{"statement": [], "value": {}}', "null"):
                answer = browser.post(
                    url,
                    data=body,
                    params={"lt": token} if token else None,
                    headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
                    timeout=10,
                )
                if answer.status_code >= 500:
                    problems.append(f"{method} {path} [json {body}] -> {answer.status_code}")
    return problems


def signed_in_admin(app: Flask) -> tuple[requests.Session, str]:
    browser = requests.Session()
    base = app.config["BASE_URL"]
    login = browser.get(base + "/admin/login", timeout=5)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
    signed = browser.post(
        base + "/admin/login", data={"password": ADMIN_PASSWORD, "csrf_token": csrf}, timeout=5
    )
    assert signed.status_code == 200
    return browser, csrf


@pytest.mark.parametrize("who", ["nobody", "learner", "instructor", "administrator"])
def test_no_route_answers_500_to_malformed_input(make_app: Any, who: str) -> None:
    app = make_app(ADMIN_PASSWORD=ADMIN_PASSWORD, ADMIN_SIGN_IN_MAX_FAILURES=0)
    lms = DemoLms(app.config["BASE_URL"], app.config["DEMO_URL"])
    browser, token, csrf = requests.Session(), "", ""
    if who == "administrator":
        browser, csrf = signed_in_admin(app)
        assert sweep(app, browser, "", csrf, admin=True) == []
        return
    if who != "nobody":
        browser, page = lms.launch(INSTRUCTOR if who == "instructor" else LEARNERS[0])
        token = lms.token_of(page)
        csrf = csrf_of(browser, app.config["BASE_URL"], token)
        assert csrf, "no form with a CSRF token found for this launch"
    assert sweep(app, browser, token, csrf) == []
