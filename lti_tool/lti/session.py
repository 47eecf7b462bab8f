"""The learner's session after a launch: one small interface, two carriers.

A signed, short-lived launch token travels with every page, form, redirect and fetch
(query parameter or form field `lt`, or header X-Launch-Token), so the tool works in an
LMS iframe whose browser refuses third-party cookies. When the browser does accept
cookies, the Flask session cookie carries the same launch id as a fallback for
navigations that lost the token. The token grants exactly one launch: its user, its
context, its role. See docs/decisions/0004-cookieless-session.md.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import abort, current_app, g, request, session, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from lti_tool import languages, logs
from lti_tool.clock import TimedSerializer
from lti_tool.extensions import db
from lti_tool.i18n import gettext as _
from lti_tool.models import Launch, Platform
from lti_tool.models.base import utcnow
from lti_tool.security import same_secret

TOKEN_PARAM = "lt"
TOKEN_HEADER = "X-Launch-Token"
CSRF_FIELD = "csrf_token"
# However often its token is renewed, a launch opens pages for this long at most: then the
# person opens the activity again from the LMS (a stolen token cannot be renewed forever).
MAX_SESSION_HOURS = 12

F = TypeVar("F", bound=Callable[..., Any])


class LaunchTokenError(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@functools.lru_cache(maxsize=8)
def _serializer_for(secret: str) -> URLSafeTimedSerializer:
    # Built once per secret: every page issues a token and reads one (its ages follow the
    # app's clock at each call, so a cached serializer is still right under a test clock).
    return TimedSerializer(secret, salt="launch-token")


def issue_token(launch: Launch) -> str:
    return _serializer().dumps(
        {"l": launch.id, "u": launch.user_pk, "c": launch.context_pk, "r": launch.role}
    )


# What nearly every page reads of its launch (the person's name, the course, the activity),
# loaded with it, and whether its platform is still enabled and not disabled since the launch
# (its session epoch, docs/decisions/0035): one statement per request instead of up to five.
# Built once with a bound parameter (every request runs it): ``session.get`` built the statement
# and its cache key again on each call.
_LAUNCH_BY_ID = (
    select(Launch, Platform.enabled, Platform.session_epoch)
    .join(Platform, Platform.id == Launch.platform_id)
    .options(joinedload(Launch.user), joinedload(Launch.context), joinedload(Launch.resource_link))
    .where(Launch.id == bindparam("launch_id"))
)


def get_launch(launch_id: Any) -> Launch | None:
    """The launch, None if there is none; a launch of a platform an administrator disabled (a
    compromised LMS) has ended, token or cookie, also once the platform is enabled again:
    LaunchTokenError."""
    if not isinstance(launch_id, str):
        return None
    row = db.session.execute(_LAUNCH_BY_ID, {"launch_id": launch_id}).first()
    if row is None:
        return None
    launch, enabled, epoch = row
    if not enabled or epoch != launch.session_epoch:  # disabled, or disabled since this launch
        # The refusal in the person's language (their launch is known: it is loaded with them).
        languages.use_locale(languages.launch_language(launch))
        reason = "platform_disabled" if not enabled else "platform_was_disabled"
        raise LaunchTokenError(reason, _("Your session has ended."))
    found: Launch = launch
    return found


def read_token(token: str) -> Launch:
    """The launch a token grants, or LaunchTokenError naming why not."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["LAUNCH_TOKEN_TTL"])
    except SignatureExpired as exc:
        _speak_as_the_expired_launch(token)
        raise LaunchTokenError("token_expired", _("Your session has expired.")) from exc
    except BadSignature as exc:
        raise LaunchTokenError("token_invalid", _("The session token is not valid.")) from exc
    launch = _granted(data)
    if launch is None:
        raise LaunchTokenError("token_invalid", _("The session token is not valid."))
    return launch


def _granted(data: Any) -> Launch | None:
    """The launch a token's (signed) claims name, None unless they match it."""
    launch = get_launch(data.get("l")) if isinstance(data, dict) else None
    # The claims are signed, but we still check them against the stored launch: a token
    # can never name a user, context or role other than its launch's own.
    if launch is None or (data.get("u"), data.get("c"), data.get("r")) != (
        launch.user_pk,
        launch.context_pk,
        launch.role,
    ):
        return None
    return launch


