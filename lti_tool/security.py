"""Small security primitives shared by every layer: constant-time comparison of secrets that
came from a request, and the Content Security Policy (scripts run only from the tool's own
files or with this response's nonce, so that injected markup cannot run where launch tokens
live)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from flask import Flask, g
from werkzeug.wrappers import Response


def same_secret(sent: str | None, expected: str) -> bool:
    """Constant-time equality of a value from a request and the expected secret. Compares bytes:
    ``hmac.compare_digest`` raises TypeError for non-ASCII text, which a visitor controls."""
    return hmac.compare_digest(
        (sent or "").encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def keyed_digest(secret: str, purpose: str, *parts: object) -> str:
    """A keyed hash (HMAC-SHA-256, 32 hex digits) of ``parts`` for ``purpose``: the same for the
    same values, and neither readable nor guessable without ``secret`` (the app's SECRET_KEY).
    The parts are joined without ambiguity (("a", "b:c") is not ("a:b", "c"))."""
    message = purpose + ":" + json.dumps([str(part) for part in parts])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def csp_nonce() -> str:
    """This response's script nonce (templates: ``<script nonce="{{ csp_nonce() }}">``)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def _content_security_policy(response: Response) -> Response:
    if response.mimetype == "text/html":
        # Only scripts are restricted: styles, images and frames stay open, because the demo
        # LMS frames the tool from another origin and the radar chart is inline SVG.
        response.headers.setdefault(
            "Content-Security-Policy",
            f"script-src 'self' 'nonce-{csp_nonce()}'; object-src 'none'; base-uri 'none'",
        )
    return response


def init_app(app: Flask) -> None:
    app.after_request(_content_security_policy)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
