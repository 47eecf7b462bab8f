"""The administrator area (/admin): platforms, deployments, keys, launch failures, registration
links. Its own password and its own first-party session; an LTI launch grants nothing here.
"""

from __future__ import annotations

import functools
import hmac
import math
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from lti_tool.i18n import gettext as _
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.i18n import ngettext
from lti_tool.lti import keys as tool_keys
from lti_tool.models import Platform
from lti_tool.models.base import utcnow
from lti_tool.security import same_secret
from lti_tool.services import admin_auth
from lti_tool.services import grades as grade_service
from lti_tool.services import launches as launch_service
from lti_tool.services import platforms as platform_service
from lti_tool.services import registration as registration_service
from lti_tool.validation_messages import translated

bp = Blueprint("admin", __name__, url_prefix="/admin")

F = TypeVar("F", bound=Callable[..., Any])
_TOKEN = "admin_session"
_CSRF = "admin_csrf"
CLOSED = _l(
    "The administrator area is closed: no administrator password is set. Set "
    "LTI_TOOL_ADMIN_PASSWORD, or run `flask --app lti_tool admin set-password` on the server."
)
# A registration link's state (RegistrationLink.state), in the administrator's words.
LINK_STATES = {
    "usable": _l("usable"),
    "used": _l("used"),
    "spent": _l("spent (too many failed attempts)"),
    "expired": _l("expired"),
    "revoked": _l("revoked"),
}


def _configured() -> bool:
    return bool(admin_auth.admin_password_hash(current_app.config))


def _signed_in() -> bool:
    # No password, no administrator: a session cookie alone (even one signed with the right
    # key) opens nothing; the session must exist on the server and the password be unchanged.
    if not _configured():
        return False
    token = session.get(_TOKEN)
    if not isinstance(token, str) or not admin_auth.admin_session_valid(token):
        return False
    return session.get("admin_pw") == _password_fingerprint()


def _password_fingerprint() -> str:
    stored = admin_auth.admin_password_hash(current_app.config) or ""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), stored.encode(), "sha256").hexdigest()[:16]


def admin_csrf_token() -> str:
    if _CSRF not in session:
        session[_CSRF] = secrets.token_urlsafe(32)
    return str(session[_CSRF])


def _check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    expected = session.get(_CSRF, "")
    if not expected or not same_secret(sent, expected):
        abort(
            400,
            description=_("The form's security token is missing or wrong. Reload the page and try again."),
        )


def admin_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not _configured():
            abort(403, description=str(CLOSED))
        if not _signed_in():
            if request.method == "GET":
                return redirect(url_for("admin.login", next=request.path))
            abort(401, description=_("Sign in to the administrator area first."))
        if request.method == "POST":
            _check_csrf()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    configured = _configured()
    if not configured:
        return render_template("admin/login.html", error=CLOSED, configured=False), 403
    error = None
    if request.method == "POST":
        _check_csrf()
        address = request.remote_addr or ""
        wait = admin_auth.begin_sign_in(current_app.config, address)
        if wait:
            minutes = math.ceil(wait.seconds / 60)
            if wait.everyone:
                error = ngettext(
                    "Too many wrong passwords were tried recently, from many places: signing in "
                    "is paused for everyone. Try again in %(num)s minute.",
                    "Too many wrong passwords were tried recently, from many places: signing in "
                    "is paused for everyone. Try again in %(num)s minutes.",
                    minutes,
                )
            else:
                error = ngettext(
                    "Too many wrong passwords from this computer. Try again in %(num)s minute.",
                    "Too many wrong passwords from this computer. Try again in %(num)s minutes.",
                    minutes,
                )
            page = render_template("admin/login.html", error=error, configured=configured)
            return page, 429, {"Retry-After": str(wait.seconds)}
        if admin_auth.check_admin_password(current_app.config, request.form.get("password", "")):
            admin_auth.sign_in_succeeded(current_app.config, address)
            session.clear()  # also ends any LTI launch session in this browser
            session[_TOKEN] = admin_auth.start_admin_session(current_app.config)
            session["admin_pw"] = _password_fingerprint()
            session[_CSRF] = secrets.token_urlsafe(32)  # a new CSRF token for the new session
            target = request.args.get("next", "")
            if not target.startswith("/admin") or target.startswith("//"):
                target = url_for("admin.dashboard")
            return redirect(target, code=303)
        return render_template(
            "admin/login.html", error=_("That password is not right."), configured=configured
        ), 401
    return render_template("admin/login.html", error=error, configured=configured)


