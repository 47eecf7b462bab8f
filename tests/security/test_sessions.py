"""Findings 6 and 7: bearer tokens that lived 4 hours in URLs (and so in access logs), pages with
personal data that caches could keep, and an administrator area that failed open."""

from __future__ import annotations

import hmac
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from lti_tool import create_app
from lti_tool.settings import load_settings
from tests.conftest import TEST_SECRET
from tests.support.admin_password import cheap_hash
from tests.support.lms import LEARNERS, DemoLms

PASSWORD = "a-long-enough-test-password"
SESSION_1 = "/app/w/p3-art-of-the-possible/sessions/session-1"


def meta_token(page: str) -> str:
    return page.split('<meta name="launch-token" content="')[1].split('"')[0]


def test_launch_tokens_live_minutes_by_default() -> None:
    assert load_settings({}, {})["LAUNCH_TOKEN_TTL"] <= 30 * 60


def test_every_page_renews_the_token_and_an_old_one_expires(
    lms: DemoLms, base_url: str, app: Flask, clock: Any
) -> None:
    ttl = app.config["LAUNCH_TOKEN_TTL"]
    clock.install(app)
    _, page = lms.launch(LEARNERS[0])
    first = lms.token_of(page)
    clock.advance(60)  # a minute later...
    later = requests.get(base_url + SESSION_1, params={"lt": first}, timeout=10)
    assert later.status_code == 200
    renewed = meta_token(later.text)
    assert renewed != first and f"lt={renewed}" in later.text  # the page's links carry the new one
    clock.advance(ttl - 30)  # ...and past the first token's life, within the renewed one's
    assert requests.get(base_url + SESSION_1, params={"lt": first}, timeout=10).status_code == 401
    assert requests.get(base_url + SESSION_1, params={"lt": renewed}, timeout=10).status_code == 200


def test_a_launch_opens_pages_for_12_hours_at_most(
    lms: DemoLms, base_url: str, app: Flask, clock: Any
) -> None:
    clock.install(app)
    _, page = lms.launch(LEARNERS[0])
    token = lms.token_of(page)
    elapsed = 0
    for _ in range(60):  # renewed every 14 minutes, as an open page would...
        clock.advance(14 * 60)
        elapsed += 14 * 60
        answer = requests.get(base_url + SESSION_1, params={"lt": token}, timeout=10)
        if answer.status_code != 200:
            break
        token = meta_token(answer.text)
    assert answer.status_code == 401 and "session has ended" in answer.text
    assert 12 * 3600 <= elapsed < 12 * 3600 + 14 * 60  # ...until twelve hours after the launch


