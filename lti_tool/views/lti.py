"""LTI endpoints: OIDC login initiation, launch, and the tool's key set. Thin by design:
the protocol work is in lti_tool.lti, the records in lti_tool.services."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from werkzeug.wrappers import Response

from lti_tool import languages, logs
from lti_tool.i18n import gettext as _
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.lti import claims as C
from lti_tool.lti import keys, storage
from lti_tool.lti import session as launch_session
from lti_tool.lti.errors import LaunchError
from lti_tool.lti.launch import (
    STATE_COOKIE_PREFIX,
    LaunchPolicy,
    LaunchValidator,
    state_cookie_value,
)
from lti_tool.lti.oidc import authorization_url, begin_login, give_up_platform_storage, restart_url
from lti_tool.models import Launch, OidcState, Platform
from lti_tool.services import platforms as platform_service
from lti_tool.services.launches import begin_launch, entered, record_failure, record_launch
from lti_tool.views import pages
from lti_tool.views.errors import wants_json

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
        base_url=cfg["BASE_URL"],
        require_state_cookie=bool(cfg.get("REQUIRE_STATE_COOKIE", False)),
        learn_deployment=platform_service.learn_deployment if cfg["LEARN_FIRST_DEPLOYMENT"] else None,
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    cfg = current_app.config
    try:
        login = begin_login(
            _params(),
            base_url=cfg["BASE_URL"],
            state_ttl=cfg["STATE_TTL"],
            platform_storage=cfg["PLATFORM_STORAGE"],
        )
    except LaunchError as error:
        record_failure(error)
        raise
    logs.note(platform_id=login.platform.id)
    if login.storage_target:
        # The platform offers storage: keep the state there too, then go on to the
        # platform. The cookie is still set for browsers that accept it.
        response: Response = make_response(
            render_template(
                "lti/store_state.html",
                next_url=login.url,
                fallback_url=f"{cfg['BASE_URL']}/lti/login/continue?state={login.state}",
                target=login.storage_target,
                origin=storage.platform_origin(login.platform.auth_login_url),
                key=storage.storage_key(login.state),
                value=storage.storage_value(cfg["SECRET_KEY"], login.state),
            )
        )
    else:
        response = redirect(login.url, code=302)
    response.set_cookie(
        STATE_COOKIE_PREFIX + login.state,
        state_cookie_value(cfg["SECRET_KEY"], login.state),
        max_age=cfg["STATE_TTL"],
        httponly=True,
        **current_app.extensions["lti_tool.cookie_options"],
    )
    return response


@bp.get("/launch")
def launch_url_check() -> Response:
    """Moodle fetches the tool URL when a teacher saves an activity: say what the URL is for."""
    response = make_response(render_template("lti/launch_get.html"))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/launch", methods=["POST"])
def launch() -> Response:
    begin_launch()  # before the transaction's first statement
    validator = LaunchValidator(_params(), request.cookies, _launch_policy())
    try:
        validated = validator.run()
    except LaunchError as error:
        record_failure(error)
        # The refusal speaks the launch's language when its id_token is readable (the
        # learner's LMS language); otherwise the browser's (Accept-Language).
        languages.use_locale(validator.claimed_locale)
        raise
    if not validated.bound_to_browser and validated.state.storage_target:
        record = record_launch(validated)
        return _verify_with_platform_storage(record, validated.state, validated.platform)
    try:
        with entered(validated) as record:  # the page in the launch's transaction (decision 0045)
            response = _enter(record)
    except Exception:
        launch_session.abandon()  # rolled back, unless committed before the page (SQLite)
        raise
    response.delete_cookie(STATE_COOKIE_PREFIX + validated.state.state)
    return response


def _first_target(record: Launch) -> tuple[str, dict[str, Any]]:
    """The endpoint (and its values) a launch opens first: the picker for Deep Linking."""
    if record.message_type == C.DEEP_LINKING_REQUEST:
        return "deep_linking.picker", {}
    return pages.first_target(record)


def _enter(record: Launch) -> Response:
    """Start the session and answer with the launch's first page (no redirect: decision 0026)."""
    launch_session.start(record)
    return pages.enter(*_first_target(record))


