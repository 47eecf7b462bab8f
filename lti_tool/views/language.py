"""The language switch on every page of a launch: the person's choice, remembered for that user."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, abort, redirect, request
from werkzeug.wrappers import Response

from lti_tool import i18n, languages
from lti_tool.i18n import gettext as _
from lti_tool.lti import session as launch_session
from lti_tool.services import launches as launch_service

bp = Blueprint("language", __name__, url_prefix="/app")


@bp.post("/language")
@launch_session.launch_required()
def choose() -> Response:
    chosen = request.form.get("language", "")
    if chosen not in i18n.LANGUAGES:
        abort(400, description=_("Choose English (en) or French (fr)."))
    launch = launch_session.current()
    launch_service.set_language(launch.user_pk, chosen)
    languages.language_changed()
    return redirect(_back_to(request.form.get("back", "")), 303)


def _back_to(page: str) -> str:
    """The page the switch was on, with a fresh launch token; only a page of the tool's own."""
    parts = urlsplit(page)
    if parts.scheme or parts.netloc or not parts.path.startswith("/app/"):
        return launch_session.launch_url("pages.home")
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != launch_session.TOKEN_PARAM]
    query.append((launch_session.TOKEN_PARAM, launch_session.fresh_token()))
    return parts.path + "?" + urlencode(query)
