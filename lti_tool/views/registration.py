"""Installation endpoints: LTI Dynamic Registration and the Canvas developer-key JSON."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from werkzeug.wrappers import Response

from lti_tool import outbound
from lti_tool.lti import canvas
from lti_tool.lti import registration as dr
from lti_tool.services import registration as registration_service
from lti_tool.services.launches import record_failure

bp = Blueprint("registration", __name__, url_prefix="/lti")


@bp.get("/register")
def register() -> str:
    """Opened by the LMS (in an iframe or a new window) with openid_configuration and
    registration_token; registers, then tells the LMS to close its dialog."""
    params = {
        k: request.args.get(k, "")[:2000] for k in ("openid_configuration", "registration_token", "reg")
    }
    transport = dr.OutboundTransport(outbound.client())
    try:
        registered = registration_service.register(params, current_app.config, transport)
    except dr.RegistrationError as error:
        record_failure(error)  # shown in /admin with the launch refusals
        raise
    return render_template(
        "registration/done.html",
        registered=registered,
        platform=registered.platform,
        configuration=registered.configuration,
    )


@bp.get("/canvas.json")
def canvas_json() -> Response:
    cfg = current_app.config
    return jsonify(canvas.canvas_developer_key(dr.ToolDescription(cfg["BASE_URL"], cfg["TOOL_NAME"])))
