"""The administrator sign-in throttle from IPv6 and from many places (security review B,
finding 3): wrong passwords count per IPv6 /64, not per address (a host is given a whole /64),
and past a ceiling of wrong passwords from all clients together, sign-in waits for everyone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.support.admin_password import cheap_hash

PASSWORD = "correct horse battery staple"
# A cheap hash (accepted as is): these tests check many passwords, the hashing is not their point.
CHEAP = cheap_hash(PASSWORD)


def _attempt(app: Flask, address: str, password: str) -> Any:
    client = app.test_client()
    env = {"REMOTE_ADDR": address}
    page = client.get("/admin/login", environ_base=env).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return client.post(
        "/admin/login", data={"password": password, "csrf_token": found.group(1)}, environ_base=env
    )


def test_guesses_from_one_ipv6_64_are_counted_together(make_tool_app: Any) -> None:
    app = make_tool_app(ADMIN_PASSWORD=CHEAP)  # 5 wrong passwords per client in 15 minutes
    statuses = [_attempt(app, f"2001:db8:1:2::{i + 1:x}", f"guess-{i}").status_code for i in range(30)]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 25
    refused = _attempt(app, "2001:db8:1:2:ffff:ffff:ffff:ffff", PASSWORD)  # the /64's last address
    assert refused.status_code == 429 and "from this computer" in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    # The next /64, and an IPv4 client, are other clients.
    assert _attempt(app, "2001:db8:1:3::1", "guess").status_code == 401
    assert _attempt(app, "203.0.113.5", "guess").status_code == 401


@pytest.mark.both_dbs
def test_the_global_ceiling_stops_guesses_from_many_prefixes_for_everyone(make_tool_app: Any) -> None:
    app = make_tool_app(ADMIN_PASSWORD=CHEAP)  # at most 50 wrong passwords from all clients
    statuses = []
    for prefix in range(13):  # 13 /64s, 4 guesses each: under every client's own limit
        for guess in range(4):
            address = f"2001:db8:{prefix:x}:1::{guess + 1:x}"
            statuses.append(_attempt(app, address, f"guess-{prefix}-{guess}").status_code)
    assert statuses[:50] == [401] * 50
    assert statuses[50:] == [429] * 2
    # Everyone waits, the administrator with the right password from a new address too.
    refused = _attempt(app, "198.51.100.7", PASSWORD)
    assert refused.status_code == 429
    assert "paused for everyone" in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 900


def test_the_administrator_signs_in_again_once_the_window_has_passed(make_tool_app: Any, clock: Any) -> None:
    app = make_tool_app(
        ADMIN_PASSWORD=CHEAP, ADMIN_SIGN_IN_GLOBAL_MAX_FAILURES=3, ADMIN_SIGN_IN_WINDOW_SECONDS=600
    )
    clock.install(app)
    for i in range(3):
        assert _attempt(app, f"192.0.2.{i + 1}", "guess").status_code == 401
    assert _attempt(app, "198.51.100.7", PASSWORD).status_code == 429
    clock.advance(601)
    assert _attempt(app, "198.51.100.7", PASSWORD).status_code == 303


def test_whom_failures_are_counted_against() -> None:
    from lti_tool.services.admin_auth import throttle_client

    assert throttle_client("203.0.113.5") == "203.0.113.5"
    assert throttle_client("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert throttle_client("2001:db8:1:2:ffff::9%eth0") == "2001:db8:1:2::/64"
    assert throttle_client("::ffff:203.0.113.5") == "203.0.113.5"
    assert throttle_client("not an address") == "not an address"
