"""The demo LMS's Assignment and Grade Services: line items, scores, results (Moodle's
``?type_id=`` required)."""

import json
from datetime import datetime
from typing import Any

from flask import (
    Response,
    abort,
    request,
)
from sqlalchemy import select

from lti_tool.demo import platform as demo
from lti_tool.demo import service
from lti_tool.demo.gradebook_models import DemoLineItem, DemoScore
from lti_tool.demo.services_api import (
    ACTIVITY_PROGRESS,
    GRADING_PROGRESS,
    SCOPES,
    bp,
    error_response,
    guard,
    line_item_url,
)
from lti_tool.extensions import db

# --- AGS -------------------------------------------------------------------------------


def _check_type_id() -> Response | None:
    if request.args.get("type_id") != service.DEPLOYMENT_ID:
        return error_response(400, "invalid_request", "Missing or wrong type_id query parameter.")
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
        refused = guard("ags", SCOPES[1], SCOPES[0])
        if refused:
            return refused
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
    refused = guard("ags", SCOPES[0])
    if refused:
        return refused
    body = _json_body()
    maximum = _number(body.get("scoreMaximum")) if body else None
    if body is None or not str(body.get("label") or "").strip() or not maximum or maximum <= 0:
        return error_response(400, "invalid_request", "A line item needs a label and scoreMaximum > 0.")
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
    problem = _check_type_id() or guard("ags", SCOPES[1], SCOPES[0])
    if problem:
        return problem
    return Response(
        json.dumps(_item_json(_item_or_404(item_id))), mimetype="application/vnd.ims.lis.v2.lineitem+json"
    )


@bp.post("/ags/lineitems/<int:item_id>/lineitem/scores")
def scores(item_id: int) -> Response:
    problem = _check_type_id() or guard("ags", SCOPES[3])
    if problem:
        return problem
    item = _item_or_404(item_id)
    if request.mimetype != "application/vnd.ims.lis.v1.score+json":
        return error_response(
            415, "unsupported_media_type", "Scores must be sent as application/vnd.ims.lis.v1.score+json."
        )
    body = _json_body()
    if body is None:
        return error_response(400, "invalid_request", "The score is not a JSON object.")
    who = demo.person(str(body.get("userId") or ""))
    if who is None or who.is_instructor:
        return error_response(
            422, "unprocessable", f"User {body.get('userId')!r} is not enrolled as a learner in this course."
        )
    given, maximum = _number(body.get("scoreGiven")), _number(body.get("scoreMaximum"))
    if body.get("scoreGiven") is not None and (given is None or maximum is None or maximum <= 0 or given < 0):
        return error_response(400, "invalid_request", "scoreGiven needs a scoreMaximum > 0.")
    if (
        body.get("activityProgress") not in ACTIVITY_PROGRESS
        or body.get("gradingProgress") not in GRADING_PROGRESS
    ):
        return error_response(400, "invalid_request", "activityProgress or gradingProgress is missing.")
    stamp = str(body.get("timestamp") or "")
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return error_response(400, "invalid_request", "timestamp must be an ISO 8601 date and time.")
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
    problem = _check_type_id() or guard("ags", SCOPES[2])
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
