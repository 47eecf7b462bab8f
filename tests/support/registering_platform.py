"""An independent platform that also speaks LTI Dynamic Registration over real HTTP:
an OpenID configuration and a registration endpoint that checks the Bearer token and the
request the way Moodle 4.5 does, then issues a fresh client_id and deployment_id."""

from __future__ import annotations

import json
import secrets
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.support.independent_platform import IndependentPlatform

TOOL_CONF = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONF = "https://purl.imsglobal.org/spec/lti-platform-configuration"


class RegisteringPlatform(IndependentPlatform):
    REGISTRATION_PATH = "/register"

    def __init__(self, product_family_code: str = "moodle") -> None:
        self.product_family_code = product_family_code
        self.registration_token = "reg-" + secrets.token_urlsafe(16)
        self.requests: list[dict[str, Any]] = []  # what the tool POSTed, with its headers
        self.config_overrides: dict[str, Any] = {}
        self.refuse_with: tuple[int, str] | None = None
        self.config_requests = 0
        self.reuse_client_id = False  # True: answer with the client id given before (an update)
        super().__init__(client_id="", deployment_id="")

    @property
    def configuration_url(self) -> str:
        return self.url + "/mod/lti/openid-configuration.php"

    def openid_configuration(self) -> dict[str, Any]:
        conf = {
            "issuer": self.issuer,
            "token_endpoint": self.url + self.TOKEN_PATH,
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": self.url + self.JWKS_PATH,
            "authorization_endpoint": self.url + self.AUTH_PATH,
            "registration_endpoint": self.url + self.REGISTRATION_PATH,
            "scopes_supported": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
                "openid",
            ],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            PLATFORM_CONF: {
                "product_family_code": self.product_family_code,
                "version": "4.5",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
            },
        }
        conf.update(self.config_overrides)
        return conf

    def _check(self, body: Any) -> list[str]:
        problems = []
        conf = body.get(TOOL_CONF) if isinstance(body, dict) else None
        if not isinstance(conf, dict):
            return ["no tool configuration"]
        uris = [
            body.get("initiate_login_uri"),
            body.get("jwks_uri"),
            conf.get("target_link_uri"),
            *(body.get("redirect_uris") or []),
        ]
        for uri in uris:
            if not isinstance(uri, str) or urlsplit(uri).netloc != conf.get("domain"):
                problems.append(f"{uri!r} not on domain {conf.get('domain')!r}")
        if not isinstance(body.get("redirect_uris"), list):
            problems.append("redirect_uris is not a list")
        return problems

    def _register(self, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any]]:
        self.requests.append({"headers": headers, "body": body})
        if self.refuse_with:
            status, message = self.refuse_with
            return status, {"error": message}
        if headers.get("Authorization") != "Bearer " + self.registration_token:
            return 401, {"error": "bad registration token"}
        problems = self._check(body)
        if problems:
            return 400, {"error": "; ".join(problems)}
        if not (self.reuse_client_id and self.client_id):
            self.client_id = "dyn-" + secrets.token_hex(5)
        self.deployment_id = str(len(self.requests) + 1)
        answer = {
            **body,
            "client_id": self.client_id,
            TOOL_CONF: {**body[TOOL_CONF], "version": "1.3.0", "deployment_id": self.deployment_id},
        }
        return 200, answer

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self
        base = super()._handler()

        class Handler(base):  # type: ignore[valid-type, misc]
            def _send(self, status: int, data: dict[str, Any]) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:  # noqa: N802
                if self.path == urlsplit(platform.configuration_url).path:
                    platform.config_requests += 1
                    self._send(200, platform.openid_configuration())
                    return
                super().do_GET()

            def do_POST(self) -> None:  # noqa: N802
                if self.path != platform.REGISTRATION_PATH:
                    self.send_error(404)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                status, answer = platform._register(dict(self.headers.items()), body)
                self._send(status, answer)

        return Handler
