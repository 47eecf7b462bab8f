"""Every refusal is a 4xx page in plain words, or JSON for clients that ask for JSON."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException, InternalServerError

from lti_tool.i18n import gettext as _
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.lti.errors import LaunchError

log = logging.getLogger("lti_tool")

_TITLES = {
    400: _l("The request could not be used"),
    401: _l("You are not signed in to this activity"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not allowed here"),
    413: _l("Too large"),
    502: _l("The LMS did not answer as expected"),
}


# Said instead of Werkzeug's default descriptions (English, and "check your spelling" blames the
# person): the tool's own words, in the person's language (decision 0042).
_DEFAULT_DESCRIPTIONS = {
    404: _l(
        "This address is not a page of this activity. Use the activity's menu, or open the activity "
        "again from your course."
    ),
    405: _l("This address cannot be opened this way. Use the activity's own links and buttons."),
}


def _launch_of_unrouted_request() -> None:
    """An address no view answers (a 404 or 405 before any view ran) still carries the launch's
    token: the launch gives the error page its language and its way back to the activity."""
    if g.get("launch") is not None or not request.path.startswith("/app/"):
        return
    from lti_tool.lti import session as launch_session

    try:
        launch_session.load_current()
    except Exception:  # noqa: BLE001 - a bad or old token: the page is answered without it
        g.pop("launch", None)
        log.debug("no launch for the error page of %s", request.path, exc_info=True)


class Refusal(HTTPException):
    """A refusal that knows the person's next step: its page links there (every error page
    offers a way on; without one, _next_step finds the best it can)."""

    def __init__(self, code: int, description: str, next_url: str, next_label: str) -> None:
        super().__init__(description)
        self.code = code
        self.next_url = next_url
        self.next_label = next_label


def refuse(code: int, description: str, next_url: str, next_label: str) -> Refusal:
    return Refusal(code, description, next_url, next_label)


def _next_step() -> tuple[str, str]:
    """Where a person can go on from an error: the activity they are in, the administration,
    the demo LMS, or the tool's first page."""
    from lti_tool.lti import session as launch_session

    blueprint = request.blueprint or ""
    try:
        if g.get("launch") is not None:
            return launch_session.launch_url("pages.home"), _("Back to the start of this activity")
        if blueprint == "admin":
            return url_for("admin.dashboard"), _("Back to the administration")
        if blueprint == "demo":
            return url_for("demo.home"), _("Back to the demo LMS")
    except Exception:  # noqa: BLE001 - an error page must render whatever went wrong
        log.debug("no next step for %s", request.path, exc_info=True)
    # No referrer to go back to (Referrer-Policy: no-referrer): the tool's own first page says
    # how to open an activity from a course.
    return url_for("index"), _("How to open this tool from your course")


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return request.is_json or accept["application/json"] > accept["text/html"]


def _render(
    status: int,
    reason: str,
    message: str,
    hint: str = "",
    retry_url: str | None = None,
    next_step: tuple[str, str] | None = None,
) -> tuple[Response | str, int]:
    next_step = next_step or _next_step()
    if wants_json():
        body = {"error": reason, "message": message, "hint": hint}
        if retry_url:
            body["retry_url"] = retry_url
        if next_step:
            body["next_url"] = next_step[0]
        return jsonify(body), status
    title = str(_TITLES.get(status) or _("Something went wrong"))
    return render_template(
        "error.html",
        status=status,
        title=title,
        reason=reason,
        message=message,
        hint=hint,
        retry_url=retry_url,
        next_url=next_step[0] if next_step else None,
        next_label=next_step[1] if next_step else None,
    ), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(LaunchError)
    def launch_error(error: LaunchError) -> tuple[Response | str, int]:
        return _render(error.status, error.reason, str(error.message), str(error.hint), error.retry_url)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        status = error.code or 500
        reason = (error.name or "error").lower().replace(" ", "_")
        step = (error.next_url, error.next_label) if isinstance(error, Refusal) else None
        _launch_of_unrouted_request()
        description = error.description
        if description == type(error).description:  # Werkzeug's own English, not the tool's words
            description = str(_DEFAULT_DESCRIPTIONS.get(status) or description)
        return _render(status, reason, description or error.name, next_step=step)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response | str, int]:
        log.exception("unexpected error on %s %s", request.method, request.path)
        server_error = InternalServerError()
        return _render(500, "internal_error", server_error.description)
