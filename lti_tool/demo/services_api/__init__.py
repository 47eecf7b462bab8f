"""The demo LMS's LTI Advantage services: OAuth2 token endpoint (``token``), AGS (``ags``), NRPS
(``nrps``), its gradebook (``gradebook``); shared state, claims and access checks here.

The token endpoint checks the tool's client assertion against the tool's key set, fetched over
HTTP from the tool's JWKS URL, as Moodle and Canvas do. Line item URLs carry ``?type_id=1``
like Moodle's, and the AGS endpoints refuse a request without it, so a tool that drops the
query fails here as it would there. Faults can be injected (lti_tool/demo/faults.py).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from lti_tool.demo import service
from lti_tool.demo.faults import Fault, FaultPlan, parse_spec
from lti_tool.demo.gradebook_models import DemoLineItem
from lti_tool.demo.models import DemoActivity
from lti_tool.extensions import db

bp = Blueprint("demo_services", __name__, url_prefix="/demo")

TOKEN_LIFETIME = 3600
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ACTIVITY_PROGRESS = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING_PROGRESS = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}


@dataclass
class ServicesState:
    faults: FaultPlan
    tokens_valid_after: float = 0.0
    token_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def state() -> ServicesState:
    found = current_app.extensions.get("lti_tool.demo_services")
    if found is None:
        found = ServicesState(FaultPlan(parse_spec(current_app.config.get("DEMO_FAULTS") or "")))
        current_app.extensions["lti_tool.demo_services"] = found
    return found


# --- what launches carry ---------------------------------------------------------------


def type_query() -> str:
    return "?type_id=" + service.DEPLOYMENT_ID


def line_item_url(item: DemoLineItem) -> str:
    return f"{service.issuer()}/ags/lineitems/{item.id}/lineitem{type_query()}"


def ags_claim(activity: DemoActivity) -> dict[str, Any]:
    """The AGS claim of a launch into an activity: the container, and its line item if any."""
    claim: dict[str, Any] = {
        "scope": list(SCOPES),
        "lineitems": f"{service.issuer()}/ags/lineitems{type_query()}",
    }
    item = db.session.scalars(
        select(DemoLineItem).where(DemoLineItem.activity_id == activity.id).order_by(DemoLineItem.id)
    ).first()
    if item is not None:
        claim["lineitem"] = line_item_url(item)
    return claim


def nrps_url() -> str:
    return f"{service.issuer()}/nrps/memberships"


# --- faults and authorisation ----------------------------------------------------------


def error_response(status: int, error: str, message: str, **headers: str) -> Response:
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    response.headers.update(headers)
    return response


def inject(target: str) -> Response | None:
    fault: Fault | None = state().faults.take(target)
    if fault is None:
        return None
    if fault.kind == "slow":
        time.sleep(fault.delay)
        return None
    if fault.kind == "down":
        sock = request.environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return error_response(503, "unavailable", "The demo LMS is down (injected fault).")
    if fault.kind == "server_error":
        return error_response(fault.status, "server_error", "The demo LMS failed (injected fault).")
    if fault.kind == "rate_limit":
        return error_response(
            429,
            "rate_limited",
            "Too many requests (injected fault).",
            **{"Retry-After": f"{fault.retry_after:g}"},
        )
    if fault.kind == "expired_token":
        state().tokens_valid_after = time.time()
        return error_response(401, "invalid_token", "The access token has expired (injected fault).")
    if fault.kind == "reject":
        return error_response(422, "unprocessable", fault.message)
    return Response("{not json", status=200, mimetype="application/json")  # malformed


def token_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="demo-access-token")


def _authorise(*scopes: str) -> Response | None:
    """None when the request's access token holds one of ``scopes``, else the refusal."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return error_response(401, "invalid_token", "An access token is required.")
    try:
        data = token_serializer().loads(header[7:], max_age=TOKEN_LIFETIME)
    except BadSignature:
        return error_response(401, "invalid_token", "The access token is not valid or has expired.")
    if not isinstance(data, dict) or float(data.get("i", 0)) < state().tokens_valid_after:
        return error_response(401, "invalid_token", "The access token has expired.")
    if not set(scopes) & set(data.get("s", [])):
        return error_response(403, "insufficient_scope", f"The access token lacks the scope {scopes[0]}.")
    return None


def guard(target: str, *scopes: str) -> Response | None:
    return inject(target) or _authorise(*scopes)


# The routes live in one module per service; importing them registers them on ``bp``.
from lti_tool.demo.services_api import ags, gradebook, nrps, token  # noqa: E402, F401
