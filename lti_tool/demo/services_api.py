"""The demo LMS's LTI Advantage services: OAuth2 token endpoint, AGS, NRPS, its gradebook.

The token endpoint checks the tool's client assertion against the tool's key set, fetched over
HTTP from the tool's JWKS URL, as Moodle and Canvas do. Line item URLs carry ``?type_id=1``
like Moodle's, and the AGS endpoints refuse a request without it, so a tool that drops the
query fails here as it would there. Faults can be injected (lti_tool/demo/faults.py).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import jwt
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from lti_tool import outbound
from lti_tool.demo import platform as demo
from lti_tool.demo import service
from lti_tool.demo.faults import Fault, FaultPlan, FaultSpecError, parse_spec
from lti_tool.demo.gradebook_models import DemoLineItem, DemoScore
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
    return found  # type: ignore[no-any-return]


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


def _error(status: int, error: str, message: str, **headers: str) -> Response:
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    response.headers.update(headers)
    return response


def _inject(target: str) -> Response | None:
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
        return _error(503, "unavailable", "The demo LMS is down (injected fault).")
    if fault.kind == "server_error":
        return _error(fault.status, "server_error", "The demo LMS failed (injected fault).")
    if fault.kind == "rate_limit":
        return _error(
            429,
            "rate_limited",
            "Too many requests (injected fault).",
            **{"Retry-After": f"{fault.retry_after:g}"},
        )
    if fault.kind == "expired_token":
        state().tokens_valid_after = time.time()
        return _error(401, "invalid_token", "The access token has expired (injected fault).")
    if fault.kind == "reject":
        return _error(422, "unprocessable", fault.message)
    return Response("{not json", status=200, mimetype="application/json")  # malformed


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="demo-access-token")


def _authorise(*scopes: str) -> Response | None:
    """None when the request's access token holds one of ``scopes``, else the refusal."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return _error(401, "invalid_token", "An access token is required.")
    try:
        data = _serializer().loads(header[7:], max_age=TOKEN_LIFETIME)
    except BadSignature:
        return _error(401, "invalid_token", "The access token is not valid or has expired.")
    if not isinstance(data, dict) or float(data.get("i", 0)) < state().tokens_valid_after:
        return _error(401, "invalid_token", "The access token has expired.")
    if not set(scopes) & set(data.get("s", [])):
        return _error(403, "insufficient_scope", f"The access token lacks the scope {scopes[0]}.")
    return None


def _guard(target: str, *scopes: str) -> Response | None:
    return _inject(target) or _authorise(*scopes)


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
    injected = _inject("token")
    if injected is not None:
        return injected
    form = request.form
    if form.get("grant_type") != "client_credentials":
        return _error(400, "unsupported_grant_type", "grant_type must be client_credentials.")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        return _error(400, "invalid_request", "client_assertion_type must be jwt-bearer.")
    assertion = form.get("client_assertion", "")
    try:
        kid = jwt.get_unverified_header(assertion).get("kid")
        keys = _tool_keys()
        key = next((k for k in keys.keys if k.key_id == kid), None)
        if key is None:
            return _error(400, "invalid_client", f"No key {kid!r} in the tool's key set.")
        claims = jwt.decode(
            assertion,
            key.key,
            algorithms=["RS256"],
            audience=service.issuer() + "/token",
            leeway=60,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
        )
    except (jwt.PyJWTError, outbound.OutboundError, ValueError) as exc:
        return _error(400, "invalid_client", f"The client assertion was refused: {exc}")
    if claims["iss"] != service.CLIENT_ID or claims["sub"] != service.CLIENT_ID:
        return _error(400, "invalid_client", "iss and sub must be the tool's client id.")
    requested = set(form.get("scope", "").split())
    granted = sorted(requested & {*SCOPES, NRPS_SCOPE})
    if not granted:
        return _error(400, "invalid_scope", "None of the requested scopes is offered.")
    value = _serializer().dumps({"s": granted, "i": time.time()})
    return jsonify(
        {
            "access_token": value,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "scope": " ".join(granted),
        }
    )


# --- AGS -------------------------------------------------------------------------------


def _check_type_id() -> Response | None:
    if request.args.get("type_id") != service.DEPLOYMENT_ID:
        return _error(400, "invalid_request", "Missing or wrong type_id query parameter.")
    return None


def _item_json(item: DemoLineItem) -> dict[str, Any]:
    return {
        "id": line_item_url(item),
        "label": item.label,
        "scoreMaximum": item.score_maximum,
        "resourceId": item.resource_id,
        "tag": item.tag,
        "resourceLinkId": item.resource_link_id,
    }


