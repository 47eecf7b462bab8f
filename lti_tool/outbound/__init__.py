"""Every HTTP call the tool makes goes through here: key sets, dynamic registration, access
tokens, AGS, NRPS, and the demo LMS's own calls.

What each call gets, whoever makes it (docs/decisions/0011-outbound-http.md):

- a total deadline (``HTTP_TIMEOUT`` seconds) from the first connection attempt to the last byte
  of the body: a watchdog shuts the socket down when it passes, so a platform that drips one
  byte a second cannot hold a worker longer than that;
- a size cap per purpose (a key set or a configuration: 1 MB): the body is read in chunks
  and the call stops as soon as the cap is passed;
- no redirect to another host (a GET may follow one to the same scheme, host and port);
- a destination policy: the host is resolved, and loopback, private, link-local, multicast and
  other non-global addresses are refused unless ``OUTBOUND_ALLOWLIST`` names the host (or
  host:port) or a network holding the address. The check is made on the address the socket
  then connects to (a connection class of our own), so a name that resolves to a public
  address when checked and to 127.0.0.1 when used (DNS rebinding) gains nothing.

Errors are ``OutboundError``: its ``public`` text ("could not reach lms.example") is what a
page may show; the details (exception, address, remote status) go to the log only.
"""

from __future__ import annotations

import json as jsonlib
import logging
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from requests.utils import parse_header_links

from lti_tool.outbound.policy import DestinationPolicy, DestinationRefused, OutboundError, host_port
from lti_tool.outbound.transport import Call, GuardedAdapter, current

__all__ = [
    "Answer",
    "DestinationPolicy",
    "DestinationRefused",
    "OutboundClient",
    "OutboundError",
    "Purpose",
    "client",
    "init_app",
    "parse_json",
]

log = logging.getLogger("lti_tool.outbound")

MB = 1_000_000


@dataclass(frozen=True)
class Purpose:
    """What a call is for: names it in logs and sets its size cap."""

    name: str
    max_bytes: int


KEY_SET = Purpose("key set", 1 * MB)
CONFIGURATION = Purpose("platform configuration", 1 * MB)
REGISTRATION = Purpose("registration", 1 * MB)
ACCESS_TOKEN = Purpose("access token", 256_000)
SERVICE = Purpose("LTI service", 8 * MB)  # AGS line items, NRPS roster pages
TOOL_KEYS = Purpose("tool key set", 1 * MB)  # the demo LMS reading the tool's JWKS

MAX_REDIRECTS = 3
_REDIRECTS = {301, 302, 303, 307, 308}


# --- the client -------------------------------------------------------------------------------


def parse_json(content: bytes) -> Any:
    """json.loads for remote content: ValueError for anything unreadable, nesting too deep
    for the parser (RecursionError) included."""
    try:
        return jsonlib.loads(content)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


@dataclass(frozen=True)
class Answer:
    """A complete response: status, headers and the (capped) body."""

    status_code: int
    headers: CaseInsensitiveDict[str]
    content: bytes
    url: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return parse_json(self.content)

    @property
    def links(self) -> dict[str, dict[str, str]]:
        """Link headers by rel, as requests gives them (NRPS and AGS paging)."""
        header = self.headers.get("Link")
        links: dict[str, dict[str, str]] = {}
        for link in parse_header_links(header) if header else []:
            key = link.get("rel") or link.get("url")
            if key:
                links[key] = link
        return links


