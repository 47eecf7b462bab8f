"""The demo LMS's gradebook page and its fault switch (lti_tool/demo/faults.py)."""

from typing import Any

from flask import (
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from lti_tool.demo import platform as demo
from lti_tool.demo import service
from lti_tool.demo.faults import Fault, FaultSpecError
from lti_tool.demo.gradebook_models import DemoLineItem, DemoScore
from lti_tool.demo.services_api import (
    bp,
    error_response,
    state,
)
from lti_tool.extensions import db

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
def faults() -> WerkzeugResponse:
    """Tests post JSON; the gradebook page posts a form. GET shows the faults still armed."""
    plan = state().faults
    if request.method == "POST":
        if request.is_json:
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                return error_response(400, "invalid_request", "Send a JSON object.")
            try:
                if body.get("clear"):
                    plan.clear()
                else:
                    raw = body.get("faults")
                    if not isinstance(raw, list):
                        return error_response(400, "invalid_request", "faults must be a list.")
                    plan.set([Fault.from_dict(f) for f in raw])
            except FaultSpecError as exc:
                return error_response(400, "invalid_request", str(exc))
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
            values: dict[str, Any] = {"as": back}
            return redirect(url_for("demo_services.gradebook", **values), code=303)
    return jsonify(
        {"faults": plan.describe(), "injected": plan.injected[-50:], "token_requests": state().token_requests}
    )


@bp.post("/gradebook/points")
def change_points() -> WerkzeugResponse:
    """The instructor gives a gradebook column other points (the tool reads them back)."""
    who = demo.person(request.form.get("as", ""))
    if who is None or not who.is_instructor:
        abort(403, description="Only the instructor can change a column's points.")
    try:
        points = float(request.form.get("points", ""))
    except ValueError:
        abort(400, description="Points must be a number.")
    if not service.set_points(request.form.get("item", type=int) or 0, points):
        abort(400, description="No such column, or points not between 0 and 10000.")
    values: dict[str, Any] = {"as": who.id}
    return redirect(url_for("demo_services.gradebook", **values), code=303)
