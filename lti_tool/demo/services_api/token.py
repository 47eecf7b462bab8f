"""The demo LMS's OAuth2 token endpoint: client credentials with a JWT assertion, checked
against the tool's key set fetched over HTTP (as Moodle and Canvas do)."""

import time

import jwt
from flask import (
    Response,
    current_app,
    jsonify,
    request,
)

from lti_tool import outbound
from lti_tool.demo import service
from lti_tool.demo.services_api import (
    ASSERTION_TYPE,
    NRPS_SCOPE,
    SCOPES,
    TOKEN_LIFETIME,
    bp,
    error_response,
    inject,
    state,
    token_serializer,
)

# --- OAuth2 token endpoint -------------------------------------------------------------


def _tool_keys() -> jwt.PyJWKSet:
    answer = outbound.client().get(current_app.config["BASE_URL"] + "/lti/jwks", outbound.TOOL_KEYS)
    if not answer.ok:
        raise ValueError(f"the tool's key set answered HTTP {answer.status_code}")
    return jwt.PyJWKSet.from_dict(answer.json())


@bp.post("/token")
def token() -> Response:
    with state().lock:
        state().token_requests += 1
    injected = inject("token")
    if injected is not None:
        return injected
    form = request.form
    if form.get("grant_type") != "client_credentials":
        return error_response(400, "unsupported_grant_type", "grant_type must be client_credentials.")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        return error_response(400, "invalid_request", "client_assertion_type must be jwt-bearer.")
    assertion = form.get("client_assertion", "")
    try:
        kid = jwt.get_unverified_header(assertion).get("kid")
        keys = _tool_keys()
        key = next((k for k in keys.keys if k.key_id == kid), None)
        if key is None:
            return error_response(400, "invalid_client", f"No key {kid!r} in the tool's key set.")
        claims = jwt.decode(
            assertion,
            key.key,
            algorithms=["RS256"],
            audience=service.issuer() + "/token",
            leeway=60,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
        )
    except (jwt.PyJWTError, outbound.OutboundError, ValueError) as exc:
        return error_response(400, "invalid_client", f"The client assertion was refused: {exc}")
    if claims["iss"] != service.CLIENT_ID or claims["sub"] != service.CLIENT_ID:
        return error_response(400, "invalid_client", "iss and sub must be the tool's client id.")
    requested = set(form.get("scope", "").split())
    granted = sorted(requested & {*SCOPES, NRPS_SCOPE})
    if not granted:
        return error_response(400, "invalid_scope", "None of the requested scopes is offered.")
    value = token_serializer().dumps({"s": granted, "i": time.time()})
    return jsonify(
        {
            "access_token": value,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "scope": " ".join(granted),
        }
    )