def _json_body() -> dict[str, Any] | None:
    body = request.get_json(silent=True, force=True)
    return body if isinstance(body, dict) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@bp.route("/ags/lineitems", methods=["GET", "POST"])
def line_items() -> Response:
    problem = _check_type_id()
    if problem:
        return problem
    if request.method == "GET":
        guard = _guard("ags", SCOPES[1], SCOPES[0])
        if guard:
            return guard
        query = select(DemoLineItem).order_by(DemoLineItem.id)
        for arg, column in (
            ("resource_link_id", DemoLineItem.resource_link_id),
            ("resource_id", DemoLineItem.resource_id),
            ("tag", DemoLineItem.tag),
        ):
            if request.args.get(arg):
                query = query.where(column == request.args[arg])
        items = [_item_json(i) for i in db.session.scalars(query)]
        return Response(json.dumps(items), mimetype="application/vnd.ims.lis.v2.lineitemcontainer+json")
    guard = _guard("ags", SCOPES[0])
    if guard:
        return guard
    body = _json_body()
    maximum = _number(body.get("scoreMaximum")) if body else None
    if body is None or not str(body.get("label") or "").strip() or not maximum or maximum <= 0:
        return _error(400, "invalid_request", "A line item needs a label and scoreMaximum > 0.")
    link_id = str(body.get("resourceLinkId") or "")[:255]
    activity_id = None
    if link_id.startswith("demo-link-") and link_id[10:].isdigit():
        activity_id = service.activity(int(link_id[10:])) and int(link_id[10:])
    item = DemoLineItem(
        label=str(body["label"])[:500],
        score_maximum=maximum,
        resource_id=str(body.get("resourceId") or "")[:255],
        resource_link_id=link_id,
        tag=str(body.get("tag") or "")[:255],
        activity_id=activity_id,
    )
    db.session.add(item)
    db.session.commit()
    response = Response(
        json.dumps(_item_json(item)), status=201, mimetype="application/vnd.ims.lis.v2.lineitem+json"
    )
    return response


def _item_or_404(item_id: int) -> DemoLineItem:
    item = db.session.get(DemoLineItem, item_id)
    if item is None:
        abort(404, description="No such line item.")
    return item


@bp.get("/ags/lineitems/<int:item_id>/lineitem")
def line_item(item_id: int) -> Response:
    problem = _check_type_id() or _guard("ags", SCOPES[1], SCOPES[0])
    if problem:
        return problem
    return Response(
        json.dumps(_item_json(_item_or_404(item_id))), mimetype="application/vnd.ims.lis.v2.lineitem+json"
    )


@bp.post("/ags/lineitems/<int:item_id>/lineitem/scores")
def scores(item_id: int) -> Response:
    problem = _check_type_id() or _guard("ags", SCOPES[3])
    if problem:
        return problem
    item = _item_or_404(item_id)
    if request.mimetype != "application/vnd.ims.lis.v1.score+json":
        return _error(
            415, "unsupported_media_type", "Scores must be sent as application/vnd.ims.lis.v1.score+json."
        )
    body = _json_body()
    if body is None:
        return _error(400, "invalid_request", "The score is not a JSON object.")
    who = demo.person(str(body.get("userId") or ""))
    if who is None or who.is_instructor:
        return _error(
            422, "unprocessable", f"User {body.get('userId')!r} is not enrolled as a learner in this course."
        )
    given, maximum = _number(body.get("scoreGiven")), _number(body.get("scoreMaximum"))
    if body.get("scoreGiven") is not None and (given is None or maximum is None or maximum <= 0 or given < 0):
        return _error(400, "invalid_request", "scoreGiven needs a scoreMaximum > 0.")
    if (
        body.get("activityProgress") not in ACTIVITY_PROGRESS
        or body.get("gradingProgress") not in GRADING_PROGRESS
    ):
        return _error(400, "invalid_request", "activityProgress or gradingProgress is missing.")
    stamp = str(body.get("timestamp") or "")
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return _error(400, "invalid_request", "timestamp must be an ISO 8601 date and time.")
    latest = db.session.scalars(
        select(DemoScore)
        .where(DemoScore.line_item_id == item.id, DemoScore.user_id == who.id)
        .order_by(DemoScore.id.desc())
    ).first()
    if latest is not None and datetime.fromisoformat(latest.timestamp.replace("Z", "+00:00")) > when:
        return Response(status=204)  # older than what we have: ignored, as the spec says
    db.session.add(
        DemoScore(
            line_item_id=item.id,
            user_id=who.id,
            score_given=given,
            score_maximum=maximum,
            comment=str(body.get("comment") or "")[:4000],
            activity_progress=str(body["activityProgress"]),
            grading_progress=str(body["gradingProgress"]),
            timestamp=stamp[:64],
        )
    )
    db.session.commit()
    return Response(status=204)