@bp.post("/logout")
@admin_required
def logout() -> Response:
    admin_auth.end_admin_session(str(session.get(_TOKEN, "")))  # copies die with it
    session.clear()
    return redirect(url_for("admin.login"), code=303)


@bp.get("/")
@admin_required
def dashboard() -> str:
    cfg = current_app.config
    return render_template(
        "admin/dashboard.html",
        platforms=platform_service.list_platforms(),
        learned=platform_service.learned_deployments(),
        registration_of=registration_service.registration_of,
        keys=tool_keys.published_keys(),
        failures=launch_service.failure_summary(),
        deliveries=grade_service.delivery_by_platform(),
        links=registration_service.list_links(),
        link_states=LINK_STATES,
        now=utcnow(),
        new_link=session.pop("new_link", None),
        mode=cfg["REGISTRATION_MODE"],
        allowed=cfg["REGISTRATION_ALLOWED_ISSUERS"],
        register_url=cfg["BASE_URL"] + url_for("registration.register"),
        canvas_json_url=cfg["BASE_URL"] + url_for("registration.canvas_json"),
    )


# The platform form's fields: (name, label, input type). Errors are shown with the label.
PLATFORM_FIELDS = [
    ("name", _l("Name (for people)"), "text"),
    ("issuer", _l("Issuer (iss)"), "text"),
    ("client_id", _l("Client ID"), "text"),
    ("auth_login_url", _l("OIDC authorization URL"), "url"),
    ("auth_token_url", _l("OAuth2 token URL"), "url"),
    ("key_set_url", _l("Key set (JWKS) URL"), "url"),
    ("auth_audience", _l("Token audience (optional)"), "text"),
    ("deployment_ids", _l("Deployment IDs (one a line)"), "textarea"),
]


def _field_problems(errors: dict[str, Any]) -> dict[str, list[str]]:
    """Each field's messages, each naming the field by its label ("Issuer (iss): ..."), marshmallow's
    own ("Not a valid URL.") in the administrator's language."""
    labels = {name: label for name, label, _ in PLATFORM_FIELDS}
    problems: dict[str, list[str]] = {}
    for field, messages in errors.items():
        label = labels.get(field, field)
        if isinstance(messages, dict):  # a list field: messages per item (the line, from 1)
            found = [
                _(
                    "%(field)s, line %(line)s: %(problem)s",
                    field=label,
                    line=int(i) + 1,
                    problem=translated(str(m)),
                )
                for i, ms in messages.items()
                for m in ms
            ]
        else:
            found = [_("%(field)s: %(problem)s", field=label, problem=translated(str(m))) for m in messages]
        problems.setdefault(field, []).extend(found)
    return problems


def _form_data() -> dict[str, Any]:
    form = request.form
    data: dict[str, Any] = {
        k: form.get(k, "").strip()
        for k in ("name", "issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url")
    }
    data["auth_audience"] = form.get("auth_audience", "").strip() or None
    raw = form.get("deployment_ids", "").replace(",", "\n")
    data["deployment_ids"] = [d.strip() for d in raw.splitlines() if d.strip()]
    return data


def _platform_or_404(platform_id: int) -> Platform:
    platform = platform_service.find_platform_by_ref(str(platform_id))
    if platform is None:
        abort(404, description=_("No such platform."))
    return platform


@bp.route("/platforms/new", methods=["GET", "POST"])
@admin_required
def platform_new() -> Any:
    values: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        values = _form_data()
        try:
            platform = platform_service.add_platform(values)
        except platform_service.PlatformError as exc:
            errors = _field_problems(exc.errors)
        else:
            flash(_("Platform #%(number)s added.", number=platform.id))
            return redirect(url_for("admin.dashboard"), code=303)
    status = 400 if errors else 200
    return render_template(
        "admin/platform_form.html", values=values, errors=errors, platform=None, fields=PLATFORM_FIELDS
    ), status


