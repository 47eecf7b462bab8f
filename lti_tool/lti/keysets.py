"""Platform key sets, cached on the platform row.

Fetched when the cache is empty or stale, and fetched again when a token names a kid the
cached set does not hold (the platform rotated its keys). Never on every launch, and never
more often than once per MIN_REFETCH_SECONDS per platform, whatever the platform's caching
headers say (no-store included): a stream of tokens with made-up kids cannot turn the tool
into a client hammering the platform, nor make every launch wait on it.

A fetch never holds a database connection: the launch's transaction is ended first, the
key set is fetched (lti_tool.outbound: total deadline, 1 MB cap, destination policy), then
stored in a short transaction of its own. Within a process, one fetch per platform runs at a
time; launches that arrive meanwhile wait for its result (up to the same deadline) instead of
each asking the platform.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import update

from lti_tool import outbound
from lti_tool.extensions import db
from lti_tool.i18n import lazy_gettext as _l
from lti_tool.lti.errors import LaunchError
from lti_tool.models import Platform
from lti_tool.models.base import utcnow

log = logging.getLogger(__name__)

MIN_REFETCH_SECONDS = 10
_MAX_AGE = re.compile(r"max-age=(\d+)")


@dataclass(frozen=True)
class _Source:
    """What a fetch needs to know about the platform: plain values, no database row."""

    platform_id: int
    issuer: str
    url: str
    fetched_at: datetime | None


@dataclass
class _Outcome:
    at: float  # time.monotonic()
    keyset: dict[str, Any] | None = None
    error: LaunchError | None = None


_guard = threading.Lock()
# Per platform and key set URL (a changed URL is a new key set).
_locks: dict[tuple[int, str], threading.Lock] = {}
_recent: dict[tuple[int, str], _Outcome] = {}


def _lock_for(key: tuple[int, str]) -> threading.Lock:
    with _guard:
        return _locks.setdefault(key, threading.Lock())


def _cache_seconds(headers: Mapping[str, str], default_ttl: int) -> int:
    cache_control = headers.get("Cache-Control", "")
    if "no-store" in cache_control or "no-cache" in cache_control:
        seconds = 0
    else:
        match = _MAX_AGE.search(cache_control)
        seconds = int(match.group(1)) if match else default_ttl
    return max(seconds, MIN_REFETCH_SECONDS)


def _error(source: _Source, reason: str, message: Any, hint: Any, status: int) -> LaunchError:
    return LaunchError(reason, message, hint, status, issuer=source.issuer, platform_id=source.platform_id)


def _fetch(source: _Source) -> tuple[dict[str, Any], Mapping[str, str]]:
    """GET the key set; no database work here."""
    try:
        answer = outbound.client().get(source.url, outbound.KEY_SET, headers={"Accept": "application/json"})
    except outbound.OutboundError as exc:
        if exc.kind == "too_large":
            raise _error(
                source,
                "keyset_invalid",
                _l("The platform's key set is too large."),
                _l("%(problem)s (a key set is at most 1 MB).", problem=exc.public),
                400,
            ) from exc
        raise _error(
            source,
            "keyset_unavailable",
            _l("The tool could not fetch the platform's public keys."),
            _l("The tool %(problem)s (its key set URL). Try again in a moment.", problem=exc.public),
            502,
        ) from exc
    if not answer.ok:
        log.warning("key set of %s: HTTP %s from %s", source.issuer, answer.status_code, source.url)
        raise _error(
            source,
            "keyset_unavailable",
            _l("The tool could not fetch the platform's public keys."),
            _l("The platform's key set URL answered HTTP %(status)s.", status=answer.status_code),
            502,
        )
    try:
        keyset = answer.json()
    except ValueError:
        keyset = None
    if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list):
        raise _error(
            source,
            "keyset_invalid",
            _l("The platform's key set is not a JSON Web Key Set."),
            _l('Its key set URL must answer with {"keys": [...]}.'),
            400,
        )
    return keyset, answer.headers


def _store(source: _Source, keyset: dict[str, Any], seconds: int) -> None:
    """A short transaction of its own, after the network call."""
    now = utcnow()
    db.session.execute(
        update(Platform)
        .where(Platform.id == source.platform_id)
        .values(
            keyset_json=json.dumps(keyset),
            keyset_fetched_at=now,
            keyset_expires_at=now + timedelta(seconds=seconds),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _refresh(source: _Source, default_ttl: int) -> dict[str, Any]:
    """Fetch the key set once for every launch of this process waiting on it."""
    db.session.commit()  # end the launch's transaction: its connection returns to the pool
    client = outbound.client()
    memo_key = (source.platform_id, source.url)
    lock = _lock_for(memo_key)
    waiting_since = time.monotonic()
    if not lock.acquire(timeout=client.deadline):
        raise _error(
            source,
            "keyset_unavailable",
            _l("The tool could not fetch the platform's public keys."),
            _l("The platform's key set URL is slow to answer. Try again in a moment."),
            502,
        )
    try:
        recent = _recent.get(memo_key)
        if recent is not None and recent.keyset is not None and recent.at >= waiting_since:
            return recent.keyset  # fetched while this launch waited: the same answer
        if recent is not None and recent.error is not None:
            if time.monotonic() - recent.at < MIN_REFETCH_SECONDS:
                raise recent.error  # failed moments ago: fail fast, do not ask again
        try:
            keyset, headers = _fetch(source)
        except LaunchError as error:
            _recent[memo_key] = _Outcome(time.monotonic(), error=error)
            raise
        _store(source, keyset, _cache_seconds(headers, default_ttl))
        _recent[memo_key] = _Outcome(time.monotonic(), keyset=keyset)
        log.info("fetched key set of %s (%d keys)", source.issuer, len(keyset["keys"]))
        return keyset
    finally:
        lock.release()


def _find(keyset: dict[str, Any] | None, kid: str) -> dict[str, Any] | None:
    for key in (keyset or {}).get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None


@functools.lru_cache(maxsize=64)
def _parse(keyset_json: str) -> dict[str, Any]:
    # Parsed once per process per key set version, not on every launch.
    parsed: dict[str, Any] = json.loads(keyset_json)
    return parsed


def platform_public_key(platform: Platform, kid: str, *, default_ttl: int) -> dict[str, Any]:
    """The JWK with this kid from the platform's key set, fetching only when needed."""
    now = utcnow()
    source = _Source(platform.id, platform.issuer, platform.key_set_url, platform.keyset_fetched_at)
    cached = _parse(platform.keyset_json) if platform.keyset_json else None
    fresh = cached is not None and platform.keyset_expires_at is not None and platform.keyset_expires_at > now
    key = _find(cached, kid)
    if key is not None and fresh:
        return key
    recently = source.fetched_at is not None and now - source.fetched_at < timedelta(
        seconds=MIN_REFETCH_SECONDS
    )
    if cached is None or not recently:
        key = _find(_refresh(source, default_ttl), kid)
    if key is None:
        raise LaunchError(
            "unknown_kid",
            _l("The launch was signed with a key the platform does not publish."),
            _l("The token's key id %(kid)s is not in the platform's key set.", kid=repr(kid[:80])),
            issuer=platform.issuer,
            platform_id=platform.id,
        )
    return key


MIN_RSA_BITS = 2048


@functools.lru_cache(maxsize=64)
def rsa_public_key(jwk_json: str) -> Any:
    """The RSA public key of a JWK (JSON), for RS256; ValueError when it is not one."""
    key = jwt.PyJWK(json.loads(jwk_json), algorithm="RS256").key
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        raise ValueError(f"not an RSA public key of at least {MIN_RSA_BITS} bits")
    return key
