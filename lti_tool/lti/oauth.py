"""OAuth2 client credentials with a signed JWT assertion (LTI Advantage service tokens).

The tool asks the platform's token endpoint for an access token, authenticating with a JWT
signed by its current key (iss = sub = client_id, aud = the token URL or auth_audience). Tokens
are reused until shortly before they expire, per platform and scope set: ``TokenCache`` keeps
them in process memory behind one lock per (platform, scope set), so concurrent deliveries
make one token request, and in a ``TokenStore`` (the database) so that every worker shares
them. See docs/decisions/0008-grade-outbox.md.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import jwt

from lti_tool import outbound
from lti_tool.lti.errors import ServiceError
from lti_tool.lti.keys import SigningKey, issued_at, private_key

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300

log = logging.getLogger("lti_tool.oauth")


@dataclass(frozen=True)
class PlatformAuth:
    """What a token request needs to know about a platform."""

    platform_id: int
    client_id: str
    token_url: str
    audience: str | None = None


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # time.time() seconds


class TokenStore(Protocol):
    """Shared storage of access tokens (the app's is in the database)."""

    def load(self, platform_id: int, scope_key: str) -> AccessToken | None: ...

    def save(self, platform_id: int, scope_key: str, token: AccessToken) -> None: ...

    def forget(self, platform_id: int, scope_key: str, value: str) -> None: ...


def scope_key(scopes: Iterable[str]) -> str:
    return " ".join(sorted(set(scopes)))


def client_assertion(auth: PlatformAuth, key: SigningKey, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    payload = {
        "iss": auth.client_id,
        "sub": auth.client_id,
        "aud": auth.audience or auth.token_url,
        "iat": issued_at(issued),  # earlier than now: Moodle allows no clock skew (decision 0041)
        "exp": issued + ASSERTION_LIFETIME,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(
        payload, private_key(key.private_pem), algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"}
    )


def request_token(
    http: outbound.OutboundClient,
    auth: PlatformAuth,
    key: SigningKey,
    scopes: Iterable[str],
    deadline: float | None = None,
) -> AccessToken:
    """One token request (``deadline``: seconds, else the client's). Raises ServiceError (retry
    or permanent) when it fails."""
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(auth, key),
        "scope": scope_key(scopes),
    }
    try:
        response = http.post(
            auth.token_url,
            outbound.ACCESS_TOKEN,
            data=data,
            headers={"Accept": "application/json"},
            deadline=deadline,
        )
    except outbound.OutboundError as exc:
        raise transport_error(exc, "the LMS token endpoint") from exc
    if response.status_code == 429 or response.status_code >= 500 or rate_limited(response):
        raise ServiceError(
            "retry",
            f"the LMS token endpoint answered {response.status_code}",
            response.status_code,
            retry_after_seconds(response),
        )
    if response.status_code != 200:
        raise ServiceError(
            "permanent",
            "the LMS refused the tool's access token request: " + error_message(response),
            response.status_code,
        )
    try:
        body = response.json()
        value = str(body["access_token"])
        lifetime = float(body.get("expires_in") or 3600)
    except (ValueError, KeyError, TypeError) as exc:
        raise ServiceError(
            "retry",
            "the LMS token endpoint did not answer with a token (malformed JSON)",
            response.status_code,
        ) from exc
    return AccessToken(value, time.time() + lifetime)


class TokenCache:
    """Access tokens per platform and scope set: memory first, then the shared store."""

    def __init__(self, store: TokenStore | None = None, margin: float = 60, failure_ttl: float = 1.0) -> None:
        self.store = store
        self.margin = margin
        # A failed token request is remembered this long, so that the deliveries waiting on
        # it fail at once instead of each asking a platform that is down.
        self.failure_ttl = failure_ttl
        self._failures: dict[tuple[int, str], tuple[float, ServiceError]] = {}
        self._tokens: dict[tuple[int, str], AccessToken] = {}
        self._locks: dict[tuple[int, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, key: tuple[int, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _fresh(self, token: AccessToken | None) -> bool:
        return token is not None and token.expires_at - self.margin > time.time()

    def get(self, auth: PlatformAuth, scopes: Iterable[str], fetch: Callable[[], AccessToken]) -> str:
        key = (auth.platform_id, scope_key(scopes))
        token = self._tokens.get(key)
        if self._fresh(token):
            return token.value  # type: ignore[union-attr]
        with self._lock(key):
            token = self._tokens.get(key)
            if not self._fresh(token) and self.store is not None:
                token = self.store.load(*key)
            if not self._fresh(token):
                failed = self._failures.get(key)
                if failed is not None and time.monotonic() - failed[0] < self.failure_ttl:
                    raise failed[1]
                try:
                    token = fetch()
                except ServiceError as error:
                    self._failures[key] = (time.monotonic(), error)
                    raise
                self._failures.pop(key, None)
                if self.store is not None:
                    self._share(key, token)
            self._tokens[key] = token  # type: ignore[assignment]
            return token.value  # type: ignore[union-attr]

    def _share(self, key: tuple[int, str], token: AccessToken) -> None:
        # The token is good whether or not other workers get to see it: a store that fails
        # costs them a token request, never this delivery.
        try:
            self.store.save(*key, token)  # type: ignore[union-attr]
        except Exception:
            log.warning(
                "could not store the access token of platform %s for other workers", key[0], exc_info=True
            )

    def invalidate(self, auth: PlatformAuth, scopes: Iterable[str], value: str) -> None:
        """Forget a token the platform refused (only that one: a newer one may be cached)."""
        key = (auth.platform_id, scope_key(scopes))
        with self._lock(key):
            token = self._tokens.get(key)
            if token is not None and token.value == value:
                del self._tokens[key]
            if self.store is not None:
                self.store.forget(*key, value)


def transport_error(exc: outbound.OutboundError, what: str) -> ServiceError:
    """An outbound failure as a delivery outcome: worth retrying unless the destination itself
    is refused or its answers are too large."""
    if exc.kind == "too_large":
        message = f"{what} sent more than the tool accepts"
    else:
        message = f"{what} is not reachable ({exc.public})"
    return ServiceError("retry" if exc.retryable else "permanent", message)


def rate_limited(response: outbound.Answer) -> bool:
    """Canvas's throttle: HTTP 403 "403 Forbidden (Rate Limit Exceeded)" with
    X-Rate-Limit-Remaining 0 (its request_throttle middleware), where others answer 429: a
    wait, not a refusal (docs/decisions/0038)."""
    if response.status_code != 403:
        return False
    if b"Rate Limit Exceeded" in response.content[:200]:
        return True
    remaining = response.headers.get("X-Rate-Limit-Remaining", "").strip()
    try:
        return bool(remaining) and float(remaining) <= 0
    except ValueError:
        return False


def retry_after_seconds(response: outbound.Answer) -> float | None:
    """Retry-After as seconds (a number, or an HTTP date), or None."""
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


_ERROR_CODE = re.compile(r"^[a-z][a-z0-9_.-]{0,39}$")


def error_message(response: outbound.Answer, limit: int = 500) -> str:
    """The HTTP status, and the platform's error code when it gives a plain one (OAuth's
    ``invalid_scope``). Its free text is logged, never shown: pages display these messages."""
    body: Any = None
    try:
        body = response.json()
    except ValueError:
        pass
    code = body.get("error") if isinstance(body, dict) else None
    errors = body.get("errors") if isinstance(body, dict) else None
    if code is None and isinstance(errors, dict):  # Canvas: {"errors": {"type", "message"}}
        code = errors.get("type")
    log.info("LMS answered HTTP %s: %r", response.status_code, response.content[:limit])
    if isinstance(code, str) and _ERROR_CODE.match(code):
        return f"HTTP {response.status_code} ({code})"
    return f"HTTP {response.status_code}"
