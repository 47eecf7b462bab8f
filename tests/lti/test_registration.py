"""LTI Dynamic Registration against a platform over real HTTP, then a launch through it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import DynamicRegistration, LaunchFailure, Platform, RegistrationLink
from lti_tool.services import registration as registration_service
from lti_tool.settings import load_settings
from tests.lti.conftest import Flow
from tests.support.registering_platform import TOOL_CONF, RegisteringPlatform

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
CLOSE = 'window.parent.postMessage({subject: "org.imsglobal.lti.close"}, "*")'


@pytest.fixture
def moodle() -> Iterator[RegisteringPlatform]:
    platform = RegisteringPlatform("moodle")
    yield platform
    platform.stop()


@pytest.fixture
def canvas() -> Iterator[RegisteringPlatform]:
    platform = RegisteringPlatform("canvas")
    yield platform
    platform.stop()


def start(
    app: Flask, platform: RegisteringPlatform, token: str | None = "default", **extra: str
) -> requests.Response:
    params = {"openid_configuration": platform.configuration_url, **extra}
    if token:
        params["registration_token"] = platform.registration_token if token == "default" else token
    return requests.get(app.config["BASE_URL"] + "/lti/register", params=params, timeout=10)


def platform_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Platform))


def assert_refused(response: requests.Response, status: int, reason: str) -> None:
    assert response.status_code == status, (response.status_code, response.text[:600])
    assert f"<code>{reason}</code>" in response.text, response.text[:800]


@pytest.mark.both_dbs
def test_moodle_registration_then_launch_through_it(app: Flask, moodle: RegisteringPlatform) -> None:
    page = start(app, moodle)
    assert page.status_code == 200, page.text[:800]
    assert moodle.client_id.startswith("dyn-")
    assert moodle.client_id in page.text and moodle.deployment_id in page.text
    assert "pending" in page.text and "Activate" in page.text
    assert CLOSE in page.text and 'id="close-dialog"' in page.text
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        assert (platform.issuer, platform.client_id) == (moodle.issuer, moodle.client_id)
        assert platform.deployment_ids == [moodle.deployment_id]
        assert platform.auth_login_url == moodle.url + "/auth"
        assert platform.key_set_url == moodle.url + "/jwks"
        record = db.session.scalars(select(DynamicRegistration)).one()
        assert record.platform_id == platform.id and record.product_family_code == "moodle"

    flow = Flow(app.config["BASE_URL"], moodle)
    state, nonce = flow.login()
    launched = flow.launch(flow.good_token(nonce), state)
    assert launched.status_code == 303, launched.text[:500]
    home = flow.browser.get(urljoin(flow.base_url, launched.headers["Location"]), timeout=5)
    assert "Indy Pendent" in home.text


def test_registration_request_is_what_platforms_expect(app: Flask, moodle: RegisteringPlatform) -> None:
    assert start(app, moodle).status_code == 200
    sent = moodle.requests[-1]
    assert sent["headers"]["Authorization"] == "Bearer " + moodle.registration_token
    body = sent["body"]
    base = app.config["BASE_URL"]
    assert body["application_type"] == "web"
    assert body["response_types"] == ["id_token"]
    assert body["grant_types"] == ["implicit", "client_credentials"]
    assert body["initiate_login_uri"] == base + "/lti/login"
    assert body["redirect_uris"] == [base + "/lti/launch"]
    assert body["jwks_uri"] == base + "/lti/jwks"
    assert body["logo_uri"].startswith(base) and body["client_name"]
    assert body["token_endpoint_auth_method"] == "private_key_jwt"
    assert set(body["scope"].split()) == {
        AGS + "lineitem",
        AGS + "lineitem.readonly",
        AGS + "result.readonly",
        AGS + "score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    }
    conf = body[TOOL_CONF]
    assert conf["domain"] == urlsplit(base).netloc  # host:port, as Moodle checks it
    assert conf["target_link_uri"] == base + "/lti/launch"
    assert {"iss", "sub", "name", "email"} <= set(conf["claims"])
    types = {m["type"]: m for m in conf["messages"]}
    assert set(types) == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    assert all(m["label"] and m["target_link_uri"] for m in conf["messages"])
    assert types["LtiDeepLinkingRequest"]["placements"]
    assert not any(k.startswith("https://canvas.instructure.com") for k in conf)
    assert requests.get(body["logo_uri"], timeout=5).status_code == 200


def test_canvas_gets_its_extensions(app: Flask, canvas: RegisteringPlatform) -> None:
    page = start(app, canvas)
    assert page.status_code == 200, page.text[:500]
    assert "Canvas" in page.text and "Developer Keys" in page.text
    conf = canvas.requests[-1]["body"][TOOL_CONF]
    assert conf["https://canvas.instructure.com/lti/privacy_level"] == "public"
    placements = {m["type"]: m["placements"] for m in conf["messages"]}
    assert placements["LtiDeepLinkingRequest"] == ["link_selection", "assignment_selection"]
    assert placements["LtiResourceLinkRequest"] == ["course_navigation"]


@pytest.mark.parametrize("family", ["moodle", "canvas"])
def test_registration_names_the_tool_in_both_languages(app: Flask, family: str) -> None:
    """client_name, description and each message's label in English and French (OIDC DCR §2.1
    language tags); the plain member stays English, the one Moodle and Canvas read."""
    platform = RegisteringPlatform(family)
    try:
        assert start(app, platform).status_code == 200  # the platform checked the body
        body = platform.requests[-1]["body"]
    finally:
        platform.stop()
    assert body["client_name"] == body["client_name#en"] == "P3 Workshop"
    assert body["client_name#fr"] == "Atelier PPP"
    conf = body[TOOL_CONF]
    assert conf["description"] == conf["description#en"]
    assert conf["description"].startswith("The P3 workshop")
    assert conf["description#fr"].startswith("L'atelier sur les partenariats public-privé")
    labels = {m["type"]: (m["label"], m["label#en"], m["label#fr"]) for m in conf["messages"]}
    assert labels["LtiResourceLinkRequest"] == ("P3 Workshop", "P3 Workshop", "Atelier PPP")
    assert labels["LtiDeepLinkingRequest"] == (
        "Add P3 Workshop content",
        "Add P3 Workshop content",
        "Ajouter du contenu (Atelier PPP)",
    )


def test_a_name_the_administrator_chose_is_sent_as_written(
    make_app: Any, moodle: RegisteringPlatform
) -> None:
    app = make_app(TOOL_NAME="Atelier de la région")
    assert start(app, moodle).status_code == 200
    body = moodle.requests[-1]["body"]
    assert body["client_name"] == body["client_name#fr"] == "Atelier de la région"


def test_without_token_no_authorization_is_sent(app: Flask, moodle: RegisteringPlatform) -> None:
    response = start(app, moodle, token=None)
    assert "Authorization" not in moodle.requests[-1]["headers"]
    assert_refused(response, 400, "platform_refused")  # this platform insists on its token
    assert "HTTP 401" in response.text
    assert platform_count(app) == 0


def test_issuer_mismatch_is_refused(app: Flask, moodle: RegisteringPlatform) -> None:
    moodle.config_overrides["issuer"] = "https://lms.elsewhere.example"
    response = start(app, moodle)
    assert_refused(response, 400, "issuer_mismatch")
    assert "lms.elsewhere.example" in response.text
    assert moodle.requests == [] and platform_count(app) == 0


def test_missing_endpoint_is_refused(app: Flask, moodle: RegisteringPlatform) -> None:
    moodle.config_overrides["registration_endpoint"] = None
    response = start(app, moodle)
    assert_refused(response, 400, "bad_configuration")
    assert "registration_endpoint" in response.text


def test_platform_error_leaves_nothing_behind(app: Flask, moodle: RegisteringPlatform) -> None:
    moodle.refuse_with = (500, "database is down")
    response = start(app, moodle)
    assert_refused(response, 400, "platform_refused")
    assert "HTTP 500" in response.text and "database is down" not in response.text  # logged only
    assert platform_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DynamicRegistration)) == 0


def test_unreachable_configuration_and_bad_input(app: Flask) -> None:
    base = app.config["BASE_URL"]
    gone = requests.get(
        base + "/lti/register",
        timeout=10,
        params={"openid_configuration": "http://127.0.0.1:9/openid-configuration"},
    )
    assert_refused(gone, 400, "configuration_unreachable")
    assert_refused(requests.get(base + "/lti/register", timeout=5), 400, "bad_configuration_url")
    assert_refused(
        requests.get(
            base + "/lti/register", params={"openid_configuration": "javascript:alert(1)"}, timeout=5
        ),
        400,
        "bad_configuration_url",
    )


def test_registration_switched_off(make_app: Any, moodle: RegisteringPlatform) -> None:
    app = make_app(REGISTRATION_MODE="off")
    assert_refused(start(app, moodle), 403, "registration_disabled")
    assert moodle.config_requests == 0 and platform_count(app) == 0


def test_allowlist(make_app: Any, moodle: RegisteringPlatform) -> None:
    other = make_app(
        REGISTRATION_MODE="allowlist", REGISTRATION_ALLOWED_ISSUERS="https://moodle.school.example"
    )
    assert_refused(start(other, moodle), 403, "issuer_not_allowed")
    assert moodle.config_requests == 0  # an unlisted host is not even fetched
    assert platform_count(other) == 0
    listed = make_app(
        REGISTRATION_MODE="allowlist", REGISTRATION_ALLOWED_ISSUERS=f"https://x.example, {moodle.issuer}"
    )
    assert start(listed, moodle).status_code == 200


def _link(app: Flask, **changes: Any) -> str:
    with app.app_context():
        link, code = registration_service.create_link("test", 1)
        for name, value in changes.items():
            setattr(link, name, value)
        db.session.commit()
    return code


@pytest.mark.both_dbs
def test_token_mode_needs_a_one_time_link(make_app: Any, moodle: RegisteringPlatform) -> None:
    app = make_app(REGISTRATION_MODE="token")
    assert_refused(start(app, moodle), 403, "registration_link_required")
    assert_refused(start(app, moodle, reg="made-up"), 403, "registration_link_unknown")
    code = _link(app)
    assert start(app, moodle, reg=code).status_code == 200
    assert_refused(start(app, moodle, reg=code), 403, "registration_link_used")
    assert platform_count(app) == 1
    with app.app_context():
        link = db.session.scalars(select(RegistrationLink)).one()
        assert link.used_at is not None and link.platform_id is not None


def test_expired_and_revoked_links(make_app: Any, moodle: RegisteringPlatform) -> None:
    app = make_app(REGISTRATION_MODE="token")
    with app.app_context():
        from lti_tool.models.base import utcnow

        past = utcnow() - timedelta(minutes=1)
    assert_refused(start(app, moodle, reg=_link(app, expires_at=past)), 403, "registration_link_expired")
    assert_refused(start(app, moodle, reg=_link(app, revoked_at=past)), 403, "registration_link_revoked")
    assert moodle.config_requests == 0 and platform_count(app) == 0


def test_failed_registration_gives_the_link_back(make_app: Any, moodle: RegisteringPlatform) -> None:
    app = make_app(REGISTRATION_MODE="token")
    code = _link(app)
    moodle.refuse_with = (403, "token expired")
    assert_refused(start(app, moodle, reg=code), 400, "platform_refused")
    moodle.refuse_with = None
    assert start(app, moodle, reg=code).status_code == 200


def test_registration_mode_defaults() -> None:
    prod = load_settings(
        {}, {"ENV": "production", "SECRET_KEY": "x" * 40, "BASE_URL": "https://tool.example"}
    )
    assert prod["REGISTRATION_MODE"] == "token"
    assert load_settings({}, {"ENV": "development"})["REGISTRATION_MODE"] == "open"
    env = load_settings(
        {
            "LTI_TOOL_REGISTRATION_MODE": "allowlist",
            "LTI_TOOL_REGISTRATION_ALLOWED_ISSUERS": "https://a.example/ https://b",
        }
    )
    assert env["REGISTRATION_ALLOWED_ISSUERS"] == ["https://a.example", "https://b"]
    from lti_tool.settings import SettingsError

    with pytest.raises(SettingsError, match="REGISTRATION_MODE"):
        load_settings({}, {"REGISTRATION_MODE": "sometimes"})


@pytest.mark.both_dbs
def test_registering_again_with_the_same_client_id_updates_the_platform(
    app: Flask, moodle: RegisteringPlatform
) -> None:
    assert start(app, moodle).status_code == 200
    first_deployment = moodle.deployment_id
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        platform.name = "Our Moodle"  # the administrator's own name for it
        platform.auth_token_url = moodle.url + "/old-token"  # what it gave before
        platform.keyset_json = '{"keys": []}'
        db.session.commit()
        platform_id = platform.id

    moodle.reuse_client_id = True
    again = start(app, moodle)
    assert again.status_code == 200, again.text[:800]
    assert 'id="registration-updated"' in again.text and f"platform #{platform_id}" in again.text
    assert "is updated" in again.text and "pending" not in again.text
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()  # still one platform
        assert (platform.id, platform.name, platform.client_id) == (
            platform_id,
            "Our Moodle",
            moodle.client_id,
        )
        assert platform.auth_token_url == moodle.url + "/token"
        assert platform.keyset_json is None  # fetched afresh at the next launch
        assert platform.deployment_ids == [first_deployment, moodle.deployment_id]
        assert db.session.scalar(select(func.count()).select_from(DynamicRegistration)) == 2
    flow = Flow(app.config["BASE_URL"], moodle)
    state, nonce = flow.login()
    assert flow.launch(flow.good_token(nonce), state).status_code == 303


def test_another_client_id_for_the_same_issuer_is_another_platform(
    app: Flask, moodle: RegisteringPlatform
) -> None:
    assert start(app, moodle).status_code == 200
    first = moodle.client_id
    again = start(app, moodle)
    assert again.status_code == 200 and 'id="registration-updated"' not in again.text
    with app.app_context():
        stored = {(p.issuer, p.client_id) for p in db.session.scalars(select(Platform))}
    assert stored == {(moodle.issuer, first), (moodle.issuer, moodle.client_id)} and first != moodle.client_id


def test_an_update_from_another_address_is_refused(app: Flask, canvas: RegisteringPlatform) -> None:
    """Canvas's issuer is shared: a host claiming it must not take over a client id that was
    registered from elsewhere (here by hand, so from the issuer's own address)."""
    issuer = "https://canvas.instructure.com"
    canvas.config_overrides["issuer"] = issuer
    canvas.client_id, canvas.reuse_client_id = "10000000000042", True
    with app.app_context():
        registration_service.platform_service.add_platform(
            {
                "issuer": issuer,
                "client_id": "10000000000042",
                "deployment_ids": ["1:abc"],
                "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
                "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
                "key_set_url": "https://sso.canvaslms.com/api/lti/security/jwks",
            }
        )
    response = start(app, canvas)
    assert_refused(response, 409, "registration_conflict")
    assert "https://canvas.instructure.com" in response.text and canvas.url in response.text
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        assert platform.key_set_url == "https://sso.canvaslms.com/api/lti/security/jwks"
        assert platform.deployment_ids == ["1:abc"]
        assert db.session.scalar(select(func.count()).select_from(DynamicRegistration)) == 0
        # Recorded for the administrator, as every refused registration (listed in /admin).
        refusals = {(f.kind, f.reason) for f in db.session.scalars(select(LaunchFailure))}
        assert refusals == {("registration", "registration_conflict")}
