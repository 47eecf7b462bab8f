"""LTI platform storage (the 1EdTech "Client Side postMessages" spec, lti.put_data /
lti.get_data): where the browser keeps no third-party cookies, the OIDC state is kept in
the platform's window instead, and read back on the launch page to bind the launch to the
browser that started it.

The server side here is small: the value stored is an HMAC of the state, the launch is
held pending until the page proves it read that value back, and a pending launch is a
short-lived signed reference, not a session.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update
from werkzeug.datastructures import Headers

from lti_tool.extensions import db, rowcount
from lti_tool.lti import session
from lti_tool.lti.launch import state_cookie_value
from lti_tool.models import Launch, OidcState
from lti_tool.models.base import utcnow
from lti_tool.security import same_secret

STATE_KEY_PREFIX = "p3_state_"
PENDING_MAX_AGE = 120


def storage_key(state: str) -> str:
    return STATE_KEY_PREFIX + state[:48]


def storage_value(secret_key: str, state: str) -> str:
    return state_cookie_value(secret_key, state)


def platform_origin(auth_login_url: str) -> str:
    """Messages go to, and are accepted only from, the origin of the OIDC auth endpoint."""
    parts = urlsplit(auth_login_url)
    return f"{parts.scheme}://{parts.netloc}"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="pending-launch")


def pending_reference(secret_key: str, launch_id: str, state: str) -> str:
    return _serializer(secret_key).dumps({"l": launch_id, "s": state})


def read_pending(secret_key: str, reference: str) -> tuple[str, str] | None:
    try:
        data = _serializer(secret_key).loads(reference, max_age=PENDING_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not {"l", "s"} <= set(data):
        return None
    return str(data["l"]), str(data["s"])


def load_pending(secret_key: str, reference: str) -> tuple[Launch, OidcState] | None:
    """The launch held pending by this reference, and its login state."""
    pending = read_pending(secret_key, reference)
    if pending is None:
        return None
    # Read as every page reads its launch: a platform disabled since the launch ends it here too
    # (LaunchTokenError), not one page later.
    launch, state = session.get_launch(pending[0]), db.session.get(OidcState, pending[1])
    return (launch, state) if launch is not None and state is not None else None


def value_matches(secret_key: str, state: str, value: str) -> bool:
    return same_secret(value, storage_value(secret_key, state))


def from_own_page(headers: Headers, base_url: str) -> bool:
    """Did a page of the tool's own origin send this POST? Sec-Fetch-Site when the browser sends
    it (all current ones), else Origin. Neither: refused (a forged cross-site form could omit
    nothing a browser adds, and a non-browser client has no platform storage to read)."""
    site = headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    return headers.get("Origin", "") == platform_origin(base_url)


def confirm_once(state: OidcState) -> bool:
    """A pending reference confirms one launch, once: only one UPDATE can match."""
    result = db.session.execute(
        update(OidcState)
        .where(OidcState.state == state.state, OidcState.confirmed_at.is_(None))
        .values(confirmed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(rowcount(result))
