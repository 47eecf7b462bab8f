"""An LTI platform written independently of the tool's code: its own keys (from the session's
key pool, tests/support/keys.py), its own JWKS server over real HTTP, its own id_tokens signed with
PyJWT directly.

It exists so launch tests do not only prove that the tool agrees with its own demo LMS.
"""

from __future__ import annotations

import json
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from jwt.algorithms import RSAAlgorithm

from tests.support.keys import POOL as KEYS
from tests.support.platform_admin import add_by_cli
from tests.support.serving import serve_in_thread, stop_serving


class IndependentPlatform:
    # Where its endpoints live; a platform imitating a real LMS uses that LMS's paths.
    AUTH_PATH = "/auth"
    TOKEN_PATH = "/token"
    JWKS_PATH = "/jwks"

    def __init__(self, client_id: str = "independent-client", deployment_id: str = "dep-1") -> None:
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.keys: dict[str, Any] = {}
        self.kid = self.add_key()
        self.jwks_requests = 0
        self.cache_control = "max-age=3600"
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.issuer = self.url
        serve_in_thread(self._server)

    def add_key(self) -> str:
        kid = uuid.uuid4().hex[:12]
        self.keys[kid] = KEYS.private_key()
        return kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
            keys.append(jwk)
        return {"keys": keys}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path != platform.JWKS_PATH:
                    self.send_error(404)
                    return
                platform.jwks_requests += 1
                body = json.dumps(platform.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", platform.cache_control)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def registration(self) -> dict[str, str]:
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_id": self.deployment_id,
            "auth_login_url": self.url + self.AUTH_PATH,
            "auth_token_url": self.url + self.TOKEN_PATH,
            "key_set_url": self.url + self.JWKS_PATH,
        }

    def register_by_cli(self, app: Any) -> None:
        """Registered in the tool as an administrator would: `flask platform add`."""
        add_by_cli(app, self.registration())

    def logged_in(self, app: Any, target_link_uri: str, **claims: Any) -> tuple[Any, str, str]:
        """A browser (the app's test client) that went through the tool's OIDC login; the signed
        id_token for it and its state, ready to POST to the launch."""
        client = app.test_client()
        login = client.post(
            "/lti/login",
            data={
                "iss": self.issuer,
                "login_hint": "u",
                "target_link_uri": target_link_uri,
                "client_id": self.client_id,
            },
        )
        assert login.status_code == 302, login.text
        query = parse_qs(urlsplit(login.headers["Location"]).query)
        return client, self.sign(self.claims(query["nonce"][0], target_link_uri, **claims)), query["state"][0]

    def claims(self, nonce: str, target_link_uri: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        lti = "https://purl.imsglobal.org/spec/lti/claim/"
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": "learner-7",
            "iat": now,
            "exp": now + 60,
            "nonce": nonce,
            "name": "Indy Pendent",
            lti + "deployment_id": self.deployment_id,
            lti + "message_type": "LtiResourceLinkRequest",
            lti + "version": "1.3.0",
            lti + "target_link_uri": target_link_uri,
            lti + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            lti + "resource_link": {"id": "rl-1", "title": "Independent activity"},
            lti + "context": {"id": "ctx-9", "title": "Independent course"},
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(
        self,
        claims: dict[str, Any],
        kid: str | None = None,
        key: Any = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        kid = kid or self.kid
        signing_key = key or self.keys[kid]
        return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": kid, **(headers or {})})

    def stop(self) -> None:
        stop_serving(self._server)
