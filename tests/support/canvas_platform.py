"""A platform that behaves like hosted Canvas as Canvas's source code shows it
(instructure/canvas-lms, read through the search tool; summary in data/../canvas-behaviour.md of
/work/shared/lms), over real HTTP on two origins, written independently of the tool's code.

- **Two origins**: the school's domain (``school_url``: course pages, /api/lti/authorize, the
  services, the Deep Linking return) and the SSO/OIDC domain (``sso_url``: authorize_redirect,
  the token endpoint, the key set, the post_message_forwarding page, Dynamic Registration). The
  issuer is ``https://canvas.instructure.com`` for every school; each school's developer key has
  its own client id.
- **Launch** (app/models/lti/lti_advantage_adapter.rb, lti/ims/authentication_controller.rb):
  login initiation with ``lti_message_hint`` a signed JWT (verifier, canvas_domain, context,
  include_storage_target), ``lti_storage_target=post_message_forwarding``; the id_token is cached
  under the verifier for 5 minutes and used once; /api/lti/authorize_redirect (SSO) redirects to
  the school's /api/lti/authorize, which checks the parameters, the session's user against
  ``login_hint``, the key and the redirect URI, and form-posts the id_token (errors too).
- **Claims** (lib/lti/messages/jwt_message.rb, resource_link_request.rb): deployment id
  ``<tool id>:<context opaque id>``, sub = the user's lti_id, exp = 1 h, AGS ``lineitem`` only for
  assignment launches, NRPS 2.0, Canvas's roles and tool_platform.
- **Deep Linking** (deep_linking_controller.rb): the return JWT is checked like Canvas does;
  an ``ltiResourceLink`` with ``lineItem`` makes an assignment of ``scoreMaximum`` points (required)
  with its line item; without one, a module item.
- **Token endpoint** (lib/canvas/oauth/*, lib/canvas/security/jwt_validator.rb): the assertion is
  checked with the key's public_jwk_url; aud = the token URL; iat at most 5 min old and 30 s ahead;
  jti not checked; scopes must be the key's.
- **Scores** (scores_controller.rb): line item in context (404), a student of the course (422),
  required fields (400), ISO 8601 timestamp not older than the last result (400), scoreMaximum
  rules (422); the score is scaled to the line item's points; answer ``{resultUrl}``.
- **NRPS** (providers/memberships_provider.rb): pages of 50 (``limit`` honoured) by Link header.
- **Dynamic Registration** (dynamic_registration_controller.rb, lib/schemas/lti/ims/*): the
  registration token's exact claim set, the OIDC registration and tool configuration schemas,
  the answer with ``client_id`` and **no deployment_id**; ``install()`` is the admin's confirm.
- **Developer key JSON** (lib/schemas/lti/tool_configuration.rb, models/lti/resource_placement.rb):
  ``developer_key_problems()``.

Platform storage in a browser is canvas_pages.py's. Canvas's code is AGPL: nothing is copied.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests

from tests.support.canvas_pages import as_json, autopost, course_page, forwarding_page
from tests.support.canvas_rules import (
    AGS_SCOPES,
    NRPS_SCOPE,
    developer_key_problems,
    registration_problems,
    score_problems,
)
from tests.support.independent_platform import IndependentPlatform
from tests.support.serving import serve_in_thread, stop_serving

ISSUER = "https://canvas.instructure.com"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
TOOL_CONF = "https://purl.imsglobal.org/spec/lti-tool-configuration"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/"
ROLES = {
    "Learner": [
        ROLE + "institution/person#Student",
        ROLE + "membership#Learner",
        ROLE + "system/person#User",
    ],
    "Instructor": [
        ROLE + "institution/person#Instructor",
        ROLE + "membership#Instructor",
        ROLE + "system/person#User",
    ],
    # ObserverEnrollment; StudentViewEnrollment, the "Student view" test student.
    "Observer": [ROLE + "membership#Mentor", ROLE + "system/person#User"],
    "TestStudent": [
        ROLE + "membership#Learner",
        "http://purl.imsglobal.org/vocab/lti/system/person#TestUser",
        ROLE + "system/person#User",
    ],
}
# Whom scores_controller.rb takes: Course#user_is_student?(user, include_fake_student: true).
STUDENT_ROLES = {"Learner", "TestStudent"}
GRADED_PLACEMENTS = {
    "link_selection",
    "assignment_selection",
    "course_assignments_menu",
    "module_index_menu_modal",
}


def opaque(value: str) -> str:
    return hashlib.sha1(value.encode()).hexdigest()


@dataclass
class Person:
    canvas_id: int
    name: str
    role: str  # a key of ROLES: "Learner", "Instructor", "Observer" or "TestStudent"
    lti_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def login_hint(self) -> str:  # Lti::Asset.opaque_identifier_for(user)
        return opaque(f"user-{self.canvas_id}")


@dataclass
class Link:
    """A resource link: a module item, or an assignment (with a line item)."""

    uuid: str
    title: str
    client_id: str
    custom: dict[str, str] = field(default_factory=dict)
    line_item: int | None = None
    placement: str = "link_selection"


@dataclass
class Answer:
    status: int
    body: Any = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class CanvasPlatform(IndependentPlatform):
    AUTH_PATH = "/api/lti/authorize_redirect"
    TOKEN_PATH = "/login/oauth2/token"
    JWKS_PATH = "/api/lti/security/jwks"

    def __init__(self, tool_url: str, students: int = 3) -> None:
        self.tool_url = tool_url
        self.secret = uuid.uuid4().hex * 2  # Canvas::Security signing secret (HS512: 64 bytes)
        self.lock = threading.Lock()
        self.course_id = "1"
        self.course = {
            "id": opaque("course-1"),
            "label": "P3-101",
            "title": "Public-Private Partnerships 101",
        }
        self.people = [Person(1, "Terri Teacher", "Instructor")] + [
            Person(n + 2, f"Student {n + 1:03d}", "Learner") for n in range(students)
        ]
        self.developer_keys: dict[str, dict[str, Any]] = {}
        self.deployments: dict[str, str] = {}  # client id -> deployment id (the installed tool)
        self.links: dict[str, Link] = {}
        self.line_items: dict[int, dict[str, Any]] = {}
        self.results: dict[tuple[int, str], dict[str, Any]] = {}  # (line item, lti_id) -> result
        self.launches: dict[str, dict[str, Any]] = {}  # verifier -> cached claims (5 min, once)
        self.scores: list[tuple[int, dict[str, Any]]] = []  # every score accepted, as sent
        self.refused: list[tuple[str, int, Any]] = []  # (path, status, body) of every refusal
        self.service_requests: list[dict[str, Any]] = []
        self.registrations: list[dict[str, Any]] = []
        self.token_requests = 0
        # Seconds the SSO domain takes to send the post_message_forwarding page (a cold cache, a
        # slow network): until it arrives the frame is not on the OIDC origin, and the browser
        # drops what the tool posts to it there.
        self.forwarding_delay = 0.0
        super().__init__(client_id="", deployment_id="")  # the JWKS server becomes the SSO one
        stop_serving(self._server)
        self._school = self._serve("127.0.0.1", "school")
        self._sso = self._serve("127.0.0.2", "sso")
        self.school_url = f"http://localhost:{self._school.server_port}"
        self.sso_url = f"http://127.0.0.2:{self._sso.server_port}"
        self.url = self.sso_url
        self.issuer = ISSUER

    # --- administration: keys, installs, courses ------------------------------------------------

    def _new_client_id(self) -> str:
        return str(10000000000000 + len(self.developer_keys) + 1)

    def add_developer_key(self, config: dict[str, Any]) -> str:
        """An admin pastes the tool's JSON (Developer Keys > + LTI Key > Paste JSON)."""
        problems = developer_key_problems(config)
        assert not problems, problems
        client_id = self._new_client_id()
        placements = config["extensions"][0]["settings"]["placements"]
        self.developer_keys[client_id] = {
            "redirect_uris": [config["target_link_uri"]],
            "public_jwk_url": config.get("public_jwk_url"),
            "scopes": list(config.get("scopes", [])),
            "placements": [p["placement"] for p in placements],
            "active": True,
        }
        return client_id

    def install(self, client_id: str) -> str:
        """The admin installs the key's tool in the account: the deployment exists from now on."""
        tool_id = 100 + len(self.deployments) + 1
        self.deployments[client_id] = f"{tool_id}:{opaque('account-1')}"
        return self.deployments[client_id]

    def registration(self) -> dict[str, str]:  # what an administrator types into the tool
        client_id = next(iter(self.developer_keys))
        return {
            "issuer": ISSUER,
            "client_id": client_id,
            "deployment_id": self.deployments.get(client_id, ""),
            "auth_login_url": self.sso_url + self.AUTH_PATH,
            "auth_token_url": self.sso_url + self.TOKEN_PATH,
            "key_set_url": self.sso_url + self.JWKS_PATH,
        }

    def person(self, role: str = "Learner", n: int = 0) -> Person:
        return [p for p in self.people if p.role == role][n]

    def enrol(self, name: str, role: str) -> Person:
        """Someone else in the course: an observer, the "Student view" test student."""
        assert role in ROLES, role
        with self.lock:
            self.people.append(Person(len(self.people) + 1, name, role))
            return self.people[-1]

    def course_navigation_link(self, client_id: str) -> Link:
        """The tool in the course navigation: its resource link is the course's opaque id."""
        link = Link(self.course["id"], "P3 Workshop", client_id, placement="course_navigation")
        self.links.setdefault(link.uuid, link)
        return self.links[link.uuid]

    def set_points(self, line_item: int, points: float) -> None:
        """The teacher edits the assignment's points."""
        with self.lock:
            self.line_items[line_item]["scoreMaximum"] = points

    # --- launches ------------------------------------------------------------------------------

    def line_item_url(self, item_id: int) -> str:
        return f"{self.school_url}/api/lti/courses/{self.course_id}/line_items/{item_id}"

    def _claims(self, who: Person, link: Link | None, client_id: str, deep_link: bool) -> dict[str, Any]:
        key = self.developer_keys[client_id]
        course = f"{self.school_url}/courses/{self.course_id}"
        api = f"{self.school_url}/api/lti/courses/{self.course_id}"
        ags = {"scope": [s for s in key["scopes"] if s in AGS_SCOPES]}
        ags["lineitems"] = f"{api}/line_items"
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": client_id,
            "azp": client_id,
            LTI + "deployment_id": self.deployments[client_id],
            "sub": who.lti_id,
            "https://purl.imsglobal.org/spec/lti/claim/lti11_legacy_user_id": opaque(
                f"legacy-{who.canvas_id}"
            ),
            LTI + "lti1p1": {"user_id": opaque(f"legacy-{who.canvas_id}")},
            LTI + "context": {
                **self.course,
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
            LTI + "tool_platform": {
                "guid": "school-guid:canvas-lms",
                "name": "School",
                "version": "cloud",
                "product_family_code": "canvas",
            },
            LTI + "launch_presentation": {
                "document_target": "iframe",
                "return_url": f"{course}/external_content/success/external_tool_redirect",
                "locale": "en",
            },
            "locale": "en",
            LTI + "roles": ROLES[who.role],
            # An observer's launch names whom they observe (the observees' lti ids).
            **(
                {LTI + "role_scope_mentor": [self.person("Learner").lti_id]} if who.role == "Observer" else {}
            ),
            LTI + "custom": dict(link.custom) if link else {},
            "name": who.name,
            "given_name": who.name.split()[0],
            "family_name": who.name.split()[-1],
            "email": f"user{who.canvas_id}@school.example",
            LTI + "version": "1.3.0",
            LTI + "target_link_uri": self.tool_url + "/lti/launch",
            "https://www.instructure.com/placement": link.placement if link else "link_selection",
        }
        if NRPS_SCOPE in key["scopes"]:
            claims[NRPS_CLAIM] = {
                "context_memberships_url": f"{api}/names_and_roles",
                "service_versions": ["2.0"],
            }
        if deep_link:
            claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
            query = urlencode({"modal": "true", "placement": "link_selection", "context_module_id": "5"})
            claims[DL_SETTINGS] = {
                "deep_link_return_url": f"{course}/deep_linking_response?{query}",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_media_types": "application/vnd.ims.lti.v1.ltilink",
                "auto_create": False,
                "accept_multiple": True,
            }
        else:
            assert link is not None
            claims[LTI + "message_type"] = "LtiResourceLinkRequest"
            claims[LTI + "resource_link"] = {"id": link.uuid, "title": link.title, "description": None}
            if link.line_item is not None:  # an assignment launch
                ags["lineitem"] = self.line_item_url(link.line_item)
        if ags["scope"]:
            claims[AGS_CLAIM] = ags
        return claims

    def login_params(
        self,
        who: Person,
        link: Link | None = None,
        *,
        client_id: str | None = None,
        deep_link: bool = False,
        storage: bool = True,
    ) -> dict[str, str]:
        """What the launch form in the tool_content iframe posts to the tool's login URL."""
        client_id = client_id or (link.client_id if link else next(iter(self.developer_keys)))
        verifier = uuid.uuid4().hex
        with self.lock:
            self.launches[verifier] = {
                "claims": self._claims(who, link, client_id, deep_link),
                "expires": time.time() + 300,
            }
        hint = jwt.encode(
            {
                "verifier": verifier,
                "canvas_domain": urlsplit(self.school_url).netloc,
                "context_type": "Course",
                "context_id": self.course_id,
                "include_storage_target": storage,
                "exp": int(time.time()) + 300,
            },
            self.secret,
            algorithm="HS512",
        )
        params = {
            "iss": ISSUER,
            "login_hint": who.login_hint,
            "client_id": client_id,
            "lti_deployment_id": self.deployments[client_id],
            "target_link_uri": self.tool_url + "/lti/launch",
            "lti_message_hint": hint,
            "canvas_environment": "prod",
            "canvas_region": "us-east-1",
        }
        if storage:
            params["lti_storage_target"] = "post_message_forwarding"
        return params

    def sign_in(self, browser: requests.Session, who: Person) -> None:
        assert browser.get(f"{self.school_url}/login", params={"as": who.canvas_id}, timeout=10).ok

    def open_activity(
        self, who: Person, link: Link | None = None, *, deep_link: bool = False, client_id: str | None = None
    ) -> tuple[requests.Session, requests.Response]:
        """A browser without JavaScript (no platform storage): sign in, the launch form, the
        redirect through the SSO domain, the authorize form. Returns the tool's answer to the
        launch POST (redirects not followed)."""
        browser = requests.Session()
        self.sign_in(browser, who)
        params = self.login_params(who, link, deep_link=deep_link, storage=False, client_id=client_id)
        auth = browser.post(self.tool_url + "/lti/login", data=params, timeout=10)
        assert auth.status_code == 200, auth.text[:800]
        from tests.support.forms import first_form

        form = first_form(auth.text, auth.url)
        launched = browser.post(form.action, data=form.fields, allow_redirects=False, timeout=10)
        return browser, launched

    def course_url(self, who: Person, link: Link) -> str:
        """The course page a browser opens: the tool in its iframe, with platform storage."""
        return f"{self.school_url}/courses/{self.course_id}/launch/{link.uuid}?as={who.canvas_id}"

    # --- servers --------------------------------------------------------------------------------

    def _serve(self, host: str, site: str) -> ThreadingHTTPServer:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def _do(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = {
                    "method": method,
                    "path": parts.path,
                    "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                    "raw_query": parts.query,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                    "cookies": dict(
                        c.strip().split("=", 1) for c in self.headers.get("Cookie", "").split(";") if "=" in c
                    ),
                }
                answer = platform._route(site, request)
                data = answer.body
                if isinstance(data, str):
                    data = data.encode()
                elif data is not None and not isinstance(data, bytes):
                    data = as_json(data)
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                if data is not None:
                    self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

            def do_GET(self) -> None:  # noqa: N802
                self._do("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._do("POST")

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer((host, 0), Handler)
        server.daemon_threads = True
        serve_in_thread(server)
        return server

    def stop(self) -> None:
        for server in (self._school, self._sso):
            stop_serving(server)

    def _route(self, site: str, r: dict[str, Any]) -> Answer:
        from tests.support import canvas_endpoints as ep

        try:
            answer = ep.route(self, site, r)
        except Exception as exc:  # noqa: BLE001 - a test platform answers, it does not crash
            answer = Answer(500, {"errors": {"type": "internal", "message": repr(exc)}})
        if answer.status >= 400:
            with self.lock:
                self.refused.append((r["path"], answer.status, answer.body))
        return answer

    # --- what the pages need -------------------------------------------------------------------

    def course_page(self, who: Person, link: Link) -> str:
        form_url = f"/courses/{self.course_id}/launch/{link.uuid}/form?as={who.canvas_id}"
        return course_page(link.title, form_url, "/post_message_forwarding")

    def forwarding_page(self, token: str) -> Answer:
        try:
            parent = jwt.decode(token, self.secret, algorithms=["HS512"])["parent_domain"]
        except jwt.InvalidTokenError:
            return Answer(400, "bad token", "text/plain")
        time.sleep(self.forwarding_delay)
        return Answer(200, forwarding_page("http://" + parent), "text/html; charset=utf-8")

    def launch_form(self, who: Person, link: Link) -> Answer:
        return Answer(200, autopost(self.tool_url + "/lti/login", self.login_params(who, link)), "text/html")

    def registration_problems(self, body: Any) -> list[str]:
        return registration_problems(body)

    def score_problems(self, item_id: int, body: Any, content_type: str) -> Answer | None:
        return score_problems(self, item_id, body, content_type)

    def registration_url(self, tool_register_url: str) -> str:
        """Where Canvas's admin modal frames the tool: its URL with the two parameters added."""
        from tests.support.canvas_endpoints import registration_token

        token = registration_token(self)
        query = urlencode(
            {
                "openid_configuration": f"{self.sso_url}/api/lti/security/openid-configuration",
                "registration_token": token,
            }
        )
        return f"{tool_register_url}{'&' if '?' in tool_register_url else '?'}{query}"