def _verify_with_platform_storage(record: Launch, state: OidcState, platform: Platform) -> Response:
    """No cookie came back: read the state from the platform's storage before entering."""
    secret = current_app.config["SECRET_KEY"]
    response = make_response(
        render_template(
            "lti/verify_state.html",
            pending=storage.pending_reference(secret, record.id, state.state),
            target=state.storage_target,
            origin=storage.platform_origin(platform.auth_login_url),
            key=storage.storage_key(state.state),
        )
    )
    # The page's own POST must carry its Origin (no-referrer would send "null"): the
    # confirmation is accepted only from a page of the tool's own origin.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/login/continue")
def login_without_storage() -> Response:
    """The login page could not use platform storage: continue with the server-side state."""
    found = give_up_platform_storage(request.args.get("state", ""))
    if found is None:
        abort(
            400,
            description=_(
                "This sign-in has expired or was already used. Open the activity again from the LMS."
            ),
        )
    state, platform = found
    return redirect(authorization_url(platform, state, current_app.config["BASE_URL"]))


@bp.post("/launch/confirm")
def confirm_launch() -> Response:
    """The launch page read the state back from platform storage: check it and enter."""
    secret = current_app.config["SECRET_KEY"]
    if not storage.from_own_page(request.headers, current_app.config["BASE_URL"]):
        # A page elsewhere (an attacker's, with a pending reference of their own launch) made
        # this browser post: refused, or the victim would work inside the attacker's account.
        error = LaunchError(
            "confirmation_not_from_tool",
            _l("This sign-in must be confirmed by the tool's own page."),
            _l("Open the activity again from the LMS."),
            403,
        )
        record_failure(error)
        raise error
    try:
        pending = storage.load_pending(secret, request.form.get("pending", ""))
    except launch_session.LaunchTokenError as ended:  # its platform was disabled since the launch
        hint = _l("Open the activity again from the LMS.")
        raise LaunchError(ended.reason, ended.message, hint, 401) from None
    if pending is None:
        raise LaunchError(
            "pending_launch_invalid",
            _l("This sign-in has expired."),
            _l("Open the activity again from the LMS."),
            403,
        )
    record, state = pending
    languages.use_locale(languages.launch_language(record))  # the launch is known from here on
    if not storage.value_matches(secret, state.state, request.form.get("value", "")):
        error = LaunchError(
            "state_not_in_platform_storage",
            _l("The sign-in could not be confirmed in this browser."),
            _l(
                "Open the activity in a new window; if it keeps failing, the LMS may have lost "
                "its storage for the tool."
            ),
            403,
            platform_id=state.platform_id,
            retry_url=restart_url(state, current_app.config["BASE_URL"]) or None,
        )
        record_failure(error)
        raise error
    if not storage.confirm_once(state):
        raise LaunchError(
            "pending_launch_used",
            _l("This sign-in has already been confirmed."),
            _l("Open the activity again from the LMS."),
            403,
            platform_id=state.platform_id,
        )
    if wants_json():
        # The launch page's own script asked (fetch): the page's address, which it opens with
        # location.replace, so no POST of the sign-in stays in the frame's history for Back
        # to land on (decision 0033). Without JavaScript the form's POST gets the page itself.
        return _address_of_first_page(record)
    return _enter(record)


def _address_of_first_page(record: Launch) -> Response:
    launch_session.start(record)
    endpoint, values = _first_target(record)
    response = make_response(jsonify({"url": launch_session.launch_url(endpoint, **values)}))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/jwks")
def jwks() -> Response:
    response = make_response(jsonify(keys.jwks(current_app.config["SECRET_KEY"])))
    # Platforms may cache it briefly; rotation keeps old keys published far longer.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