def test_an_open_page_renews_its_token(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(LEARNERS[0])
    token = lms.token_of(page)
    session_page = requests.get(base_url + SESSION_1, params={"lt": token}, timeout=10).text
    assert 'src="/static/session.js' in session_page
    csrf = session_page.split('<meta name="csrf-token" content="')[1].split('"')[0]
    renewed = requests.post(
        base_url + "/app/session/renew",
        headers={"X-Launch-Token": token, "X-CSRF-Token": csrf, "Accept": "application/json"},
        timeout=10,
    )
    assert renewed.status_code == 200 and renewed.json()["token"]
    refused = requests.post(base_url + "/app/session/renew", headers={"X-Launch-Token": token}, timeout=10)
    assert refused.status_code == 400  # no CSRF token


@pytest.mark.parametrize("path", [SESSION_1, "/app/grades/mine", "/app/", "/app/assessment/"])
def test_pages_of_a_launch_are_never_cached(lms: DemoLms, base_url: str, path: str) -> None:
    _, page = lms.launch(LEARNERS[0])
    answer = requests.get(base_url + path, params={"lt": lms.token_of(page)}, timeout=10)
    assert answer.headers.get("Cache-Control") == "no-store", (answer.status_code, answer.headers)


def test_the_report_is_never_cached(lms: DemoLms, base_url: str) -> None:
    from tests.assessment_app.conftest import ASSESSMENT_TITLE, ITEM, HttpTaker

    lms.add_content([ITEM])
    ben = HttpTaker(lms, LEARNERS[0], lms.activities()[ASSESSMENT_TITLE])
    ben.begin()
    ben.answer_all()
    submitted = ben.post("/app/assessment/submit", allow_redirects=False)
    report = requests.get(base_url + submitted.headers["Location"], timeout=10)
    assert report.status_code == 200 and "report" in report.url
    assert report.headers["Cache-Control"] == "no-store"


# --- the administrator area -------------------------------------------------------------------


def forged_admin_cookie(app: Flask) -> str:
    """What the review forged: the old session keys, signed with the key the app uses."""
    fingerprint = hmac.new(TEST_SECRET.encode(), b"", "sha256").hexdigest()[:16]
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return str(serializer.dumps({"admin_since": time.time(), "admin_pw": fingerprint, "admin_csrf": "x"}))


def test_no_password_means_the_area_is_closed_even_with_a_forged_cookie(app: Flask, base_url: str) -> None:
    browser = requests.Session()
    browser.cookies.set("p3_session", forged_admin_cookie(app))
    answer = browser.get(base_url + "/admin/", allow_redirects=False, timeout=10)
    assert answer.status_code == 403 and "ADMIN_PASSWORD" in answer.text
    added = browser.post(base_url + "/admin/platforms/new", data={"csrf_token": "x"}, timeout=10)
    assert added.status_code == 403
    login = browser.get(base_url + "/admin/login", timeout=10)
    assert login.status_code == 403 and "set-password" in login.text


def test_no_secret_key_is_built_in(tmp_path: Path) -> None:
    assert load_settings({}, {"ENV": "development"})["SECRET_KEY"] is None
    app = create_app({"ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    stored = (Path(app.instance_path) / "secret-key").read_text().strip()
    assert app.config["SECRET_KEY"] == stored and len(stored) >= 32
    assert app.config["SECRET_KEY"] != "dev-only-secret-change-me"
    again = create_app({"ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    assert again.config["SECRET_KEY"] == stored  # the demo keeps its sessions across restarts


def sign_in(base_url: str) -> tuple[requests.Session, str, str]:
    browser = requests.Session()
    login = browser.get(base_url + "/admin/login", timeout=10)
    before = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
    dashboard = browser.post(
        base_url + "/admin/login", data={"password": PASSWORD, "csrf_token": before}, timeout=10
    )
    assert dashboard.status_code == 200 and "Platforms" in dashboard.text
    after = re.search(r'name="csrf_token" value="([^"]+)"', dashboard.text).group(1)  # type: ignore[union-attr]
    return browser, before, after


def test_the_csrf_token_is_new_after_sign_in(make_app: Any) -> None:
    app = make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD), ADMIN_SIGN_IN_MAX_FAILURES=0)
    _, before, after = sign_in(app.config["BASE_URL"])
    assert before != after


def test_signing_out_ends_the_session_on_the_server(make_app: Any) -> None:
    app = make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD), ADMIN_SIGN_IN_MAX_FAILURES=0)
    base = app.config["BASE_URL"]
    browser, _, csrf = sign_in(base)
    copied = browser.cookies.get("p3_session")
    assert browser.post(base + "/admin/logout", data={"csrf_token": csrf}, timeout=10).status_code == 200
    thief = requests.Session()
    thief.cookies.set("p3_session", copied)
    assert thief.get(base + "/admin/", allow_redirects=False, timeout=10).status_code == 302  # to sign-in


@pytest.mark.both_dbs  # the launch and its platform's flag are read in one statement (a join)
def test_disabling_a_platform_ends_its_sessions_at_once(tool_app: Flask, launch_as: Any) -> None:
    from lti_tool.services import platforms as platform_service
    from tests.support.launch_as import CLIENT_ID, ISSUER

    ada = launch_as("instructor", sub="ada", item="partnership-assessment")
    with ada.client.session_transaction() as cookie:  # a browser that accepted the tool's cookie
        cookie["launch_id"] = ada.launch_id
    csrf = ada.csrf("/app/assessment/")
    assert ada.get("/app/assessment/").status_code == 200
    assert ada.client.get("/app/assessment/").status_code == 200  # the cookie alone
    with tool_app.app_context():  # the administrator's switch (a compromised LMS)
        platform_service.set_enabled(platform_service.get_platform(ISSUER, CLIENT_ID), False)
    page = ada.get("/app/assessment/")
    assert page.status_code == 401 and "Your session has ended." in page.get_data(as_text=True)
    assert ada.get("/app/assessment/class/results.csv").status_code == 401
    assert ada.client.get("/app/assessment/").status_code == 401
    renewed = ada.client.post("/app/session/renew", data={"lt": ada.token, "csrf_token": csrf})
    assert renewed.status_code == 401


@pytest.mark.both_dbs  # the launch's epoch and its platform's are compared in that same statement
def test_re_enabling_a_platform_does_not_revive_the_sessions_its_disable_ended(
    tool_app: Flask, launch_as: Any
) -> None:
    from lti_tool.services import platforms as platform_service
    from tests.support.launch_as import CLIENT_ID, ISSUER

    ada = launch_as("instructor", sub="ada", item="partnership-assessment")
    marie = launch_as("learner", sub="marie", item="partnership-assessment", locale="fr-CA")
    with ada.client.session_transaction() as cookie:  # a browser that accepted the tool's cookie
        cookie["launch_id"] = ada.launch_id
    csrf = ada.csrf("/app/assessment/")
    assert ada.get("/app/assessment/").status_code == 200
    assert marie.get("/app/assessment/").status_code == 200
    with tool_app.app_context():  # disabled (a compromised LMS), then enabled again once it is safe
        platform_service.set_enabled(platform_service.get_platform(ISSUER, CLIENT_ID), False)
        platform_service.set_enabled(platform_service.get_platform(ISSUER, CLIENT_ID), True)
    # The tokens are still unexpired, but the sessions ended for good: the same refusal as while
    # the platform was disabled, in the person's language.
    page = ada.get("/app/assessment/")
    assert page.status_code == 401 and "Your session has ended." in page.get_data(as_text=True)
    assert ada.get("/app/assessment/class/results.csv").status_code == 401
    assert ada.client.get("/app/assessment/").status_code == 401  # the cookie alone
    renewed = ada.client.post("/app/session/renew", data={"lt": ada.token, "csrf_token": csrf})
    assert renewed.status_code == 401
    french = marie.get("/app/assessment/")
    assert french.status_code == 401 and "Votre session a pris fin." in french.get_data(as_text=True)
    # A launch from the LMS after the platform was enabled again opens the tool as before.
    again = launch_as("instructor", sub="ada", item="partnership-assessment")
    assert again.get("/app/assessment/").status_code == 200
    assert again.get("/app/assessment/class/results.csv").status_code == 200
    # A second disable and enable ends that launch's session too (each disable counts).
    with tool_app.app_context():
        platform_service.set_enabled(platform_service.get_platform(ISSUER, CLIENT_ID), False)
        platform_service.set_enabled(platform_service.get_platform(ISSUER, CLIENT_ID), True)
    assert again.get("/app/assessment/").status_code == 401
