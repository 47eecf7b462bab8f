"""Finding 1: one slow platform must not take the tool down for every platform.

The launch used to fetch a platform's key set while holding its pooled database connection:
with a small pool, launches waiting on a key set that drips a byte at a time exhausted it, and
/healthz and every other platform's launches failed (503, 500) until the drip ended."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.security.conftest import flow_for, register
from tests.support.independent_platform import IndependentPlatform
from tests.support.scripted_server import Reply, ScriptedServer

WAITING_LAUNCHES = 16


def small_pool(db_backend: str) -> dict[str, Any]:
    options: dict[str, Any] = {"pool_size": 2, "max_overflow": 0, "pool_timeout": 2}
    if db_backend == "sqlite":
        options["connect_args"] = {"timeout": 30}
    return options


@pytest.mark.both_dbs
def test_launches_waiting_on_a_dripping_key_set_hold_no_database_connection(
    make_app: Any,
    db_backend: str,
    platforms: Callable[..., IndependentPlatform],
    servers: Callable[..., ScriptedServer],
) -> None:
    app = make_app(HTTP_TIMEOUT=30, SQLALCHEMY_ENGINE_OPTIONS=small_pool(db_backend))
    slow, healthy = platforms("slow-client"), platforms("healthy-client")
    stop_dripping = threading.Event()

    def dripping_jwks(method: str, path: str, body: bytes) -> Reply:
        payload = b'{"keys": []}'

        def chunks():  # type: ignore[no-untyped-def]
            for byte in payload:
                if stop_dripping.wait(0.5):
                    return  # the server hangs up: the body is cut short
                yield bytes([byte])

        return Reply(200, chunks(), {"Content-Type": "application/json"})

    drip = servers(dripping_jwks)
    register(app, slow, key_set_url=drip.url + "/jwks")
    register(app, healthy)
    slow_flows = [flow_for(app, slow) for _ in range(WAITING_LAUNCHES)]
    logins = [flow.login() for flow in slow_flows]
    answers: list[int] = []

    def launch(index: int) -> None:
        flow = slow_flows[index]
        state, nonce = logins[index]
        answers.append(flow.launch(flow.good_token(nonce), state).status_code)

    threads = [threading.Thread(target=launch, args=(i,)) for i in range(WAITING_LAUNCHES)]
    for thread in threads:
        thread.start()
    try:
        assert drip.wait_for(lambda s: s.in_flight >= 1), "no launch reached the key set"
        base = app.config["BASE_URL"]
        health = requests.get(base + "/healthz", timeout=60)
        other = flow_for(app, healthy)
        state, nonce = other.login()
        entered = other.launch(other.good_token(nonce), state)
        still_dripping = drip.in_flight >= 1
    finally:
        stop_dripping.set()
        for thread in threads:
            thread.join(60)
    assert health.status_code == 200, health.text
    assert entered.status_code == 200, entered.text[:500]
    assert still_dripping, "the slow key set was no longer being read: the check proved nothing"
    assert len(answers) == WAITING_LAUNCHES and all(code < 500 or code == 502 for code in answers), answers