@bp.get("/ags/lineitems/<int:item_id>/lineitem/results")
def results(item_id: int) -> Response:
    problem = _check_type_id() or _guard("ags", SCOPES[2])
    if problem:
        return problem
    item = _item_or_404(item_id)
    latest: dict[str, DemoScore] = {}
    for score in db.session.scalars(
        select(DemoScore).where(DemoScore.line_item_id == item.id).order_by(DemoScore.id)
    ):
        latest[score.user_id] = score
    return Response(
        json.dumps(
            [
                {
                    "id": f"{line_item_url(item)}&user={s.user_id}",
                    "scoreOf": line_item_url(item),
                    "userId": s.user_id,
                    "resultScore": s.score_given,
                    "resultMaximum": s.score_maximum,
                    "comment": s.comment,
                }
                for s in latest.values()
            ]
        ),
        mimetype="application/vnd.ims.lis.v2.resultcontainer+json",
    )


# --- NRPS ------------------------------------------------------------------------------


@bp.get("/nrps/memberships")
def memberships() -> Response:
    problem = _guard("nrps", NRPS_SCOPE)
    if problem:
        return problem
    limit = min(max(request.args.get("limit", 2, type=int), 1), 100)
    page = max(request.args.get("page", 1, type=int), 1)
    people = demo.PEOPLE[(page - 1) * limit : page * limit]
    body = {
        "id": nrps_url(),
        "context": {k: demo.COURSE[k] for k in ("id", "label", "title")},
        "members": [
            {
                "status": "Active",
                "user_id": p.id,
                "roles": [p.role],
                "name": p.name,
                "given_name": p.given_name,
                "family_name": p.family_name,
                "email": p.email,
            }
            for p in people
        ],
    }
    response = Response(json.dumps(body), mimetype="application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
    if page * limit < len(demo.PEOPLE):
        next_url = nrps_url() + "?" + urlencode({"limit": limit, "page": page + 1})
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


# --- the demo gradebook page and the fault switch ---------------------------------------


@bp.get("/gradebook")
def gradebook() -> str:
    service.ensure_registered()
    who = demo.person(request.args.get("as", ""))
    if who is None:
        abort(404, description="No such person in the demo course. Choose one on the demo home.")
    items = list(db.session.scalars(select(DemoLineItem).order_by(DemoLineItem.id)))
    learners = [p for p in demo.PEOPLE if not p.is_instructor and (who.is_instructor or p == who)]
    cells: dict[tuple[int, str], DemoScore] = {}
    for score in db.session.scalars(select(DemoScore).order_by(DemoScore.id)):
        cells[(score.line_item_id, score.user_id)] = score
    return render_template(
        "demo/gradebook.html",
        who=who,
        course=demo.COURSE,
        items=items,
        learners=learners,
        cells=cells,
        faults=state().faults.describe(),
        kinds=[
            k for k in ("down", "server_error", "rate_limit", "expired_token", "reject", "slow", "malformed")
        ],
    )


@bp.route("/faults", methods=["GET", "POST"])
def faults() -> Response:
    """Tests post JSON; the gradebook page posts a form. GET shows the faults still armed."""
    plan = state().faults
    if request.method == "POST":
        if request.is_json:
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                return _error(400, "invalid_request", "Send a JSON object.")
            try:
                if body.get("clear"):
                    plan.clear()
                else:
                    raw = body.get("faults")
                    if not isinstance(raw, list):
                        return _error(400, "invalid_request", "faults must be a list.")
                    plan.set([Fault.from_dict(f) for f in raw])
            except FaultSpecError as exc:
                return _error(400, "invalid_request", str(exc))
        else:
            try:
                if request.form.get("clear"):
                    plan.clear()
                else:
                    plan.set(
                        [
                            Fault.from_dict(
                                {
                                    "kind": request.form.get("kind", ""),
                                    "times": request.form.get("times", "1"),
                                }
                            )
                        ]
                    )
            except FaultSpecError as exc:
                abort(400, description=str(exc))
            back = request.form.get("as", "101")
            return redirect(url_for("demo_services.gradebook", **{"as": back}), code=303)
    return jsonify(
        {"faults": plan.describe(), "injected": plan.injected[-50:], "token_requests": state().token_requests}
    )
