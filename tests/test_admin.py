"""The administrator area: its own password and session; an LTI launch grants nothing there."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import AdminSignInFailure, Platform, RegistrationLink, ToolKey
from tests.support.admin_password import cheap_hash
from tests.support.lms import INSTRUCTOR, DemoLms

PASSWORD = "correct horse battery staple"


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


class Admin:
    def __init__(self, app: Flask) -> None:
        self.base = app.config["BASE_URL"]
        self.browser = requests.Session()
        self.token = ""

    def login(self, password: str = PASSWORD, address: str | None = None) -> requests.Response:
        """Sign in; ``address`` poses as that client (the app must trust X-Forwarded-For)."""
        headers = {"X-Forwarded-For": address} if address else {}
        page = self.browser.get(self.base + "/admin/login", timeout=5)
        return self.browser.post(
            self.base + "/admin/login",
            timeout=5,
            headers=headers,
            data={"password": password, "csrf_token": csrf(page.text)},
        )

    def get(self, path: str) -> requests.Response:
        page = self.browser.get(self.base + path, timeout=5)
        if 'name="csrf_token"' in page.text:
            self.token = csrf(page.text)
        return page

    def post(self, path: str, **data: str) -> requests.Response:
        if not self.token:
            self.get("/admin/")
        return self.browser.post(self.base + path, data={"csrf_token": self.token, **data}, timeout=5)


@pytest.fixture
def admin_app(make_app: Any) -> Flask:
    return make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD))


@pytest.fixture
def admin(admin_app: Flask) -> Admin:
    signed_in = Admin(admin_app)
    assert signed_in.login().status_code == 200
    return signed_in


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_anonymous_is_refused_everywhere(admin_app: Flask) -> None:
    base = admin_app.config["BASE_URL"]
    page = requests.get(base + "/admin/", timeout=5, allow_redirects=False)
    assert page.status_code == 302 and "/admin/login" in page.headers["Location"]
    for path in ("/admin/keys/rotate", "/admin/links", "/admin/platforms/1/delete"):
        assert requests.post(base + path, data={"confirm": "yes"}, timeout=5).status_code == 401
    for path in ("/admin/keys/rotate", "/admin/platforms/1/remove"):
        assert "/admin/login" in requests.get(base + path, timeout=5).url
    assert count(admin_app, ToolKey) == 0 and count(admin_app, RegistrationLink) == 0


def test_wrong_password_and_missing_csrf(admin_app: Flask) -> None:
    visitor = Admin(admin_app)
    wrong = visitor.login("not the password")
    assert wrong.status_code == 401 and "not right" in wrong.text
    no_csrf = visitor.browser.post(visitor.base + "/admin/login", data={"password": PASSWORD}, timeout=5)
    assert no_csrf.status_code == 400
    assert visitor.browser.get(visitor.base + "/admin/", timeout=5).url.endswith("/admin/login?next=/admin/")


def test_lti_launch_grants_nothing(admin_app: Flask) -> None:
    lms = DemoLms(admin_app.config["BASE_URL"], admin_app.config["DEMO_URL"])
    browser, page = lms.launch(INSTRUCTOR)
    assert page.status_code == 200
    token = lms.token_of(page)
    base = admin_app.config["BASE_URL"]
    dash = browser.get(base + "/admin/", params={"lt": token}, timeout=5, allow_redirects=False)
    assert dash.status_code == 302 and "/admin/login" in dash.headers["Location"]
    rotate = browser.post(
        base + "/admin/keys/rotate", headers={"X-Launch-Token": token}, data={"lt": token}, timeout=5
    )
    assert rotate.status_code == 401
    assert count(admin_app, ToolKey) == 0  # nothing rotated


def test_no_password_configured_means_no_way_in(app: Flask) -> None:
    visitor = Admin(app)
    refused = visitor.login("")
    assert refused.status_code == 403 and "no administrator password is set" in refused.text


def test_the_check_without_a_password_costs_what_a_real_one_does() -> None:
    """With no password configured, a guess is still checked against a hash (admin_auth's
    _DUMMY_HASH, a constant): hashed the way werkzeug hashes a password today, or a refusal
    would say by its speed that no password is set."""
    from werkzeug.security import check_password_hash, generate_password_hash

    from lti_tool.services import admin_auth

    method = admin_auth._DUMMY_HASH.split("$", 1)[0]
    assert method == generate_password_hash("x").split("$", 1)[0]
    assert check_password_hash(admin_auth._DUMMY_HASH, "never-a-password")


def test_dashboard_lists_platforms_keys_and_failures(admin_app: Flask, admin: Admin) -> None:
    base = admin_app.config["BASE_URL"]
    for _ in range(3):
        requests.post(
            base + "/lti/login",
            timeout=5,
            data={
                "iss": "https://stranger.example",
                "login_hint": "x",
                "target_link_uri": base + "/lti/launch",
            },
        )
    requests.get(admin_app.config["DEMO_URL"] + "/demo/", timeout=5)  # registers the demo
    page = admin.get("/admin/")
    assert page.status_code == 200
    assert "p3-demo-lms" in page.text
    row = re.search(
        r"stranger\.example.*?<code>unknown_issuer</code></td><td class=\"count\">"
        r"(\d+)<",
        page.text,
        re.S,
    )
    assert row and row.group(1) == "3"
    assert page.headers["Cache-Control"] == "no-store"


@pytest.mark.both_dbs
def test_add_edit_disable_remove_platform(admin_app: Flask, admin: Admin) -> None:
    bad = admin.post(
        "/admin/platforms/new",
        issuer="https://moodle.example",
        client_id="",
        auth_login_url="not a url",
        auth_token_url="https://moodle.example/t",
        key_set_url="https://moodle.example/k",
    )
    assert bad.status_code == 400 and 'id="e-auth_login_url"' in bad.text
    # Each problem names its field, in a list at the top that links to the field.
    top = bad.text.split('id="form-problems"')[1].split("</div>")[0]
    assert '<a href="#f-client_id">Client ID: Required: it cannot be empty.</a>' in top
    assert '<a href="#f-auth_login_url">OIDC authorization URL: Not a valid URL.</a>' in top
    assert count(admin_app, Platform) == 0
    added = admin.post(
        "/admin/platforms/new",
        name="Moodle",
        issuer="https://moodle.example",
        client_id="abc",
        auth_login_url="https://moodle.example/auth",
        auth_token_url="https://moodle.example/token",
        key_set_url="https://moodle.example/jwks",
        deployment_ids="1\n2",
    )
    assert added.status_code == 200 and "Platform #1 added" in added.text
    edited = admin.post(
        "/admin/platforms/1/edit",
        name="Moodle",
        issuer="https://moodle.example",
        client_id="abc",
        auth_login_url="https://moodle.example/auth",
        auth_token_url="https://moodle.example/token",
        key_set_url="https://moodle.example/jwks",
        deployment_ids="2, 3",
    )
    assert edited.status_code == 200
    with admin_app.app_context():
        assert db.session.get(Platform, 1).deployment_ids == ["2", "3"]
    disabled = admin.post("/admin/platforms/1/enabled", enabled="0")
    assert "its sessions have ended, and stay ended once it is enabled again" in disabled.text
    with admin_app.app_context():
        assert db.session.get(Platform, 1).enabled is False
    assert admin.post("/admin/platforms/1/delete").status_code == 400  # not confirmed
    dashboard = admin.get("/admin/").text
    assert "/admin/platforms/1/delete" not in dashboard  # no one-click removal
    confirm = admin.get("/admin/platforms/1/remove")
    assert confirm.status_code == 200 and "This deletes, for good" in confirm.text
    assert "0 self-assessment attempts" in confirm.text and "its 0 launch records" in confirm.text
    assert "disable the platform instead" in confirm.text
    assert count(admin_app, Platform) == 1
    assert admin.post("/admin/platforms/1/delete", confirm="yes").status_code == 200
    assert count(admin_app, Platform) == 0
    assert admin.get("/admin/platforms/1/edit").status_code == 404


def test_csrf_is_checked_when_signed_in(admin_app: Flask, admin: Admin) -> None:
    forged = admin.browser.post(admin.base + "/admin/keys/rotate", data={"csrf_token": "x"}, timeout=5)
    assert forged.status_code == 400
    assert count(admin_app, ToolKey) == 0


def test_rotate_keys(admin_app: Flask, admin: Admin) -> None:
    before = requests.get(admin.base + "/lti/jwks", timeout=5).json()["keys"]
    dashboard = admin.get("/admin/").text
    assert 'action="/admin/keys/rotate"' not in dashboard  # a link to the confirmation, no button
    confirm = admin.get("/admin/keys/rotate")
    assert confirm.status_code == 200 and before[0]["kid"] in confirm.text
    overlap = admin_app.config["KEY_ROTATION_OVERLAP_DAYS"]
    assert f"for {overlap} days, then disappears" in confirm.text
    assert admin.post("/admin/keys/rotate").status_code == 400  # not confirmed
    assert requests.get(admin.base + "/lti/jwks", timeout=5).json()["keys"] == before
    assert admin.post("/admin/keys/rotate", confirm="rotate").status_code == 200
    after = requests.get(admin.base + "/lti/jwks", timeout=5).json()["keys"]
    assert len(after) == 2 and before[0]["kid"] in {k["kid"] for k in after}


def test_registration_links_create_list_revoke(admin_app: Flask, admin: Admin) -> None:
    created = admin.post("/admin/links", label="University Moodle")
    link = re.search(r'<code id="new-link">([^<]+)</code>', created.text)
    assert link and "/lti/register?reg=" in link.group(1)
    assert "University Moodle" in created.text and "usable" in created.text
    again = admin.get("/admin/")
    assert 'id="new-link"' not in again.text  # shown once
    assert admin.post("/admin/links/1/revoke").status_code == 200
    assert "revoked" in admin.get("/admin/").text
    code = link.group(1).split("reg=", 1)[1]
    refused = requests.get(
        admin.base + "/lti/register",
        timeout=5,
        params={"openid_configuration": "https://moodle.example/openid", "reg": code},
    )
    assert refused.status_code == 403 and "registration_link_revoked" in refused.text


def test_cli_set_password(make_app: Any) -> None:
    app = make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["admin", "set-password", "--password", "short"]).exit_code == 2
    result = runner.invoke(args=["admin", "set-password", "--password", "a-new-long-password"])
    assert result.exit_code == 0, result.output
    assert Admin(app).login("a-new-long-password").status_code == 200
    assert Admin(app).login(PASSWORD).status_code == 401  # the database credential wins
    link = runner.invoke(args=["admin", "registration-link", "--label", "x"])
    assert link.exit_code == 0 and "/lti/register?reg=" in link.output


def test_password_setting_is_kept_only_as_a_hash(make_app: Any) -> None:
    """A plain ADMIN_PASSWORD, as an operator writes it (the other tests give a cheap hash), is
    hashed at start-up, kept only as that hash, and signs in."""
    from werkzeug.security import check_password_hash

    app = make_app(ADMIN_PASSWORD=PASSWORD)
    assert "ADMIN_PASSWORD" not in app.config
    kept = str(app.config["ADMIN_PASSWORD_HASH"])
    assert PASSWORD not in kept and check_password_hash(kept, PASSWORD)
    assert Admin(app).login(PASSWORD).status_code == 200


@pytest.fixture
def guarded_app(make_app: Any) -> Flask:
    return make_app(
        ADMIN_PASSWORD=cheap_hash(PASSWORD),
        PROXY_FIX=1,
        ADMIN_SIGN_IN_MAX_FAILURES=3,
        ADMIN_SIGN_IN_WINDOW_SECONDS=600,
    )


def test_password_guessing_is_slowed_down_per_client(guarded_app: Flask) -> None:
    guesser = Admin(guarded_app)
    for _ in range(3):
        assert guesser.login("guess", address="203.0.113.5").status_code == 401
    refused = guesser.login(PASSWORD, address="203.0.113.5")  # even the right one, for now
    assert refused.status_code == 429 and "Too many wrong passwords" in refused.text
    assert 590 <= int(refused.headers["Retry-After"]) <= 600
    assert guesser.browser.get(guesser.base + "/admin/", timeout=5).url.endswith("/admin/login?next=/admin/")
    assert Admin(guarded_app).login(address="198.51.100.7").status_code == 200  # others not
    with guarded_app.app_context():  # no readable address is stored
        clients = db.session.scalars(select(AdminSignInFailure.client)).all()
    assert len(clients) == 3 and not any("203.0.113" in c for c in clients)


def test_the_right_password_forgets_earlier_failures(guarded_app: Flask) -> None:
    admin = Admin(guarded_app)
    for _ in range(2):
        assert admin.login("typo", address="192.0.2.1").status_code == 401
    assert admin.login(address="192.0.2.1").status_code == 200
    for _ in range(3):
        assert Admin(guarded_app).login("typo", address="192.0.2.1").status_code == 401


@pytest.mark.both_dbs
def test_concurrent_guesses_get_no_more_tries(guarded_app: Flask) -> None:
    def guess(_: int) -> int:
        return Admin(guarded_app).login("guess", address="203.0.113.9").status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(guess, range(12)))
    assert statuses.count(401) <= 3 and statuses.count(401) + statuses.count(429) == 12


def test_cleanup_forgets_failures_outside_the_window(make_app: Any, clock: Any) -> None:
    app = make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD), ADMIN_SIGN_IN_WINDOW_SECONDS=60)
    clock.install(app)
    assert Admin(app).login("guess").status_code == 401
    assert "Removed 0 old" in app.test_cli_runner().invoke(args=["cleanup"]).output
    clock.advance(61)
    output = app.test_cli_runner().invoke(args=["cleanup"]).output
    assert "Removed 1 old administrator sign-in failure(s)." in output
    assert count(app, AdminSignInFailure) == 0


def test_dashboard_shows_grade_delivery_per_platform(make_app: Any) -> None:
    from tests.grades.conftest import FAST, launch_id_of, settle, submit
    from tests.support.lms import LEARNERS

    app = make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD), **FAST)
    lms = DemoLms(app.config["BASE_URL"], app.config["DEMO_URL"])
    activity = lms.place_assessment(10)
    launches = [launch_id_of(app, lms.launch(learner, activity)[1]) for learner in LEARNERS[:2]]
    submit(app, launches[0], 7)
    settle(app)
    requests.post(
        app.config["DEMO_URL"] + "/demo/faults",
        timeout=5,
        json={
            "faults": [{"kind": "reject", "times": -1, "target": "ags", "message": "Grade item is locked"}]
        },
    )
    submit(app, launches[1], 4)
    settle(app)
    admin = Admin(app)
    assert admin.login().status_code == 200
    page = admin.get("/admin/")
    row = re.search(r'<tr data-platform="\d+"><th scope="row">([^<]*)</th>(.*?)</tr>', page.text, re.S)
    assert row and "(p3-demo-lms)" in row.group(1)  # the demo platform's client id
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(2), re.S)
    assert [c.strip() for c in cells[:3]] == ["1", "0", "1"]  # delivered, pending, failed
    assert "HTTP 422" in cells[4] and "Grade item is locked" not in cells[4]  # the LMS's words: log only


@pytest.mark.parametrize("mode", ["open", "allowlist", "token", "off"])
def test_dashboard_gives_the_registration_url_that_works_in_its_mode(make_app: Any, mode: str) -> None:
    """The URL the administrator is shown is one the registration accepts in that mode: the plain
    URL in open mode (and allowlist mode, for the listed issuers), a one-time link in token mode
    (the plain URL is refused there, and is not offered), none when registration is off."""
    from tests.support.registering_platform import RegisteringPlatform

    moodle = RegisteringPlatform("moodle")
    try:
        app = make_app(
            ADMIN_PASSWORD=cheap_hash(PASSWORD),
            REGISTRATION_MODE=mode,
            REGISTRATION_ALLOWED_ISSUERS=moodle.issuer,
        )
        admin = Admin(app)
        page = admin.login().text
        plain = re.search(r'<code id="register-url">([^<]+)</code>', page)
        if mode in ("open", "allowlist"):
            assert plain is not None
            url = plain.group(1)
        elif mode == "token":
            assert plain is None and "one-time registration link" in page
            created = admin.post("/admin/links", label="University Moodle").text
            url = re.search(r'<code id="new-link">([^<]+)</code>', created).group(1)  # type: ignore[union-attr]
            refused = requests.get(
                admin.base + "/lti/register",
                params={"openid_configuration": moodle.configuration_url},
                timeout=10,
            )
            assert refused.status_code == 403
        else:
            assert plain is None and "/admin/links" not in page and "Add a platform" in page
            return
        assert mode != "allowlist" or moodle.issuer in page
        sep = "&" if "?" in url else "?"
        registered = requests.get(
            f"{url}{sep}openid_configuration={moodle.configuration_url}"
            f"&registration_token={moodle.registration_token}",
            timeout=10,
        )
        assert registered.status_code == 200, registered.text[:500]
        assert count(app, Platform) == 1
    finally:
        moodle.stop()