@bp.route("/platforms/<int:platform_id>/edit", methods=["GET", "POST"])
@admin_required
def platform_edit(platform_id: int) -> Any:
    platform = _platform_or_404(platform_id)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        values = _form_data()
        try:
            platform_service.update_platform(platform, values)
        except platform_service.PlatformError as exc:
            errors = _field_problems(exc.errors)
        else:
            flash(_("Platform #%(number)s saved.", number=platform.id))
            return redirect(url_for("admin.dashboard"), code=303)
    else:
        values = {
            c: getattr(platform, c)
            for c in (
                "name",
                "issuer",
                "client_id",
                "auth_login_url",
                "auth_token_url",
                "key_set_url",
                "auth_audience",
            )
        }
        values["deployment_ids"] = platform.deployment_ids
    status = 400 if errors else 200
    return render_template(
        "admin/platform_form.html", values=values, errors=errors, platform=platform, fields=PLATFORM_FIELDS
    ), status


@bp.get("/platforms/<int:platform_id>/remove")
@admin_required
def platform_remove_confirm(platform_id: int) -> str:
    """What removing the platform deletes with it, before anything is deleted."""
    platform = _platform_or_404(platform_id)
    return render_template(
        "admin/confirm_remove.html", platform=platform, gone=platform_service.removal_summary(platform)
    )


@bp.post("/platforms/<int:platform_id>/delete")
@admin_required
def platform_delete(platform_id: int) -> Response:
    platform = _platform_or_404(platform_id)
    if request.form.get("confirm") != "yes":
        abort(400, description=_("Not removed: confirm on the platform's Remove page first."))
    platform_service.remove_platform(platform)
    flash(_("Platform #%(id)s removed, with everything its people did in the tool.", id=platform_id))
    return redirect(url_for("admin.dashboard"), code=303)


@bp.get("/keys/rotate")
@admin_required
def keys_rotate_confirm() -> str:
    return render_template(
        "admin/confirm_rotate.html",
        keys=tool_keys.published_keys(),
        overlap_days=current_app.config["KEY_ROTATION_OVERLAP_DAYS"],
        jwks_url=current_app.config["BASE_URL"] + url_for("lti.jwks"),
    )


@bp.post("/keys/rotate")
@admin_required
def keys_rotate() -> Response:
    cfg = current_app.config
    if request.form.get("confirm") != "rotate":
        abort(400, description=_("Not rotated: confirm on the Rotate the signing key page first."))
    new_key, _retired = tool_keys.rotate(cfg["SECRET_KEY"], cfg["KEY_ROTATION_OVERLAP_DAYS"])
    flash(
        ngettext(
            "New signing key %(kid)s; previous keys stay published for %(num)s day.",
            "New signing key %(kid)s; previous keys stay published for %(num)s days.",
            cfg["KEY_ROTATION_OVERLAP_DAYS"],
            kid=new_key.kid,
        )
    )
    return redirect(url_for("admin.dashboard"), code=303)


@bp.post("/links")
@admin_required
def link_create() -> Response:
    cfg = current_app.config
    _, code = registration_service.create_link(
        request.form.get("label", ""), cfg["REGISTRATION_LINK_TTL_HOURS"]
    )
    # Shown once, on the next page: only the code's hash is stored.
    session["new_link"] = cfg["BASE_URL"] + url_for("registration.register", reg=code)
    return redirect(url_for("admin.dashboard") + "#links", code=303)


@bp.post("/links/<int:link_id>/revoke")
@admin_required
def link_revoke(link_id: int) -> Response:
    if not registration_service.revoke_link(link_id):
        abort(404, description=_("No usable registration link with that number."))
    flash(_("Registration link #%(number)s revoked.", number=link_id))
    return redirect(url_for("admin.dashboard") + "#links", code=303)


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    return {"admin_csrf_token": admin_csrf_token}
