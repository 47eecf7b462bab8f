"""`flask demo setup` registers the tool with the demo LMS through Dynamic Registration."""

from __future__ import annotations

import jwt
import requests
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from lti_tool.demo import service
from lti_tool.extensions import db
from lti_tool.models import DynamicRegistration, Platform
from tests.support.lms import LEARNERS, DemoLms


def test_demo_setup_registers_dynamically_then_launches(
    app: Flask, runner: FlaskCliRunner, lms: DemoLms
) -> None:
    result = runner.invoke(args=["demo", "setup"])
    assert result.exit_code == 0, result.output
    assert "dynamic registration" in result.output
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        assert platform.client_id == service.CLIENT_ID
        assert platform.deployment_ids == [service.DEPLOYMENT_ID]
        record = db.session.scalars(select(DynamicRegistration)).one()
        assert record.openid_configuration_url.endswith("/demo/.well-known/openid-configuration")
    again = runner.invoke(args=["demo", "setup"])
    assert again.exit_code == 0 and "already registered" in again.output
    _, page = lms.launch(LEARNERS[0])
    assert page.status_code == 200 and "Ben Tremblay" in page.text


def test_demo_register_endpoint_checks_token_and_domain(app: Flask) -> None:
    demo = app.config["DEMO_URL"] + "/demo"
    config = requests.get(demo + "/.well-known/openid-configuration", timeout=5).json()
    assert config["issuer"] == demo and config["registration_endpoint"] == demo + "/register"
    body = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "token_endpoint_auth_method": "private_key_jwt",
        "initiate_login_uri": "http://127.0.0.1:1/lti/login",
        "redirect_uris": ["http://127.0.0.1:1/lti/launch"],
        "jwks_uri": "http://127.0.0.1:1/lti/jwks",
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": "tool.example",
            "target_link_uri": "http://127.0.0.1:1/lti/launch",
        },
    }
    assert requests.post(demo + "/register", json=body, timeout=5).status_code == 401
    forged = jwt.encode({"scope": "reg"}, "not-the-demo-key-" + "x" * 40, algorithm="HS256")
    assert (
        requests.post(
            demo + "/register", json=body, timeout=5, headers={"Authorization": "Bearer " + forged}
        ).status_code
        == 401
    )
    with app.app_context():
        from lti_tool.demo.dynreg import registration_token

        token = registration_token()
    refused = requests.post(
        demo + "/register", json=body, timeout=5, headers={"Authorization": "Bearer " + token}
    )
    assert refused.status_code == 400 and "domain" in refused.text
