"""GET /healthz for load balancers and orchestrators: 200 when the process can serve, 503 when
its database is unreachable. Says nothing else (it is public)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from lti_tool.services import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    if health.database_reachable():
        return jsonify(status="ok")
    return jsonify(status="unavailable", reason="database"), 503
