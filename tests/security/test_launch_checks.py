"""Findings 8 and 9: invalid platform keys, key set refetches, azp, target_link_uri and the
deep linking return URL."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.lti.conftest import Flow
from tests.security.conftest import flow_for, register
from tests.support.independent_platform import IndependentPlatform
from tests.support.scripted_server import Reply, ScriptedServer

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def bad_keys(kid: str, good: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Keys a platform could publish under the kid its token names, none usable with RS256."""
    from jwt.algorithms import ECAlgorithm

    ec_key = json.loads(ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key()))
    return {
        "ec_key": {**ec_key, "kid": kid},
        "exponent_1": {**good, "e": _b64(1)},
        "exponent_2": {**good, "e": _b64(2)},
        "garbage_modulus": {**good, "n": "!!not-base64!!"},
        "empty_modulus": {**good, "n": ""},
        "symmetric": {"kty": "oct", "k": "c2VjcmV0", "kid": kid, "alg": "HS256"},
        "no_kty": {k: v for k, v in good.items() if k != "kty"},
        "kty_list": {**good, "kty": ["RSA"]},
        "n_number": {**good, "n": 12345},
    }


KEY_CASES = list(bad_keys("k", {"kty": "RSA", "n": "AQAB", "e": "AQAB"}))


@pytest.mark.parametrize("case", KEY_CASES)
def test_an_unusable_platform_key_is_a_4xx_with_a_reason(
    case: str,
    make_app: Any,
    platforms: Callable[..., IndependentPlatform],
    servers: Callable[..., ScriptedServer],
) -> None:
    app = make_app()
    platform = platforms()
    good = platform.jwks()["keys"][0]
    key = bad_keys(platform.kid, good)[case]
    server = servers(lambda m, p, b: Reply(200, json.dumps({"keys": [key]}).encode()))
    register(app, platform, key_set_url=server.url + "/jwks")
    flow = flow_for(app, platform)
    state, nonce = flow.login()
    answer = flow.launch(flow.good_token(nonce), state)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert "invalid_platform_key" in answer.text or "invalid_token" in answer.text


def test_made_up_kids_cannot_make_the_tool_refetch_even_with_no_store(flow: Flow) -> None:
    flow.platform.cache_control = "no-store"
    state, nonce = flow.login()
    assert flow.launch(flow.good_token(nonce), state).status_code == 200
    for i in range(12):
        state, nonce = flow.login()
        token = flow.platform.sign(
            flow.platform.claims(nonce, flow.target),
            kid=f"invented-{i}",
            key=flow.platform.keys[flow.platform.kid],
        )
        assert flow.launch(token, state).status_code == 400
    assert flow.platform.jwks_requests == 1


def test_a_wrong_azp_beside_a_single_audience_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    answer = flow.launch(flow.good_token(nonce, azp="someone-else"), state)
    assert answer.status_code in (400, 401, 403) and "wrong_azp" in answer.text


def test_a_right_azp_beside_a_single_audience_is_accepted(flow: Flow) -> None:
    state, nonce = flow.login()
    assert flow.launch(flow.good_token(nonce, azp=flow.platform.client_id), state).status_code == 200


@pytest.mark.parametrize("target", ["https://elsewhere.example/launch", "{base}/lti/launch?x=1", None])
def test_the_target_link_uri_claim_must_be_the_logins(flow: Flow, target: str | None) -> None:
    state, nonce = flow.login()
    claim = target.format(base=flow.base_url) if target else None
    answer = flow.launch(flow.good_token(nonce, **{LTI + "target_link_uri": claim}), state)
    assert answer.status_code == 403 and "target_link_mismatch" in answer.text


@pytest.mark.parametrize(
    "return_url",
    ["javascript:alert(document.domain)", "data:text/html,<script>alert(1)</script>", "//evil.example/x"],
)
def test_a_deep_link_return_url_must_be_http(flow: Flow, return_url: str) -> None:
    state, nonce = flow.login()
    token = flow.good_token(
        nonce,
        sub="teacher-1",
        **{
            LTI + "message_type": "LtiDeepLinkingRequest",
            LTI + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
            LTI + "resource_link": None,
            DL + "deep_linking_settings": {
                "deep_link_return_url": return_url,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe"],
            },
        },
    )
    answer = flow.launch(token, state)
    assert answer.status_code == 400 and "bad_deep_link_return_url" in answer.text