def _speak_as_the_expired_launch(token: str) -> None:
    """An expired token of the tool's own (the page stayed away too long) still says which
    language its launch was in: the refusal is answered in it, and nothing else of the launch is
    used (docs/decisions/0042, addendum). The signature is checked again, without the age: a
    token the tool did not sign never reaches the database."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return
    try:
        launch = _granted(data)
    except LaunchTokenError:  # its platform was disabled: get_launch chose the language already
        return
    if launch is not None:
        languages.use_locale(languages.launch_language(launch))


def start(launch: Launch) -> str:
    """Establish the session for a validated launch; returns its token."""
    session.clear()
    session["launch_id"] = launch.id
    logs.note(launch_id=launch.id, platform_id=launch.platform_id)
    g.launch = launch
    token = g.launch_token = issue_token(launch)
    languages.language_changed()
    return token


def abandon() -> None:
    """Undo ``start``: its launch was not recorded (its first page failed, decision 0045), so the
    error page names no launch and the browser gets no session."""
    session.clear()
    g.pop("launch", None)
    g.pop("launch_token", None)
    languages.language_changed()


# Sec-Fetch-Site of a request made by a page of the tool itself, or by the person (address bar,
# bookmark, the browser's reload): the requests whose URL or form may carry a launch token.
_OWN_SITES = ("same-origin", "none")


def _token_from_request() -> str | None:
    """The launch token the request carries. One in a URL or a form counts only when the tool's
    own page (or the person) made the request: a link or form on another site (a course forum, a
    message) carrying someone's token would put whoever follows it in that person's session,
    writing into their account (docs/decisions/0032). A header is set only by the tool's own
    script (another site's page cannot, without CORS). Browsers that send no Sec-Fetch-Site
    (before 2023) and clients that are not browsers are not told apart from the tool's pages."""
    header = request.headers.get(TOKEN_HEADER)
    if header:
        return header
    carried = request.form.get(TOKEN_PARAM) or request.args.get(TOKEN_PARAM)
    if carried and request.headers.get("Sec-Fetch-Site", "same-origin") not in _OWN_SITES:
        g.token_from_another_site = True
        return None
    return carried or None


def load_current() -> Launch | None:
    """Find this request's launch (token first, then cookie). Raises on a bad token."""
    if "launch" in g:
        loaded: Launch | None = g.launch
        return loaded
    token = _token_from_request()
    launch: Launch | None = None
    if token:
        launch = read_token(token)
    elif session.get("launch_id"):  # the person's own session, also when a link from elsewhere
        launch = get_launch(session["launch_id"])  # carried another's token (not taken)
    elif g.get("token_from_another_site"):
        raise LaunchTokenError(
            "token_from_another_site",
            _("This link came from another site with someone's session in it, so it was not opened."),
        )
    if launch is not None and launch.created_at < utcnow() - timedelta(hours=MAX_SESSION_HOURS):
        languages.use_locale(languages.launch_language(launch))  # the refusal in its language
        raise LaunchTokenError("session_ended", _("Your session has ended."))
    g.launch = launch
    languages.language_changed()  # the launch decides this page's language
    # Every page gets a fresh token for its links: tokens live minutes, and a person moving
    # through the pages (or an open page, static/session.js) keeps renewing theirs. Issued when
    # first used (a link, a form): an autosave's JSON answer needs none.
    g.launch_token = None
    if launch is not None:
        logs.note(launch_id=launch.id, platform_id=launch.platform_id)
    return launch


def launch_token() -> str | None:
    """This request's launch token, issued on first use (None without a launch)."""
    token: str | None = g.get("launch_token")
    if token is None and g.get("launch") is not None:
        token = g.launch_token = issue_token(g.launch)
    return token


def fresh_token() -> str:
    return str(launch_token())


def current() -> Launch:
    launch: Launch | None = g.get("launch")
    if launch is None:
        abort(401)
    return launch


def launch_url(endpoint: str, **values: Any) -> str:
    """url_for that keeps the launch token, for links, forms and redirects inside the tool."""
    token = launch_token()
    if not token or "_anchor" in values:
        if token:
            values[TOKEN_PARAM] = token
        return url_for(endpoint, **values)
    # A page has ~20 of these links: the token (URL-safe base64 and dots, see itsdangerous)
    # is appended as it is instead of going through url_for's query encoding each time.
    try:
        # Not for ".x" (relative to the request's blueprint) nor an unhashable value (a list for
        # a repeated parameter): those are built each time.
        if endpoint.startswith("."):
            raise TypeError(endpoint)
        url = _path(current_app.url_map, request.script_root, endpoint, tuple(sorted(values.items())))
    except TypeError:
        url = url_for(endpoint, **values)
    return f"{url}{'&' if '?' in url else '?'}{TOKEN_PARAM}={token}"


@functools.lru_cache(maxsize=2048)
def _path(_map: Any, _script_root: str, endpoint: str, values: tuple[tuple[str, Any], ...]) -> str:
    """url_for's path, built once per app, mount point and arguments: the same links are on
    every page (the workshop's sessions, the activity's pages), ~20 us each to build. Internal
    paths depend on nothing else here (no url_defaults, no SERVER_NAME; endpoints are named in
    full, never ".x")."""
    return url_for(endpoint, **dict(values))


def csrf_token() -> str:
    launch = current()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"csrf:" + launch.id.encode(), hashlib.sha256).hexdigest()


def check_csrf() -> None:
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    if not same_secret(sent, csrf_token()):
        abort(
            400,
            description=_("The form's security token is missing or wrong. Reload the page and try again."),
        )


def launch_required(role: str | None = None) -> Callable[[F], F]:
    """A view needs a launch (and, optionally, a role); POSTs also need the CSRF token."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                launch = load_current()
            except LaunchTokenError as exc:
                abort(401, description=exc.message + " " + _("Open the activity again from your course."))
            if launch is None:
                abort(401, description=_("No launch: open this activity from your course in the LMS."))
            if role and launch.role != role:
                abort(403, description=_("This page is for instructors."))
            if request.method == "POST" and not g.get("launch_entry"):  # views.pages.enter
                check_csrf()
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
