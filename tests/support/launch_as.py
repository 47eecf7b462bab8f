"""Fast view tests: an app driven through ``app.test_client()``, entered through a launch that the
tool's own services record (no OIDC round trip, no JWT, no HTTP server).

The id_token checks are proven once, over real HTTP, in tests/lti; a view or permission test only
needs "a launch of this person in this role, in this activity". See tests/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lti_tool.lti import claims as C

ISSUER = "https://lms.test"
CLIENT_ID = "fast-client"
DEPLOYMENT_ID = "1"
ROLE_URIS = {
    "learner": "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
    "instructor": "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
}


class Launched:
    """One person's launch: requests carry its launch token (and the CSRF token on POSTs)."""

    def __init__(self, app: Flask, launch_id: str, token: str) -> None:
        self.app = app
        self.launch_id = launch_id
        self.token = token
        self.client: FlaskClient = app.test_client()

    def get(self, path: str, follow_redirects: bool = False, **params: Any) -> TestResponse:
        """GET with the launch token; ``params`` become the query string."""
        return self.client.get(
            path, query_string={"lt": self.token, **params}, follow_redirects=follow_redirects
        )

    def csrf(self, path: str = "/app/") -> str:
        page = self.client.get(path, query_string={"lt": self.token}, follow_redirects=True)
        found = re.search(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', page.get_data(as_text=True))
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(
        self, path: str, data: Mapping[str, Any] | None = None, csrf_from: str = "/app/", **kw: Any
    ) -> TestResponse:
        body = {"lt": self.token, **(data or {})}
        body.setdefault("csrf_token", self.csrf(csrf_from))
        return self.client.post(path, data=body, **kw)


def ensure_platform(app: Flask) -> None:
    from lti_tool.services import platforms as platform_service

    with app.app_context():
        if platform_service.get_platform(ISSUER, CLIENT_ID) is None:
            platform_service.add_platform(
                {
                    "issuer": ISSUER,
                    "client_id": CLIENT_ID,
                    "deployment_ids": [DEPLOYMENT_ID],
                    "auth_login_url": ISSUER + "/auth",
                    "auth_token_url": ISSUER + "/token",
                    "key_set_url": ISSUER + "/jwks",
                }
            )


def launch(
    app: Flask,
    role: str = "learner",
    *,
    sub: str | None = None,
    item: str | None = None,
    resource_link: str = "rl-1",
    context: str = "course-1",
    ags: dict[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    locale: str | None = None,
) -> Launched:
    """Record a launch through the tool's launch service and return a client that carries it."""
    from lti_tool.extensions import db
    from lti_tool.lti.launch import ValidatedLaunch
    from lti_tool.lti.session import issue_token
    from lti_tool.services import platforms as platform_service
    from lti_tool.services.launches import record_launch

    ensure_platform(app)
    sub = sub or f"{role}-1"
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": sub,
        "name": f"{role.title()} {sub}",
        "email": f"{sub}@example.test",
        C.DEPLOYMENT_ID: DEPLOYMENT_ID,
        C.MESSAGE_TYPE: C.RESOURCE_LINK_REQUEST,
        C.VERSION: "1.3.0",
        C.TARGET_LINK_URI: app.config["BASE_URL"] + "/lti/launch",
        C.ROLES: [ROLE_URIS[role]],
        C.RESOURCE_LINK: {"id": resource_link, "title": f"Activity {resource_link}"},
        C.CONTEXT: {"id": context, "title": f"Course {context}"},
    }
    if item:
        claims[C.CUSTOM] = {"p3_item": item}
    if ags is not None:
        claims[C.AGS] = ags
    if locale is not None:
        claims[C.LAUNCH_PRESENTATION] = {"locale": locale}
    claims.update(extra or {})
    with app.test_request_context():
        platform = platform_service.get_platform(ISSUER, CLIENT_ID)
        assert platform is not None
        row = record_launch(ValidatedLaunch(claims, platform, platform.deployments[0], None, False))  # type: ignore[arg-type]
        token = issue_token(row)
        launch_id = row.id
        db.session.remove()
    return Launched(app, launch_id, token)
