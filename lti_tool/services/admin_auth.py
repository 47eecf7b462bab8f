"""The administrator's credential and sign-in throttling (the /admin area).

``ADMIN_PASSWORD`` is reduced to a hash when settings load; ``flask admin set-password`` stores
one in ``admin_credential``, which takes precedence (docs/decisions/0006). After
``ADMIN_SIGN_IN_MAX_FAILURES`` wrong passwords within ``ADMIN_SIGN_IN_WINDOW_SECONDS`` a client
waits until the oldest failure leaves the window.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from lti_tool.extensions import db, rowcount
from lti_tool.models import AdminCredential, AdminSession, AdminSignInFailure
from lti_tool.models.base import utcnow

log = logging.getLogger("lti_tool.admin")

# --- the administrator credential ------------------------------------------------------------


def set_admin_password(password: str) -> None:
    row = db.session.scalars(select(AdminCredential).limit(1)).first()
    if row is None:
        row = AdminCredential(password_hash="")
        db.session.add(row)
    row.password_hash = generate_password_hash(password)
    db.session.execute(delete(AdminSession))  # a new password ends every session
    db.session.commit()


def admin_password_hash(settings: Mapping[str, Any]) -> str | None:
    """The database credential (flask admin set-password) wins over the setting."""
    row = db.session.scalars(select(AdminCredential).limit(1)).first()
    return row.password_hash if row else settings.get("ADMIN_PASSWORD_HASH")


_DUMMY_HASH = generate_password_hash("never-a-password")


def check_admin_password(settings: Mapping[str, Any], password: str) -> bool:
    stored = admin_password_hash(settings)
    if not stored:
        check_password_hash(_DUMMY_HASH, password)  # same time whether configured or not
        return False
    return check_password_hash(stored, password)  # compares with hmac.compare_digest


# --- administrator sessions, kept on the server ----------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_admin_session(settings: Mapping[str, Any]) -> str:
    """A new session; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(delete(AdminSession).where(AdminSession.expires_at <= now))
    db.session.add(
        AdminSession(
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(seconds=int(settings["ADMIN_SESSION_TTL"])),
        )
    )
    db.session.commit()
    return token


def admin_session_valid(token: str) -> bool:
    row = db.session.get(AdminSession, _token_hash(token)) if token else None
    return row is not None and row.expires_at > utcnow()


def end_admin_session(token: str) -> None:
    db.session.execute(delete(AdminSession).where(AdminSession.token_hash == _token_hash(token)))
    db.session.commit()


# --- slowing down password guessing ----------------------------------------------------------


def _client_key(settings: Mapping[str, Any], address: str) -> str:
    # Keyed, so that the table holds no readable IP addresses.
    return hmac.new(str(settings["SECRET_KEY"]).encode(), address.encode(), "sha256").hexdigest()[:64]


def begin_sign_in(settings: Mapping[str, Any], address: str) -> int:
    """Count a sign-in attempt from ``address`` as a failure until it succeeds.

    Returns 0 when the password may be checked, otherwise the seconds to wait. The attempt is
    written (and committed) before it is judged, so that concurrent guesses see each other.
    """
    limit = int(settings["ADMIN_SIGN_IN_MAX_FAILURES"])
    if limit <= 0:
        return 0
    client = _client_key(settings, address)
    now = utcnow()
    window = timedelta(seconds=int(settings["ADMIN_SIGN_IN_WINDOW_SECONDS"]))
    db.session.execute(
        delete(AdminSignInFailure).where(
            AdminSignInFailure.client == client, AdminSignInFailure.created_at <= now - window
        )
    )
    attempt = AdminSignInFailure(client=client, created_at=now)
    db.session.add(attempt)
    db.session.commit()
    recent = (
        db.session.scalar(
            select(func.count()).where(
                AdminSignInFailure.client == client, AdminSignInFailure.created_at > now - window
            )
        )
        or 0
    )
    if recent <= limit:
        return 0
    db.session.delete(attempt)  # refused unchecked: it does not make the wait longer
    oldest = db.session.scalars(
        select(AdminSignInFailure.created_at)
        .where(AdminSignInFailure.client == client)
        .order_by(AdminSignInFailure.created_at.desc())
        .offset(limit - 1)
        .limit(1)
    ).first()
    db.session.commit()
    log.warning("administrator sign-in refused: too many wrong passwords from one client")
    return max(1, math.ceil(((oldest or now) + window - now).total_seconds()))


def sign_in_succeeded(settings: Mapping[str, Any], address: str) -> None:
    """The right password: this client's earlier failures are forgotten."""
    db.session.execute(
        delete(AdminSignInFailure).where(AdminSignInFailure.client == _client_key(settings, address))
    )
    db.session.commit()


def purge_sign_in_failures(settings: Mapping[str, Any]) -> int:
    """Forget failures that no longer count (`flask cleanup`)."""
    window = timedelta(seconds=int(settings["ADMIN_SIGN_IN_WINDOW_SECONDS"]))
    removed = rowcount(
        db.session.execute(
            delete(AdminSignInFailure).where(AdminSignInFailure.created_at <= utcnow() - window)
        )
    )
    db.session.commit()
    return int(removed or 0)
