"""Every check of the LTI 1.3 security framework, each refusing with its own 4xx.

The platform is tests/support/independent_platform.py: its own keys, its own JWKS server.
"""

from __future__ import annotations

import time

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Launch, LaunchFailure
from tests.lti.conftest import Flow
from tests.support.keys import POOL as KEYS

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def assert_refused(response: requests.Response, status: int, reason: str) -> None:
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert f"<code>{reason}</code>" in response.text, response.text[:800]


def test_valid_launch_from_independent_platform(flow: Flow, app: Flask) -> None:
    state, nonce = flow.login()
    response = flow.launch(flow.good_token(nonce), state)
    assert response.status_code == 200
    page = response  # the launch POST answers with the page (decision 0026)
    assert "Indy Pendent" in page.text and "a learner" in page.text
    with app.app_context():
        launch = db.session.scalars(select(Launch)).one()
        assert launch.user.sub == "learner-7"
        assert launch.context.context_id == "ctx-9"
        assert launch.resource_link.resource_link_id == "rl-1"


def test_bad_signature_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    impostor = KEYS.private_key()  # a key of its own, not in the platform's key set
    token = flow.platform.sign(flow.platform.claims(nonce, flow.target), key=impostor)
    assert_refused(flow.launch(token, state), 401, "bad_signature")


def test_unregistered_issuer_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(nonce, iss="https://elsewhere.example")
    assert_refused(flow.launch(token, state), 403, "unknown_issuer")


def test_unregistered_issuer_login_is_refused(flow: Flow) -> None:
    response = flow.browser.post(
        flow.base_url + "/lti/login",
        data={"iss": "https://nobody.example", "login_hint": "x", "target_link_uri": flow.target},
        allow_redirects=False,
        timeout=5,
    )
    assert_refused(response, 403, "unknown_issuer")


def test_wrong_audience_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    assert_refused(flow.launch(flow.good_token(nonce, aud="someone-else"), state), 403, "unknown_client_id")


