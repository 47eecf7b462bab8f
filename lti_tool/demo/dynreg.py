"""The demo LMS as a Dynamic Registration platform: its OpenID configuration, a registration
endpoint that checks requests the way Moodle 4.5 does, and `flask demo setup`'s registration
through the tool's own registration code (docs/decisions/0006-dynamic-registration.md)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
from flask import Blueprint, Flask, abort, current_app, jsonify, request
from werkzeug.wrappers import Response

from lti_tool.demo import service
from lti_tool.lti import claims as C
from lti_tool.lti import registration as dr

ENDPOINTS = ("demo.openid_configuration", "demo.dynamic_register")


def openid_configuration_url() -> str:
    return service.issuer() + "/.well-known/openid-configuration"


def registration_token(lifetime: int = 3600) -> str:
    """What Moodle puts in registration_token: a JWT naming the future client id, scope reg."""
    now = int(time.time())
    return service.keys().sign({"sub": service.CLIENT_ID, "scope": "reg", "iat": now, "exp": now + lifetime})


def _stored_path() -> Path:
    return Path(current_app.instance_path) / "demo-dynamic-registration.json"


def stored_registration() -> dict[str, Any] | None:
    path = _stored_path()
    return json.loads(path.read_text()) if path.exists() else None


def _check_request(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    problems = []
    conf = body.get(dr.TOOL_CONFIGURATION)
    if not isinstance(conf, dict):
        return [f"{dr.TOOL_CONFIGURATION} is missing"]
    if body.get("application_type") != "web":
        problems.append("application_type must be web")
    if "id_token" not in (body.get("response_types") or []):
        problems.append("response_types must include id_token")
    if not {"implicit", "client_credentials"} <= set(body.get("grant_types") or []):
        problems.append("grant_types must be implicit and client_credentials")
    if body.get("token_endpoint_auth_method") != "private_key_jwt":
        problems.append("token_endpoint_auth_method must be private_key_jwt")
    uris = [body.get("initiate_login_uri"), body.get("jwks_uri"), conf.get("target_link_uri")]
    redirect_uris = body.get("redirect_uris")
    if not isinstance(redirect_uris, list) or not redirect_uris:
        problems.append("redirect_uris must be a non-empty list")
    else:
        uris += redirect_uris
    domain = conf.get("domain")
    for uri in uris:
        if not isinstance(uri, str) or not uri:
            problems.append("a required URL is missing")
        elif urlsplit(uri).netloc != domain:
            # Moodle: "domain must match the host (and port) of the tool's URLs".
            problems.append(f"{uri} is not on the tool's domain {domain!r}")
    return problems


def register_routes(bp: Blueprint) -> None:
    @bp.get("/.well-known/openid-configuration")
    def openid_configuration() -> Response:
        base = service.issuer()
        return jsonify(
            {
                "issuer": base,
                "authorization_endpoint": base + "/auth",
                "token_endpoint": base + "/token",
                "jwks_uri": base + "/jwks",
                "registration_endpoint": base + "/register",
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public", "pairwise"],
                "scopes_supported": ["openid", *dr.SCOPES],
                "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
                dr.PLATFORM_CONFIGURATION: {
                    "product_family_code": "p3-demo-lms",
                    "version": "1.0",
                    "messages_supported": [
                        {"type": C.RESOURCE_LINK_REQUEST},
                        {"type": C.DEEP_LINKING_REQUEST},
                    ],
                },
            }
        )

    @bp.post("/register")
    def dynamic_register() -> Response:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            abort(401, description="No registration token.")
        try:
            token = jwt.decode(
                auth[len("Bearer ") :], service.keys().private_pem_public(), algorithms=["RS256"]
            )
        except jwt.PyJWTError:
            abort(401, description="The registration token is not valid.")
        if token.get("scope") != "reg":
            abort(401, description="The registration token's scope is not reg.")
        body = request.get_json(silent=True)
        problems = _check_request(body)
        if problems or not isinstance(body, dict):
            abort(400, description="Registration refused: " + "; ".join(problems))
        conf = body[dr.TOOL_CONFIGURATION]
        answer = {
            **body,
            "client_id": service.CLIENT_ID,
            dr.TOOL_CONFIGURATION: {**conf, "version": "1.3.0", "deployment_id": service.DEPLOYMENT_ID},
        }
        path = _stored_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(answer, indent=2))
        return jsonify(answer)


class FlaskClientTransport:
    """HTTP to an app in this process, through its test client (no server needed)."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()

    def get(self, url: str, headers: dict[str, str]) -> dr.HttpAnswer:
        r = self.client.get(url, headers=headers)
        return dr.HttpAnswer(r.status_code, r.get_data(), r.content_type or "")

    def post_json(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> dr.HttpAnswer:
        r = self.client.post(url, json=body, headers=headers)
        return dr.HttpAnswer(r.status_code, r.get_data(), r.content_type or "")


def register_demo_dynamically(app: Flask) -> bool:
    """`flask demo setup`: the tool registers with the demo through Dynamic Registration.
    Returns False when the demo was registered already."""
    from lti_tool.services import platforms as platform_service
    from lti_tool.services import registration as registration_service

    if platform_service.get_platform(service.issuer(), service.CLIENT_ID) is not None:
        return False
    params = {"openid_configuration": openid_configuration_url(), "registration_token": registration_token()}
    registration_service.register(params, app.config, FlaskClientTransport(app), trusted=True)
    return True
