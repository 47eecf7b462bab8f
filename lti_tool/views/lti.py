"""LTI endpoints: OIDC login initiation, launch, and the tool's key set. Thin by design:
the protocol work is in lti_tool.lti, the records in lti_tool.services."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, redirect, request
from werkzeug.wrappers import Response

from lti_tool.lti import claims as C
from lti_tool.lti import keys
from lti_tool.lti import session as launch_session
from lti_tool.lti.errors import LaunchError
from lti_tool.lti.launch import STATE_COOKIE_PREFIX, LaunchPolicy, LaunchValidator, state_cookie_value
from lti_tool.lti.oidc import begin_login
from lti_tool.services.launches import record_failure, record_launch

bp = Blueprint("lti", __name__, url_prefix="/lti")


def _params() -> dict[str, str]:
    params = request.args.to_dict()
    params.update(request.form.to_dict())
    return params


def _launch_policy() -> LaunchPolicy:
    cfg = current_app.config
    return LaunchPolicy(
        secret_key=cfg["SECRET_KEY"],
        leeway=cfg["JWT_LEEWAY"],
        keyset_ttl=cfg["PLATFORM_KEYSET_TTL"],
        http_timeout=cfg["HTTP_TIMEOUT"],
        require_state_cookie=bool(cfg.get("REQUIRE_STATE_COOKIE", False)),
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    cfg = current_app.config
    try:
        login = begin_login(_params(), base_url=cfg["BASE_URL"], state_ttl=cfg["STATE_TTL"])
    except LaunchError as error:
        record_failure(error)
        raise
    response = redirect(login.url, code=302)
    response.set_cookie(
        STATE_COOKIE_PREFIX + login.state,
        state_cookie_value(cfg["SECRET_KEY"], login.state),
        max_age=cfg["STATE_TTL"],
        httponly=True,
        **current_app.extensions["lti_tool.cookie_options"],
    )
    return response


@bp.route("/launch", methods=["POST"])
def launch() -> Response:
    validator = LaunchValidator(_params(), request.cookies, _launch_policy())
    try:
        validated = validator.run()
    except LaunchError as error:
        record_failure(error)
        raise
    record = record_launch(validated)
    launch_session.start(record)
    if record.message_type == C.DEEP_LINKING_REQUEST:
        target = launch_session.launch_url("deep_linking.picker")
    else:
        target = launch_session.launch_url("pages.home")
    response = redirect(target, code=303)
    response.delete_cookie(STATE_COOKIE_PREFIX + validated.state.state)
    return response


@bp.get("/jwks")
def jwks() -> Response:
    response = make_response(jsonify(keys.jwks(current_app.config["SECRET_KEY"])))
    # Platforms may cache it briefly; rotation keeps old keys published far longer.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