class OutboundClient:
    """One per app (``client()``); thread-safe: each thread keeps its own connection pool."""

    def __init__(
        self, policy: DestinationPolicy, deadline: float, user_agent: str = "P3-Workshop-LTI"
    ) -> None:
        self.policy = policy
        self.deadline = float(deadline)
        self.user_agent = user_agent
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxy from the environment: it would bypass the policy
            adapter = GuardedAdapter(self.policy, pool_maxsize=4)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
        return session

    def get(self, url: str, purpose: Purpose, **kwargs: Any) -> Answer:
        return self.request("GET", url, purpose, **kwargs)

    def post(self, url: str, purpose: Purpose, **kwargs: Any) -> Answer:
        return self.request("POST", url, purpose, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        purpose: Purpose,
        *,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        json: Any = None,
        deadline: float | None = None,
    ) -> Answer:
        host, _ = host_port(url)
        call = Call(self.deadline if deadline is None else deadline)
        current.call = call
        started = time.monotonic()
        try:
            for _ in range(MAX_REDIRECTS + 1):
                answer = self._once(call, method, url, purpose, headers, data, json)
                location = answer.headers.get("Location")
                if answer.status_code not in _REDIRECTS or not location or method != "GET":
                    return answer
                target = urljoin(url, location)
                if _origin(target) != _origin(url):
                    raise OutboundError(
                        "redirect", host, f"{url} redirects to another host ({target[:200]}), not followed"
                    )
                url = target
            raise OutboundError("redirect", host, f"{url}: more than {MAX_REDIRECTS} redirects")
        except OutboundError as exc:
            log.warning("%s %s (%s) failed: %s", method, _safe(url), purpose.name, exc.detail)
            raise
        finally:
            current.call = None
            call.close()
            log.debug("%s %s (%s) %.3fs", method, _safe(url), purpose.name, time.monotonic() - started)

    def _once(
        self,
        call: Call,
        method: str,
        url: str,
        purpose: Purpose,
        headers: Mapping[str, str] | None,
        data: Any,
        json: Any,
    ) -> Answer:
        host, _ = host_port(url)
        sent = {"User-Agent": self.user_agent, "Accept-Encoding": "identity", **(headers or {})}
        remaining = call.remaining()
        try:
            response = self._session().request(
                method,
                url,
                headers=sent,
                data=data,
                json=json,
                timeout=(max(remaining, 0.01), max(remaining, 0.01)),
                allow_redirects=False,
                stream=True,
            )
        except OutboundError:
            raise
        except requests.RequestException as exc:
            cause = _cause(exc)
            if isinstance(cause, OutboundError):
                raise cause from exc
            kind = "timeout" if call.expired or isinstance(exc, requests.Timeout) else "unreachable"
            raise OutboundError(kind, host, f"{url}: {type(exc).__name__}: {exc}") from exc
        try:
            body = _read_capped(response, purpose, host, call)
        finally:
            response.close()
        if call.expired:
            raise OutboundError("timeout", host, f"{url}: no complete answer within the deadline")
        return Answer(response.status_code, CaseInsensitiveDict(response.headers), body, url)


def _read_capped(response: requests.Response, purpose: Purpose, host: str, call: Call) -> bytes:
    cap = purpose.max_bytes
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise OutboundError("too_large", host, f"{purpose.name} of {declared} bytes (cap {cap})")
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    inflate: Any = None
    if encoding in {"gzip", "x-gzip", "deflate"}:
        # We ask for identity; a server that compresses anyway is inflated under the same cap.
        inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)
    elif encoding not in {"", "identity"}:
        raise OutboundError("unreachable", host, f"unsupported Content-Encoding {encoding!r}")
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            chunk = response.raw.read(64 * 1024, decode_content=False)
            if not chunk:
                break
            if inflate is not None:
                chunk = inflate.decompress(chunk, cap + 1 - size)
            size += len(chunk)
            if size > cap:
                raise OutboundError("too_large", host, f"{purpose.name} larger than {cap} bytes")
            chunks.append(chunk)
    except OutboundError:
        raise
    except Exception as exc:  # the watchdog's shutdown surfaces as a read error
        kind = "timeout" if call.expired else "unreachable"
        raise OutboundError(kind, host, f"reading the answer: {type(exc).__name__}: {exc}") from exc
    return b"".join(chunks)


def _cause(exc: BaseException) -> BaseException | None:
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, OutboundError):
            return current
        for arg in getattr(current, "args", ()):
            if isinstance(arg, OutboundError):
                return arg
            reason = getattr(arg, "reason", None)
            if isinstance(reason, OutboundError):
                return reason
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _safe(url: str) -> str:
    """A URL for the log: without its query (it may carry a token)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


# --- the app's client ------------------------------------------------------------------------


def init_app(app: Any) -> None:
    cfg = app.config
    app.extensions["lti_tool.outbound"] = OutboundClient(
        DestinationPolicy.parse(cfg["OUTBOUND_ALLOWLIST"]), float(cfg["HTTP_TIMEOUT"])
    )


def client(app: Any = None) -> OutboundClient:
    if app is None:
        from flask import current_app

        app = current_app
    found: OutboundClient = app.extensions["lti_tool.outbound"]
    return found
