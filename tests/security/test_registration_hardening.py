"""Finding 3: dynamic registration aimed inside the network, echoing what it found, with a
one-time link good for unlimited attempts."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import LaunchFailure, Platform, RegistrationLink
from lti_tool.services import registration as registration_service
from tests.support.admin_password import cheap_hash
from tests.support.registering_platform import RegisteringPlatform
from tests.support.scripted_server import Reply, ScriptedServer

SECRET = "INTERNAL-ADMIN-PANEL-SECRET-42"
ERROR_CLASSES = ("ConnectionError", "Timeout", "ReadTimeout", "MaxRetryError", "NewConnectionError", "Errno")


@pytest.fixture
def moodle() -> Iterator[RegisteringPlatform]:
    platform = RegisteringPlatform("moodle")
    yield platform
    platform.stop()


def only(platform: RegisteringPlatform) -> str:
    """An allow-list naming just this platform's host:port, as for an LMS on a private network."""
    return platform.url.split("//", 1)[1]


def register(app: Flask, platform: RegisteringPlatform, **extra: str) -> requests.Response:
    params = {
        "openid_configuration": platform.configuration_url,
        "registration_token": platform.registration_token,
        **extra,
    }
    return requests.get(app.config["BASE_URL"] + "/lti/register", params=params, timeout=30)


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)))


@pytest.mark.parametrize("endpoint", ["registration_endpoint", "jwks_uri", "token_endpoint"])
def test_endpoints_inside_the_network_are_refused_and_never_called(
    endpoint: str, make_app: Any, moodle: RegisteringPlatform, servers: Callable[..., ScriptedServer]
) -> None:
    internal = servers(lambda m, p, b: Reply(500, SECRET.encode()))
    app = make_app(OUTBOUND_ALLOWLIST=only(moodle))  # the LMS is allowed; nothing else here is
    moodle.config_overrides[endpoint] = internal.url + "/admin"
    page = register(app, moodle)
    assert 400 <= page.status_code < 500
    assert internal.requests == [], "the tool called an address inside the network"
    assert SECRET not in page.text
    assert "could not reach 127.0.0.1" in page.text
    assert count(app, Platform) == 0


def test_what_a_refusing_endpoint_says_is_not_echoed(app: Flask, moodle: RegisteringPlatform) -> None:
    moodle.refuse_with = (500, SECRET)
    page = register(app, moodle)
    assert page.status_code == 400 and "platform_refused" in page.text and "HTTP 500" in page.text
    assert SECRET not in page.text


def test_closed_and_slow_ports_look_the_same(
    make_app: Any, moodle: RegisteringPlatform, servers: Callable[..., ScriptedServer]
) -> None:
    """Naming the exception class told a closed port (ConnectionError) from an open one."""
    silent = servers(lambda m, p, b: (time.sleep(3), Reply(200))[1])  # accepts, then says nothing
    app = make_app(HTTP_TIMEOUT=1)
    pages = []
    for url in ("http://127.0.0.1:9/register", silent.url + "/register"):
        moodle.config_overrides["registration_endpoint"] = url
        pages.append(register(app, moodle))
    for page in pages:
        assert 400 <= page.status_code < 500
        assert not any(name in page.text for name in ERROR_CLASSES), page.text[:1500]
        assert "could not reach 127.0.0.1" in page.text


def _link(app: Flask) -> str:
    with app.app_context():
        _, code = registration_service.create_link("a school", 1)
    return code


def test_a_link_allows_three_failed_attempts_then_is_spent(
    make_app: Any, moodle: RegisteringPlatform
) -> None:
    app = make_app(REGISTRATION_MODE="token")
    code = _link(app)
    moodle.refuse_with = (403, "token expired")
    for _ in range(3):
        assert "platform_refused" in register(app, moodle, reg=code).text
    moodle.refuse_with = None
    spent = register(app, moodle, reg=code)
    assert spent.status_code == 403 and "registration_link_spent" in spent.text
    assert len(moodle.requests) == 3 and count(app, Platform) == 0


def test_a_link_is_bound_to_the_first_platform_that_uses_it(
    make_app: Any, moodle: RegisteringPlatform
) -> None:
    app = make_app(REGISTRATION_MODE="token")
    code = _link(app)
    moodle.refuse_with = (403, "token expired")
    register(app, moodle, reg=code)  # the first platform fails once...
    other = RegisteringPlatform("moodle")
    try:
        taken = register(app, other, reg=code)  # ...and the link is still its own
        assert taken.status_code == 403 and "registration_link_other_platform" in taken.text
        assert other.requests == []
    finally:
        other.stop()
    moodle.refuse_with = None
    assert register(app, moodle, reg=code).status_code == 200


def test_refused_registrations_are_recorded_and_shown_to_the_administrator(
    make_app: Any, moodle: RegisteringPlatform
) -> None:
    app = make_app(
        REGISTRATION_MODE="token", ADMIN_PASSWORD=cheap_hash("pw-for-the-test"), ADMIN_SIGN_IN_MAX_FAILURES=0
    )
    code = _link(app)
    moodle.refuse_with = (403, "token expired")
    register(app, moodle, reg=code)
    register(app, moodle, reg="made-up-code")
    with app.app_context():
        kinds = {(f.kind, f.reason) for f in db.session.scalars(select(LaunchFailure))}
        link = db.session.scalars(select(RegistrationLink)).one()
        assert (link.failed_attempts, link.issuer) == (1, moodle.issuer)
    assert ("registration", "platform_refused") in kinds
    assert ("registration", "registration_link_unknown") in kinds
    admin = requests.Session()
    base = app.config["BASE_URL"]
    login = admin.get(base + "/admin/login", timeout=5)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
    dashboard = admin.post(
        base + "/admin/login", data={"password": "pw-for-the-test", "csrf_token": csrf}, timeout=5
    )
    assert 'class="failure-registration"' in dashboard.text and "platform_refused" in dashboard.text
    assert "1 failed attempt" in dashboard.text