def test_several_audiences_need_azp(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(nonce, aud=[flow.platform.client_id, "other"])
    assert_refused(flow.launch(token, state), 400, "wrong_azp")


def test_several_audiences_with_azp_are_accepted(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(nonce, aud=["other", flow.platform.client_id], azp=flow.platform.client_id)
    assert flow.launch(token, state).status_code == 200


def test_expired_token_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    now = int(time.time())
    token = flow.good_token(nonce, iat=now - 600, exp=now - 120)
    assert_refused(flow.launch(token, state), 401, "token_expired")


def test_clock_skew_within_leeway_is_accepted(flow: Flow) -> None:
    """A platform whose clock runs 30 s ahead must still launch (default leeway 60 s)."""
    state, nonce = flow.login()
    now = int(time.time()) + 30
    assert flow.launch(flow.good_token(nonce, iat=now, exp=now + 60), state).status_code == 200


def test_token_from_the_future_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    now = int(time.time()) + 600
    assert_refused(
        flow.launch(flow.good_token(nonce, iat=now, exp=now + 60), state), 401, "token_not_yet_valid"
    )


def test_replayed_id_token_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(nonce)
    assert flow.launch(token, state).status_code == 200
    assert_refused(flow.launch(token, state), 403, "state_used")


def test_replayed_id_token_with_fresh_state_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(nonce)
    assert flow.launch(token, state).status_code == 200
    fresh_state, _ = flow.login()
    assert_refused(flow.launch(token, fresh_state), 403, "nonce_mismatch")


def test_unknown_state_is_refused(flow: Flow) -> None:
    _, nonce = flow.login()
    assert_refused(flow.launch(flow.good_token(nonce), "made-up-state"), 403, "state_not_found")


def test_state_from_another_browser_is_refused(flow: Flow) -> None:
    """The state cookie binds the login to the browser that started it."""
    state, nonce = flow.login()
    other = requests.Session()
    other_state, _ = Flow(flow.base_url, flow.platform).login()
    # The other browser carries a state cookie of the right name but another login's value.
    other.cookies.set(f"lti1p3_state_{state}", "0" * 64)
    assert_refused(flow.launch(flow.good_token(nonce), state, browser=other), 403, "state_mismatch")
    assert other_state != state


def test_state_cookie_can_be_required(make_app, registered) -> None:  # type: ignore[no-untyped-def]
    app = make_app(REQUIRE_STATE_COOKIE=True)
    flow = Flow(app.config["BASE_URL"], registered)
    state, nonce = flow.login()
    assert_refused(
        flow.launch(flow.good_token(nonce), state, browser=requests.Session()), 403, "state_not_bound"
    )


def test_unknown_deployment_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(nonce, **{LTI + "deployment_id": "dep-unknown"})
    assert_refused(flow.launch(token, state), 403, "unknown_deployment")


def test_wrong_version_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    assert_refused(
        flow.launch(flow.good_token(nonce, **{LTI + "version": "1.1"}), state), 400, "wrong_version"
    )


def test_unknown_message_type_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(nonce, **{LTI + "message_type": "LtiSomethingElse"})
    assert_refused(flow.launch(token, state), 400, "unsupported_message_type")


def test_resource_link_without_id_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(nonce, **{LTI + "resource_link": {"title": "no id"}})
    assert_refused(flow.launch(token, state), 400, "missing_claim")


def test_deep_linking_without_return_url_is_refused(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(
        nonce,
        **{
            LTI + "message_type": "LtiDeepLinkingRequest",
            LTI + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "accept_types": ["ltiResourceLink"]
            },
        },
    )
    assert_refused(flow.launch(token, state), 400, "missing_claim")


def test_missing_nonce_is_refused(flow: Flow) -> None:
    state, _ = flow.login()
    token = flow.platform.sign(
        {k: v for k, v in flow.platform.claims("x", flow.target).items() if k != "nonce"}
    )
    assert_refused(flow.launch(token, state), 400, "missing_claim")


def test_alg_none_is_refused(flow: Flow) -> None:
    import base64
    import json

    state, nonce = flow.login()

    def b64(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    token = (
        b64({"alg": "none", "kid": flow.platform.kid})
        + "."
        + b64(flow.platform.claims(nonce, flow.target))
        + "."
    )
    assert_refused(flow.launch(token, state), 400, "unsupported_algorithm")


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "x" * 5000, "ey.ey.ey", "\u00e9.\u00e9.\u00e9"])
def test_malformed_tokens_get_4xx_never_500(flow: Flow, garbage: str) -> None:
    state, _ = flow.login()
    response = flow.launch(garbage, state)
    assert 400 <= response.status_code < 500, response.text[:300]


def test_missing_state_and_token(flow: Flow) -> None:
    assert_refused(flow.launch(None, None), 400, "missing_id_token")
    assert_refused(flow.launch("a.b.c", None), 400, "missing_state")


def test_refusal_in_json_when_asked(flow: Flow) -> None:
    state, nonce = flow.login()
    response = flow.launch(flow.good_token(nonce, aud="nope"), state, headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.json()["error"] == "unknown_client_id"
    assert response.json()["message"]


def test_refusals_are_recorded_for_administrators(flow: Flow, app: Flask) -> None:
    state, nonce = flow.login()
    flow.launch(flow.good_token(nonce, **{LTI + "deployment_id": "nope"}), state)
    with app.app_context():
        failure = db.session.scalars(select(LaunchFailure)).one()
        assert failure.reason == "unknown_deployment"
        assert failure.issuer == flow.platform.issuer


def test_login_with_foreign_target_link_uri_is_refused(flow: Flow) -> None:
    response = flow.browser.post(
        flow.base_url + "/lti/login",
        data={
            "iss": flow.platform.issuer,
            "login_hint": "x",
            "client_id": flow.platform.client_id,
            "target_link_uri": "https://evil.example/steal",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert_refused(response, 400, "bad_target_link_uri")


def test_login_get_is_supported(flow: Flow) -> None:
    response = flow.browser.get(
        flow.base_url + "/lti/login",
        params={
            "iss": flow.platform.issuer,
            "login_hint": "x",
            "client_id": flow.platform.client_id,
            "target_link_uri": flow.target,
        },
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(flow.platform.url + "/auth?")
