"""The administrator's credential and sign-in throttling (the /admin area).

``ADMIN_PASSWORD`` is reduced to a hash when settings load; ``flask admin set-password`` stores
one in ``admin_credential``, which takes precedence (docs/decisions/0006). After
``ADMIN_SIGN_IN_MAX_FAILURES`` wrong passwords within ``ADMIN_SIGN_IN_WINDOW_SECONDS`` a client
waits until the oldest failure leaves the window. A client is an IPv4 address or an IPv6 /64
(one host is given a whole /64). After ``ADMIN_SIGN_IN_GLOBAL_MAX_FAILURES`` wrong passwords
from all clients together, everyone waits, the administrator too (docs/decisions/0031).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
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


# Checked when no password is configured, so that a refusal takes as long either way. A constant,
# not generate_password_hash() at import: that cost 0.1 s of CPU at every start of a process
# (each flask command, each gunicorn worker). tests/test_admin.py checks that it is hashed the
# way werkzeug hashes a password now (the same method and cost).
_DUMMY_HASH = (
    "scrypt:32768:8:1$b6vbALxxZg0Ek3bo$6bea360946d62aaae7d0e02ccfc795bc925daa60de0ef4d41a8174b51c11ac4"
    "b4e6347cd64108df60b8cfa946b73fe72a6b5566828ca23f779331cc95b876fc2"
)


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


def throttle_client(address: str) -> str:
    """Whom wrong passwords are counted against: an IPv4 address, or an IPv6 address's /64
    (a host or VPS is given a whole /64: counted per address, every guess would come from a
    fresh one). IPv4-mapped IPv6 counts as its IPv4 address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _client_key(settings: Mapping[str, Any], address: str) -> str:
    # Keyed, so that the table holds no readable IP addresses.
    client = throttle_client(address)
    return hmac.new(str(settings["SECRET_KEY"]).encode(), client.encode(), "sha256").hexdigest()[:64]


@dataclass(frozen=True)
class SignInWait:
    """A refused sign-in: seconds to wait, and whether everyone waits (the global ceiling)."""

    seconds: int
    everyone: bool = False


def _wait_until_below(now: datetime, window: timedelta, limit: int, client: str | None) -> int:
    """Seconds until the newest ``limit`` failures (of ``client``, or of everyone) fall to
    ``limit - 1`` in the window: when the oldest of them leaves it."""
    query = select(AdminSignInFailure.created_at)
    if client is not None:
        query = query.where(AdminSignInFailure.client == client)
    oldest = db.session.scalars(
        query.order_by(AdminSignInFailure.created_at.desc()).offset(limit - 1).limit(1)
    ).first()
    return max(1, math.ceil(((oldest or now) + window - now).total_seconds()))


def begin_sign_in(settings: Mapping[str, Any], address: str) -> SignInWait | None:
    """Count a sign-in attempt from ``address`` as a failure until it succeeds.

    Returns None when the password may be checked, otherwise how long to wait. The attempt is
    written (and committed) before it is judged, so that concurrent guesses see each other.
    ``ADMIN_SIGN_IN_MAX_FAILURES`` 0 turns both limits off.
    """
    limit = int(settings["ADMIN_SIGN_IN_MAX_FAILURES"])
    ceiling = int(settings["ADMIN_SIGN_IN_GLOBAL_MAX_FAILURES"])
    if limit <= 0:
        return None
    client = _client_key(settings, address)
    now = utcnow()
    window = timedelta(seconds=int(settings["ADMIN_SIGN_IN_WINDOW_SECONDS"]))
    # Every expired failure, not only this client's: the table holds one window at most.
    db.session.execute(delete(AdminSignInFailure).where(AdminSignInFailure.created_at <= now - window))
    attempt = AdminSignInFailure(client=client, created_at=now)
    db.session.add(attempt)
    db.session.commit()
    in_window = AdminSignInFailure.created_at > now - window
    recent = (
        db.session.scalar(select(func.count()).where(AdminSignInFailure.client == client, in_window)) or 0
    )
    everyone = 0
    if recent <= limit and ceiling > 0:
        everyone = db.session.scalar(select(func.count()).where(in_window)) or 0
    if recent <= limit and everyone <= ceiling:
        return None
    db.session.delete(attempt)  # refused unchecked: it does not make the wait longer
    db.session.flush()
    if recent > limit:
        wait = SignInWait(_wait_until_below(now, window, limit, client))
        log.warning("administrator sign-in refused: too many wrong passwords from one client")
    else:
        wait = SignInWait(_wait_until_below(now, window, ceiling, None), everyone=True)
        log.warning(
            "administrator sign-in refused for everyone: %s wrong passwords from all clients "
            "within the window (ADMIN_SIGN_IN_GLOBAL_MAX_FAILURES %s)",
            everyone - 1,
            ceiling,
        )
    db.session.commit()
    return wait


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
