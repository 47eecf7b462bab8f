"""The demo LMS's pages and its LTI platform endpoints (OIDC authorization, JWKS)."""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from werkzeug.wrappers import Response

from lti_tool.demo import dynreg, service
from lti_tool.demo import platform as demo
from lti_tool.lti import claims as C

# The languages a demo person can work in (Moodle and Canvas send e.g. "fr-CA").
LOCALES = ("en-CA", "fr-CA")

bp = Blueprint("demo", __name__, url_prefix="/demo")


@bp.before_request
def _registered() -> None:
    if request.endpoint in dynreg.ENDPOINTS:
        return  # the registration endpoints must not register the demo behind their back
    service.ensure_registered()


def _person_or_404(person_id: str | None) -> demo.Person:
    found = demo.person(person_id or "")
    if found is None:
        abort(404, description="No such person in the demo course. Choose one on the demo home.")
    return found


@bp.get("/")
def home() -> str:
    return render_template("demo/home.html", people=demo.PEOPLE, course=demo.COURSE)


@bp.get("/course")
def course() -> str:
    who = _person_or_404(request.args.get("as"))
    return render_template(
        "demo/course.html", who=who, lang=_lang_param(), course=demo.COURSE, activities=service.activities()
    )


@bp.get("/launch")
def launch_frame() -> str:
    """The LMS page that shows the tool in an iframe, as Moodle and Canvas do."""
    who = _person_or_404(request.args.get("as"))
    activity_id = request.args.get("activity", type=int)
    deep_link = request.args.get("deep_link") == "1"
    if deep_link and not who.is_instructor:
        abort(403, description="Only the instructor can add content to the course.")
    activity = service.activity(activity_id) if activity_id else None
    if not deep_link and activity is None:
        abort(404, description="No such activity in the demo course.")
    target = {"deep_link": "1"} if deep_link or activity is None else {"activity": activity.id}
    storage = request.args.get("storage", "1") != "0"
    init_query = {
        "as": who.id,
        **({"lang": _lang_param()} if _lang_param() else {}),
        "storage": "1" if storage else "0",
        **target,
    }
    return render_template(
        "demo/launch.html",
        who=who,
        lang=_lang_param(),
        course=demo.COURSE,
        activity=activity,
        deep_link=deep_link,
        init_query=urlencode(init_query),
        storage=storage,
        tool_origin=_origin(current_app.config["BASE_URL"]),
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.get("/init")
def init_login() -> str:
    """Third-party login initiation: an auto-submitted POST to the tool, like Moodle's."""
    who = _person_or_404(request.args.get("as"))
    hint: dict[str, object] = (
        {"deep_link": True}
        if request.args.get("deep_link") == "1"
        else {"activity": request.args.get("activity", type=int)}
    )
    hint["locale"] = _locale()
    base = current_app.config["BASE_URL"]
    fields = {
        "iss": service.issuer(),
        "login_hint": who.id,
        "lti_message_hint": demo.new_message_hint(hint),
        "target_link_uri": base + "/lti/launch",
        "client_id": service.CLIENT_ID,
        "lti_deployment_id": service.DEPLOYMENT_ID,
    }
    if request.args.get("storage", "1") != "0":
        # The demo's launch page answers lti.put_data / lti.get_data (platform storage).
        fields["lti_storage_target"] = "_parent"
    return render_template(
        "demo/autopost.html", action=base + "/lti/login", fields=fields, label="Opening the activity"
    )


def _locale(value: object = None) -> str:
    """The language a person chose on the demo home (`lang`): what the LMS sends as their locale."""
    chosen = value if value is not None else request.args.get("lang")
    return chosen if chosen in LOCALES else "en-CA"


def _lang_param() -> str | None:
    """`lang` for the demo's own links: left out for English, so English URLs stay as they were."""
    return None if _locale() == LOCALES[0] else _locale()


def _launch_request(who: demo.Person, hint: dict[str, object]) -> demo.LaunchRequest:
    locale = _locale(hint.get("locale"))
    if hint.get("deep_link"):
        if not who.is_instructor:
            abort(403, description="Only the instructor can add content.")
        return demo.LaunchRequest(
            person=who,
            message_type=C.DEEP_LINKING_REQUEST,
            # The person's language rides along, so that "Back to the course" keeps it.
            deep_link_return_url=service.issuer()
            + "/deep-link-return?"
            + urlencode({"as": who.id, **({"lang": locale} if locale != LOCALES[0] else {})}),
            deep_link_data=json.dumps({"as": who.id}),
            locale=locale,
        )
    activity = service.activity(int(hint.get("activity") or 0))  # type: ignore[call-overload]
    if activity is None:
        abort(400, description="The login hint names no activity of the demo course.")
    from lti_tool.demo import services_api

    return demo.LaunchRequest(
        person=who,
        resource_link={"id": f"demo-link-{activity.id}", "title": activity.title},
        custom=service.custom_of(activity),
        ags=services_api.ags_claim(activity),
        nrps_url=services_api.nrps_url(),
        locale=locale,
    )


@bp.route("/auth", methods=["GET", "POST"])
def authorize() -> str:
    """The OIDC authorization endpoint: checks the request, signs the id_token, form-posts it."""
    params = request.values
    base = current_app.config["BASE_URL"]
    problems = []
    if params.get("client_id") != service.CLIENT_ID:
        problems.append("unknown client_id")
    if params.get("redirect_uri") != base + "/lti/launch":
        problems.append("redirect_uri is not the registered launch URL")
    if params.get("response_type") != "id_token" or params.get("scope") != "openid":
        problems.append("response_type must be id_token and scope openid")
    if not params.get("nonce") or not params.get("state"):
        problems.append("nonce and state are required")
    if problems:
        abort(400, description="Demo LMS refused the authorization request: " + "; ".join(problems))
    who = _person_or_404(params.get("login_hint"))
    try:
        hint = json.loads(params.get("lti_message_hint", "{}"))
    except ValueError:
        abort(400, description="lti_message_hint is not JSON.")
    claims = demo.build_claims(
        issuer=service.issuer(),
        client_id=service.CLIENT_ID,
        deployment_id=service.DEPLOYMENT_ID,
        target_link_uri=base + "/lti/launch",
        nonce=params["nonce"],
        request=_launch_request(who, hint),
    )
    id_token = service.keys().sign(claims)
    return render_template(
        "demo/autopost.html",
        action=params["redirect_uri"],
        fields={"id_token": id_token, "state": params["state"]},
        label="Signing you in to the activity",
    )


@bp.get("/jwks")
def jwks() -> Response:
    return jsonify(service.keys().jwks())


dynreg.register_routes(bp)


@bp.post("/deep-link-return")
def deep_link_return() -> str:
    """The LMS end of Deep Linking: verify the tool's signed answer, add the items."""
    who = _person_or_404(request.args.get("as"))
    token = request.form.get("JWT", "")
    if not token:
        abort(400, description="The tool sent no JWT.")
    try:
        added = service.accept_deep_link_response(token, json.dumps({"as": who.id}))
    except service.DeepLinkReturnError as exc:
        abort(400, description="Demo LMS refused the content: " + str(exc))
    # Shown in the tool's frame, where the tool posted it; its script moves the whole window to
    # the same page (below), as Moodle and Canvas close their picker: the course is never shown
    # inside the tool's frame.
    query: dict[str, str] = {"as": who.id, "added": ",".join(str(a.id) for a in added)}
    if _lang_param():
        query["lang"] = str(_lang_param())
    top_url = url_for("demo.content_added") + "?" + urlencode(query)
    return render_template(
        "demo/deep_link_done.html",
        who=who,
        lang=_lang_param(),
        course=demo.COURSE,
        added=added,
        top_url=top_url,
    )


@bp.get("/content-added")
def content_added() -> str:
    """The Deep Linking return's page, in the whole window: what was just added to the course."""
    who = _person_or_404(request.args.get("as"))
    ids = [
        int(p)
        for p in request.args.get("added", "").split(",")[:50]
        if p.isascii() and p.isdigit() and len(p) < 10
    ]
    added = [found for found in (service.activity(i) for i in ids) if found is not None]
    return render_template(
        "demo/deep_link_done.html", who=who, lang=_lang_param(), course=demo.COURSE, added=added, top_url=None
    )
