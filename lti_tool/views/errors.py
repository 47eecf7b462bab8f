"""Every refusal is a 4xx page in plain words, or JSON for clients that ask for JSON."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from lti_tool.lti.errors import LaunchError

log = logging.getLogger("lti_tool")

_TITLES = {
    400: "The request could not be used",
    401: "You are not signed in to this activity",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    413: "Too large",
    502: "The LMS did not answer as expected",
}


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return request.is_json or accept["application/json"] > accept["text/html"]


def _render(
    status: int,
    reason: str,
    message: str,
    hint: str = "",
    retry_url: str | None = None,
):
    if wants_json():
        body = {"error": reason, "message": message, "hint": hint}
        if retry_url:
            body["retry_url"] = retry_url
        return jsonify(body), status
    title = _TITLES.get(status, "Something went wrong")
    return render_template(
        "error.html",
        status=status,
        title=title,
        reason=reason,
        message=message,
        hint=hint,
        retry_url=retry_url,
    ), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(LaunchError)
    def launch_error(error: LaunchError):
        return _render(error.status, error.reason, error.message, error.hint, error.retry_url)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        reason = (error.name or "error").lower().replace(" ", "_")
        return _render(status, reason, error.description or error.name)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        server_error = InternalServerError()
        return _render(500, "internal_error", server_error.description)
