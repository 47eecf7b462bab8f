"""Finding 2 (no total deadline, no size cap) and the destination policy of finding 3, seen
through the calls the tool makes: a platform's key set during a launch."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.security.conftest import flow_for, jwks_reply, register
from tests.support.independent_platform import IndependentPlatform
from tests.support.scripted_server import Reply, ScriptedServer, drip

ERROR_CLASSES = ("ConnectionError", "Timeout", "ReadTimeout", "MaxRetryError", "Errno", "urllib3")


def launch(app: Any, platform: IndependentPlatform) -> Any:
    flow = flow_for(app, platform)
    state, nonce = flow.login()
    return flow.launch(flow.good_token(nonce), state)


def test_a_dripping_key_set_is_abandoned_at_the_total_deadline(
    make_app: Any, platforms: Callable[..., IndependentPlatform], servers: Callable[..., ScriptedServer]
) -> None:
    app = make_app(HTTP_TIMEOUT=1)
    platform = platforms()
    payload = json.dumps(platform.jwks()).encode()
    # A byte every 0.1 s: each gap is far under the 1 s setting, the whole far over it.
    server = servers(lambda m, p, b: Reply(200, drip(payload, 0.1), {"Content-Type": "application/json"}))
    register(app, platform, key_set_url=server.url + "/jwks")
    answer = launch(app, platform)
    assert answer.status_code == 502 and "keyset_unavailable" in answer.text
    assert server.wait_for(lambda s: s.abandoned == 1), "the tool kept reading after its deadline"
    assert server.finished == 0


def test_a_huge_key_set_is_refused_without_reading_it_all(
    make_app: Any, platforms: Callable[..., IndependentPlatform], servers: Callable[..., ScriptedServer]
) -> None:
    app = make_app()
    platform = platforms()
    keys = json.dumps(platform.jwks())[:-1].encode()

    def huge(method: str, path: str, body: bytes) -> Reply:
        def chunks():  # type: ignore[no-untyped-def]
            yield keys + b', "padding": "'
            for _ in range(300):  # 300 x 64 KB, no Content-Length: the cap must stop the read
                yield b"x" * 65536
            yield b'"}'

        return Reply(200, chunks(), {"Content-Type": "application/json"})

    server = servers(huge)
    register(app, platform, key_set_url=server.url + "/jwks")
    answer = launch(app, platform)
    assert answer.status_code == 400 and "keyset_invalid" in answer.text
    assert server.wait_for(lambda s: s.abandoned == 1), "the tool read the whole 19 MB"


def test_a_key_set_on_a_loopback_address_is_not_fetched_unless_allowed(
    make_app: Any, platforms: Callable[..., IndependentPlatform]
) -> None:
    app = make_app(OUTBOUND_ALLOWLIST="")  # only the demo's own two hosts remain allowed
    platform = platforms()
    register(app, platform)
    answer = launch(app, platform)
    assert answer.status_code == 502 and "keyset_unavailable" in answer.text
    assert platform.jwks_requests == 0
    assert "could not reach 127.0.0.1" in answer.text
    assert not any(name in answer.text for name in ERROR_CLASSES)


def test_an_allowlisted_host_and_port_is_fetched(
    make_app: Any, platforms: Callable[..., IndependentPlatform]
) -> None:
    platform = platforms()
    app = make_app(OUTBOUND_ALLOWLIST=platform.url.split("//", 1)[1])  # 127.0.0.1:<its port>
    register(app, platform)
    assert launch(app, platform).status_code == 200
    assert platform.jwks_requests == 1


def test_a_redirect_to_another_host_is_not_followed(
    make_app: Any, platforms: Callable[..., IndependentPlatform], servers: Callable[..., ScriptedServer]
) -> None:
    app = make_app()
    platform = platforms()
    elsewhere = servers(lambda m, p, b: jwks_reply(platform))
    # 127.0.0.1 -> localhost: another host (and port), as an attacker's redirect would be
    bouncer = servers(
        lambda m, p, b: Reply(302, b"", {"Location": f"http://localhost:{elsewhere.port}/jwks"})
    )
    register(app, platform, key_set_url=bouncer.url + "/jwks")
    answer = launch(app, platform)
    assert answer.status_code == 502
    assert elsewhere.requests == []


def test_a_redirect_on_the_same_host_is_followed(
    make_app: Any, platforms: Callable[..., IndependentPlatform], servers: Callable[..., ScriptedServer]
) -> None:
    app = make_app()
    platform = platforms()
    server = servers(
        lambda m, p, b: jwks_reply(platform) if p == "/keys" else Reply(301, b"", {"Location": "/keys"})
    )
    register(app, platform, key_set_url=server.url + "/jwks")
    assert launch(app, platform).status_code == 200
    assert server.requests == [("GET", "/jwks"), ("GET", "/keys")]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",
    ],
)
def test_the_policy_refuses_addresses_that_are_not_public(address: str) -> None:
    from lti_tool.outbound import DestinationPolicy

    assert not DestinationPolicy.parse("").permits("lms.example", 443, address)
    assert DestinationPolicy.parse("lms.example").permits("lms.example", 443, address)


def test_the_policy_allows_public_addresses_and_listed_networks() -> None:
    from lti_tool.outbound import DestinationPolicy

    policy = DestinationPolicy.parse("10.0.0.0/8, lms.internal:8443")
    assert policy.permits("lms.example", 443, "93.184.216.34")
    assert policy.permits("any", 80, "10.9.9.9")
    assert not policy.permits("any", 80, "192.168.0.1")
    assert policy.permits("lms.internal", 8443, "192.168.0.1")
    assert not policy.permits("lms.internal", 443, "192.168.0.1")


def test_a_name_resolving_to_loopback_is_refused_at_connection_time(
    make_app: Any, platforms: Callable[..., IndependentPlatform]
) -> None:
    """The check is made on the address the socket connects to (no separate look-up to race)."""
    app = make_app(OUTBOUND_ALLOWLIST="127.0.0.1:1")
    platform = platforms()
    with app.app_context():
        from lti_tool import outbound

        with pytest.raises(outbound.OutboundError) as refused:
            outbound.client().get(f"http://localhost:{platform.url.rsplit(':', 1)[1]}/jwks", outbound.KEY_SET)
    assert refused.value.kind == "destination" and refused.value.public == "could not reach localhost"
    assert platform.jwks_requests == 0
