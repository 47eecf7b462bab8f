"""A platform that behaves like the Moodle 4.5 recorded in data/moodle-4.5-observed.json,
over real HTTP, with Moodle's endpoint paths.

- The login initiation is a POST with Moodle's parameters; ``lti_message_hint`` is a JSON
  string that /mod/lti/auth.php expects back, then answers with an auto-posted form.
- The id_tokens carry the observed claims; only what must change is replaced: iss, nonce,
  iat, exp (= iat + 60), aud (a string) and deployment id of the client, and URLs
  (Moodle's origin becomes this server, the tool's becomes the app under test).
- Dynamic registration: the registration token is a JWT signed by the platform whose ``sub``
  is the future client_id (scope "reg"); the registration is checked and answered the way
  Moodle's openid-registration.php does. "Update" on an existing tool (``update_token``, scope
  "reg-update") keeps that tool's client_id and deployment id.
- /mod/lti/token.php checks the tool's client assertion against the tool's JWKS, and, as
  contentitem_return.php, the JWT as php-jwt 6 does for Moodle (``alg`` on every key, a ``kid``,
  no leeway on ``iat``/``nbf``/``exp`` against Moodle's clock, ``clock_ahead`` of the tool's).
  A refused sign-in is posted back with ``error`` and ``state`` as auth.php does
  (``signed_in_as``: Moodle's session is another person's). AGS and NRPS live under
  /mod/lti/services.php with the observed URL shapes (``?type_id=``).
- /mod/lti/contentitem_return.php verifies a Deep Linking response as Moodle does, and places
  its items as new activities (``placed_activities``): an item with a lineItem gets a grade item
  of that many points (Moodle's gradebookservices line item), which its launches then carry as
  ``lineitem``; ``set_points`` is the teacher editing the activity's maximum grade.
- Line items can be read one by one (GET ``.../lineitems/N/lineitem?type_id=``) and scores are
  kept per line item (``scores``) and as Moodle's grades (``grades``): a score whose timestamp is
  not later, in whole seconds, than the moment Moodle last changed that grade (its own clock,
  ``clock_ahead`` of the tool's) is refused with 409, as scores.php does. ``score_gate`` holds
  scores at Moodle; ``lose_answers`` saves scores and loses the answer (a proxy's 504).
"""

from __future__ import annotations

import copy
import html
import json
import re
import secrets
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests

from tests.support.ags_platform import check_client_assertion, verify_with_tool_key
from tests.support.forms import first_form
from tests.support.registering_platform import TOOL_CONF, RegisteringPlatform

OBSERVED: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "moodle-4.5-observed.json").read_text()
)
OBSERVED_MOODLE = "http://127.0.0.1:8081"
OBSERVED_TOOL = "http://127.0.0.1:5000"
# The observed tool's paths and this tool's.
TOOL_PATHS = {
    "/launch": "/lti/launch",
    "/login": "/lti/login",
    "/jwks": "/lti/jwks",
    "/logo.png": "/static/logo.svg",
}

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LTI_AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEPLOYMENT_ID = LTI + "deployment_id"
SERVICES = "/mod/lti/services.php/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
# Moodle's gradebookservices::validate_iso8601_date, verbatim.
ISO8601 = re.compile(
    r"^([\+-]?\d{4}(?!\d{2}\b))((-?)((0[1-9]|1[0-2])(\3([12]\d|0[1-9]|3[01]))?|W([0-4]\d|5[0-2])"
    r"(-?[1-7])?|(00[1-9]|0[1-9]\d|[12]\d{2}|3([0-5]\d|6[1-6])))([T\s]((([01]\d|2[0-3])"
    r"((:?)[0-5]\d)?|24\:?00)([\.,]\d+(?!:))?)?(\17[0-5]\d([\.,]\d+)?)?([zZ]|([\+-])"
    r"([01]\d|2[0-3]):?([0-5]\d)?)?)?)?$"
)


def moodle_refuses_score(score: Any) -> bool:
    """The checks of Moodle's scores endpoint (mod/lti/service/gradebookservices): it answers
    400 "Incorrect score received" for these, and for users it cannot grade."""
    if not isinstance(score, dict):
        return True
    required = ("userId", "gradingProgress", "activityProgress", "timestamp")
    numeric = all(isinstance(score.get(k), int | float) for k in ("scoreGiven", "scoreMaximum") if k in score)
    gradable = {m["user_id"] for m in OBSERVED["nrps_members"] if "Learner" in m["roles"]}
    return (
        any(k not in score for k in required)
        or not numeric
        or not ISO8601.match(str(score["timestamp"]))
        or ("scoreGiven" in score and "scoreMaximum" not in score)
        or score["userId"] not in gradable
    )


def rewrite_urls(value: Any, prefixes: dict[str, str]) -> Any:
    """A copy of a JSON value with every string starting with a key re-rooted at its value."""
    if isinstance(value, dict):
        return {k: rewrite_urls(v, prefixes) for k, v in value.items()}
    if isinstance(value, list):
        return [rewrite_urls(v, prefixes) for v in value]
    if isinstance(value, str):
        for old in sorted(prefixes, key=len, reverse=True):
            if value.startswith(old):
                return prefixes[old] + value[len(old) :]
    return value


class MoodlePlatform(RegisteringPlatform):
    AUTH_PATH = "/mod/lti/auth.php"
    TOKEN_PATH = "/mod/lti/token.php"
    JWKS_PATH = "/mod/lti/certs.php"
    REGISTRATION_PATH = "/mod/lti/openid-registration.php"

    def __init__(self, tool_url: str) -> None:
        self.tool_url = tool_url
        self.pending: dict[str, dict[str, Any]] = {}  # launchid -> the launch auth.php answers
        self.auth_requests: list[dict[str, str]] = []
        self.service_requests: list[dict[str, Any]] = []  # AGS/NRPS calls: method, path, query
        self.placed: list[dict[str, Any]] = []  # verified Deep Linking responses
        self.signed_in_as: str | None = None  # Moodle's session user, when not the launch's
        self.lock = threading.Lock()
        super().__init__("moodle")
        # Moodle's grade items seen through AGS, by line item id (the observed one to start).
        self.line_items: dict[int, dict[str, Any]] = {
            int(item["id"].split("/lineitems/")[1].split("/")[0]): self.rewrite(item)
            for item in OBSERVED["ags_lineitems"]
        }
        self.placed_activities: dict[str, dict[str, Any]] = {}  # resource link id -> activity
        self.scores: list[tuple[int, dict[str, Any]]] = []  # (line item id, score) accepted
        # Moodle's grade_grades: (line item id, user id) -> grade (on the item's points),
        # feedback, timemodified (Moodle's clock, whole seconds).
        self.grades: dict[tuple[int, str], dict[str, Any]] = {}
        self.clock_ahead = 0.0  # seconds Moodle's server clock is ahead of the tool's
        self.score_gate = threading.Event()  # cleared: scores wait at Moodle until set again
        self.score_gate.set()
        self.lose_answers = 0  # scores saved whose answer is then lost (a proxy's 504)
        static = OBSERVED["oidc_login_params_student"]
        self.client_id, self.deployment_id = static["client_id"], static["lti_deployment_id"]
        # What Moodle knows of each tool type: the manually configured one, then registered ones.
        self.clients: dict[str, dict[str, Any]] = {
            self.client_id: {
                "deployment_id": self.deployment_id,
                "jwks_uri": tool_url + "/lti/jwks",
                "redirect_uris": [tool_url + "/lti/launch"],
            }
        }
        token_claims = OBSERVED["dynreg"]["registration_token_claims"]
        now = int(time.time())
        self.registration_token = self.sign(
            {**token_claims, "iat": now, "exp": now + 3600}, headers={"typ": "JWT"}
        )

    # --- the observed data, at this server and the tool under test ----------------------------

    def rewrite(self, value: Any) -> Any:
        prefixes = {OBSERVED_MOODLE: self.url}
        prefixes.update({OBSERVED_TOOL + old: self.tool_url + new for old, new in TOOL_PATHS.items()})
        return rewrite_urls(copy.deepcopy(value), prefixes)

    def observed_claims(self, name: str, nonce: str, **changes: Any) -> dict[str, Any]:
        """One of the observed launches, with only the values that must change replaced
        (and any changes a test asks for)."""
        claims: dict[str, Any] = {**self.rewrite(OBSERVED[name]), **changes}
        client_id = claims["aud"]
        now = int(time.time())
        claims.update(iss=self.issuer, nonce=nonce, iat=now, exp=now + 60, aud=client_id)
        claims[DEPLOYMENT_ID] = self.clients[client_id]["deployment_id"]
        return claims

    def openid_configuration(self) -> dict[str, Any]:
        """Moodle 4.5's /mod/lti/openid-configuration.php. The observation records only its
        URL, so this follows Moodle's source: its endpoint paths, the scopes of its services
        (basic outcomes, gradebook, memberships, tool settings) and its release name."""
        conf = super().openid_configuration()
        conf["scopes_supported"] = [
            "openid",
            "https://purl.imsglobal.org/spec/lti-bo/scope/basicoutcome",
            AGS + "lineitem.readonly",
            AGS + "lineitem",
            AGS + "result.readonly",
            AGS + "score",
            NRPS_SCOPE,
            "https://purl.imsglobal.org/spec/lti-ts/scope/toolsetting",
        ]
        platform_conf = conf["https://purl.imsglobal.org/spec/lti-platform-configuration"]
        platform_conf["version"] = "4.5+ (Build: 20241205)"
        # mod/lti/openid-configuration.php lists its messages as bare strings, not the spec's
        # objects ({"type": ...}), with one placement for the whole platform.
        platform_conf["messages_supported"] = ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]
        platform_conf["placements"] = ["AddContentMenu"]
        return conf

    # --- the course: activities placed through Deep Linking, their grade items ---------------

    def line_item_url(self, item_id: int, type_id: str) -> str:
        return f"{self.url}{SERVICES}2/lineitems/{item_id}/lineitem?type_id={type_id}"

    def _place(self, client_id: str, items: list[Any]) -> None:
        """What Moodle does with the content items once the teacher saves the form: one activity
        each (custom parameters kept), a grade item of the lineItem's points when there is one."""
        type_id = self.clients[client_id]["deployment_id"]
        for item in items:
            if not isinstance(item, dict) or item.get("type") != "ltiResourceLink":
                continue
            with self.lock:
                link_id = str(10 + len(self.placed_activities))
                activity: dict[str, Any] = {
                    "title": item.get("title", ""),
                    "custom": dict(item.get("custom") or {}),
                    "client_id": client_id,
                    "line_item": None,
                }
                line_item = item.get("lineItem")
                if isinstance(line_item, dict):
                    item_id = max(self.line_items) + 1
                    self.line_items[item_id] = {
                        "id": self.line_item_url(item_id, type_id),
                        "label": line_item.get("label") or item.get("title", ""),
                        "scoreMaximum": line_item["scoreMaximum"],
                        "resourceId": line_item.get("resourceId", ""),
                        "tag": line_item.get("tag", ""),
                        "resourceLinkId": link_id,
                        "ltiLinkId": link_id,
                    }
                    activity["line_item"] = item_id
                self.placed_activities[link_id] = activity

    def set_points(self, item_id: int, points: float) -> None:
        """The teacher edits the activity's maximum grade in Moodle."""
        with self.lock:
            self.line_items[item_id]["scoreMaximum"] = points

    def activity_changes(self, link_id: str) -> dict[str, Any]:
        """The claims that differ when a learner opens a placed activity rather than the observed
        one: its resource link, its custom parameters, its grade item (or none)."""
        activity = self.placed_activities[link_id]
        observed = self.rewrite(OBSERVED["student_resource_link_claims"])
        ags = dict(observed[LTI_AGS])
        if activity["line_item"] is None:
            ags.pop("lineitem", None)  # Moodle sends lineitem only for a graded activity
        else:
            ags["lineitem"] = self.line_items[activity["line_item"]]["id"]
        return {
            LTI + "resource_link": {"title": activity["title"], "description": "", "id": link_id},
            LTI + "custom": {**observed[LTI + "custom"], **activity["custom"]},
            LTI_AGS: ags,
        }

    def graded_line_items(self) -> dict[int, dict[str, Any]]:
        """The grade items made by placements (not the observed one)."""
        return {i: item for i, item in self.line_items.items() if int(item["resourceLinkId"] or 0) >= 10}

    # --- the browser's part: what Moodle's pages make it do ------------------------------------

    def login_params(self, name: str, **changes: Any) -> dict[str, str]:
        """The login initiation Moodle POSTs to the tool for one of the observed launches."""
        claims = OBSERVED[name]
        launch_id = f"ltilaunch{claims[DEPLOYMENT_ID]}_{secrets.randbelow(10**10)}"
        hint = json.dumps({"cmid": 1, "launchid": launch_id}, separators=(",", ":"))
        if name == "student_resource_link_claims":
            hint = OBSERVED["oidc_login_params_student"]["lti_message_hint"]  # verbatim
            launch_id = json.loads(hint)["launchid"]
        with self.lock:
            self.pending[launch_id] = {"name": name, "sub": claims["sub"], "changes": changes}
        return self.rewrite(
            {
                "lti_deployment_id": self.clients[claims["aud"]]["deployment_id"],
                "client_id": claims["aud"],
                "login_hint": claims["sub"],
                "lti_message_hint": hint,
                "iss": OBSERVED_MOODLE,
                "target_link_uri": claims[LTI + "target_link_uri"],
            }
        )

    def open_activity(
        self, name: str, browser: requests.Session | None = None, **changes: Any
    ) -> tuple[requests.Session, requests.Response]:
        """Launch as Moodle: login initiation, auth.php, its form posted to the tool. Returns
        the tool's answer to the launch POST (redirects not followed)."""
        browser = browser or requests.Session()
        auth_page = browser.post(
            self.tool_url + "/lti/login", data=self.login_params(name, **changes), timeout=10
        )
        assert auth_page.status_code == 200, auth_page.text[:800]
        form = first_form(auth_page.text, auth_page.url)
        launched = browser.post(form.action, data=form.fields, allow_redirects=False, timeout=10)
        return browser, launched

    # --- Moodle's endpoints ----------------------------------------------------------------

    def _authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """/mod/lti/auth.php: the checks Moodle makes, then the auto-posted id_token. A request
        it refuses is answered as auth.php does: an error page when the client or redirect URI
        is unknown (nowhere trusted to post to), else the same auto-posted form carrying
        ``error`` (and ``error_description``) and ``state`` instead of the id_token."""
        self.auth_requests.append(query)
        client = self.clients.get(query.get("client_id", ""))
        if client is None or query.get("redirect_uri") not in client["redirect_uris"]:
            return 400, "invalid_request: client_id/redirect_uri"
        try:
            launch_id = json.loads(query.get("lti_message_hint", ""))["launchid"]
        except (ValueError, KeyError, TypeError):
            launch_id = ""
        with self.lock:
            pending = self.pending.pop(launch_id, None)  # Moodle's session keeps it once
        error, description = "", ""
        required = ("scope", "response_type", "login_hint", "nonce")
        if not all(query.get(k) for k in required) or pending is None:
            error = "invalid_request"
        elif query["scope"] != "openid":
            error = "invalid_scope"
        elif query["response_type"] != "id_token":
            error = "unsupported_response_type"
        elif query["login_hint"] != (self.signed_in_as or pending["sub"]):
            error = "access_denied"  # Moodle's session is someone else's ($USER->id)
        elif query.get("response_mode") != "form_post":
            error, description = "invalid_request", "Invalid response_mode"
        elif query.get("prompt") not in (None, "", "none"):
            error, description = "invalid_request", "Invalid prompt"
        if error:
            values = [("error", error)] + ([("error_description", description)] if description else [])
        else:
            assert pending is not None
            claims = self.observed_claims(pending["name"], query["nonce"], **pending["changes"])
            values = [("id_token", self.sign(claims, headers={"typ": "JWT"}))]
        if "state" in query:
            values.append(("state", query["state"]))
        fields = "".join(f'<input type="hidden" name="{n}" value="{html.escape(v)}"/>' for n, v in values)
        action = html.escape(query["redirect_uri"])
        return 200, (
            f'<form action="{action}" name="ltiAuthForm" id="ltiAuthForm" '
            f'method="post" enctype="application/x-www-form-urlencoded">{fields}'
            "</form><script>document.ltiAuthForm.submit();</script>"
        )

    def _registration_problems(self, body: Any) -> list[str]:
        """What Moodle's registration_helper refuses, on top of the domain check."""
        if not isinstance(body, dict):
            return ["not a JSON object"]
        problems = self._check(body)
        if body.get("application_type") != "web":
            problems.append("application_type must be web")
        if "id_token" not in (body.get("response_types") or []):
            problems.append("response_types must include id_token")
        if not {"implicit", "client_credentials"} <= set(body.get("grant_types") or []):
            problems.append("grant_types must include implicit and client_credentials")
        if body.get("token_endpoint_auth_method") != "private_key_jwt":
            problems.append("token_endpoint_auth_method must be private_key_jwt")
        problems += [
            f"{k} missing" for k in ("initiate_login_uri", "client_name", "jwks_uri") if not body.get(k)
        ]
        return problems

    def update_token(self, type_id: str) -> str:
        """The registration token Moodle makes when the administrator pastes a registration URL
        again and chooses "Update" on an existing tool (startltiadvregistration.php ?type=N):
        scope "reg-update", sub the tool type's id (which is the deployment id)."""
        now = int(time.time())
        claims = {"sub": type_id, "scope": "reg-update", "iat": now, "exp": now + 3600}
        return self.sign(claims, headers={"typ": "JWT"})

    def _register(self, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any]]:
        """openid-registration.php with registration_helper::validate_registration_token: a new
        registration takes the token's sub as client id (once: "token_already_used"); an update
        keeps the type's client id and id (= deployment id) and rewrites its configuration."""
        self.requests.append({"headers": headers, "body": body})
        auth = headers.get("Authorization", "")
        try:
            assert auth.startswith("Bearer ")
            token = jwt.decode(
                auth.removeprefix("Bearer "), self.keys[self.kid].public_key(), algorithms=["RS256"]
            )
        except (jwt.InvalidTokenError, AssertionError, KeyError):
            return 401, {"error": "Unauthorized"}
        if token.get("scope") == "reg":
            if token["sub"] in self.clients:
                return 401, {"error": "token_already_used"}
            client_id, deployment_id = token["sub"], str(len(self.clients) + 1)
        elif token.get("scope") == "reg-update":
            found = [c for c, v in self.clients.items() if v["deployment_id"] == token["sub"]]
            if not found:
                return 400, {"error": "Unknown client"}
            client_id, deployment_id = found[0], token["sub"]
        else:
            return 403, {"error": "Incorrect scope"}
        problems = self._registration_problems(body)
        if problems:
            return 400, {"error": "; ".join(problems)}
        self.clients[client_id] = {
            "deployment_id": deployment_id,
            "jwks_uri": body["jwks_uri"],
            "redirect_uris": body["redirect_uris"],
        }
        return 200, self._registration_answer(client_id, deployment_id, body)

    @staticmethod
    def _registration_answer(client_id: str, deployment_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """What Moodle answers: the stored tool type read back (so labels, placements and the
        resource link message are not echoed; only the deep linking message is)."""
        conf = body[TOOL_CONF]
        messages = [
            {"type": m["type"], "target_link_uri": m.get("target_link_uri")}
            for m in conf.get("messages", [])
            if m.get("type") == "LtiDeepLinkingRequest"
        ]
        return {
            "client_id": client_id,
            "response_types": ["id_token"],
            "jwks_uri": body["jwks_uri"],
            "initiate_login_uri": body["initiate_login_uri"],
            "grant_types": ["client_credentials", "implicit"],
            "redirect_uris": body["redirect_uris"],
            "application_type": "web",
            "token_endpoint_auth_method": "private_key_jwt",
            "client_name": body["client_name"],
            "logo_uri": body.get("logo_uri"),
            "scope": body.get("scope", ""),
            TOOL_CONF: {
                "version": "1.3.0",
                "deployment_id": deployment_id,
                "target_link_uri": conf["target_link_uri"],
                "domain": conf["domain"],
                "description": conf.get("description", ""),
                "messages": messages,
                "custom_parameters": conf.get("custom_parameters", {}),
                "claims": conf.get("claims", []),
            },
        }

    def moodle_time(self) -> int:
        """time() on Moodle's server: ``clock_ahead`` seconds from the tool's clock."""
        return int(time.time() + self.clock_ahead)

    def check_as_php_jwt(self, token: str, jwks_uri: str) -> None:
        """php-jwt 6 as Moodle calls it (lti_verify_with_keyset): JWK::parseKeySet wants an
        ``alg`` on every key, JWT::decode a ``kid`` in the header; then, JWT::$leeway left at
        0: nbf, else iat, not after Moodle's time() in whole seconds; exp after it."""
        keys = requests.get(jwks_uri, timeout=5).json()["keys"]
        if not all(k.get("alg") for k in keys):
            raise ValueError('JWK must contain an "alg" parameter')
        if not jwt.get_unverified_header(token).get("kid"):
            raise ValueError('"kid" empty, unable to lookup correct key')
        claims = jwt.decode(token, options={"verify_signature": False})
        now = self.moodle_time()
        if "nbf" in claims and int(claims["nbf"]) > now:
            raise ValueError("Cannot handle token with nbf prior to " + str(claims["nbf"]))
        if "nbf" not in claims and "iat" in claims and int(claims["iat"]) > now:
            raise ValueError("Cannot handle token with iat prior to " + str(claims["iat"]))
        if "exp" in claims and now >= claims["exp"]:
            raise ValueError("Expired token")

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """/mod/lti/token.php: the tool's assertion, checked with the tool's own key set and
        php-jwt's time checks (lti_verify_jwt_signature)."""
        try:
            client_id = jwt.decode(form["client_assertion"], options={"verify_signature": False})["sub"]
            check_client_assertion(
                form, self.clients[client_id]["jwks_uri"], self.url + self.TOKEN_PATH, client_id
            )
            self.check_as_php_jwt(form["client_assertion"], self.clients[client_id]["jwks_uri"])
        except Exception as exc:  # noqa: BLE001 - any failure is a refusal
            return 400, {"error": "invalid_client", "error_description": str(exc)}
        return 200, {
            "access_token": "moodle-token",
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": form.get("scope", ""),
        }

    def _service(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        """/mod/lti/services.php: the observed line items and members; scores are recorded."""
        if headers.get("Authorization") != "Bearer moodle-token":
            return 401, {"error": "invalid token"}
        with self.lock:
            self.service_requests.append(
                {
                    "method": method,
                    "path": path,
                    "query": query,
                    "content_type": headers.get("Content-Type", ""),
                    "body": json.loads(body) if body else None,
                }
            )
        if method == "GET" and path.endswith("/memberships"):
            context = OBSERVED["student_resource_link_claims"][LTI + "context"]
            return 200, {
                "id": self.url + path,
                "members": OBSERVED["nrps_members"],
                "context": {k: context[k] for k in ("id", "label", "title")},
            }
        found = re.search(r"/lineitems/(\d+)/lineitem(/scores)?$", path)
        item = self.line_items.get(int(found.group(1))) if found else None
        if method == "GET" and path.endswith("/lineitems"):
            link = parse_qs(query).get("resource_link_id", [""])[0]
            with self.lock:
                listed = [
                    dict(i) for i in self.line_items.values() if not link or i["resourceLinkId"] == link
                ]
            return 200, listed
        if method == "GET" and found and not found.group(2) and item is not None and "type_id=" in query:
            with self.lock:
                return 200, dict(item)
        if method == "POST" and found and found.group(2) and item is not None and "type_id=" in query:
            return self._score(int(found.group(1)), json.loads(body or b"null"))
        return 404, {"error": "not found"}

    def _score(self, item_id: int, score: Any) -> tuple[int, Any]:
        """scores.php get_json_for_post_request, then gradebookservices::save_grade_item and
        grade_item::update_raw_grade: a score whose timestamp (in whole seconds, strtotime) is
        not later than the grade's ``timemodified`` is refused with 409. ``timemodified`` is
        Moodle's own clock (time()) when the grade or its feedback last changed: the timestamp
        the tool sent is not kept (grade_update ignores it and gets no dategraded)."""
        if moodle_refuses_score(score):
            return 400, {"error": "Incorrect score received"}
        stamp = int(datetime.fromisoformat(str(score["timestamp"]).replace("Z", "+00:00")).timestamp())
        self.score_gate.wait(30)
        with self.lock:
            key = (item_id, str(score["userId"]))
            held = self.grades.get(key)
            if held is not None and held["timemodified"] and held["timemodified"] >= stamp:
                return 409, {
                    "error": f"Refusing score with an earlier timestamp for item {item_id} "
                    f"and user {score['userId']}"
                }
            given = score.get("scoreGiven") if score["gradingProgress"] == "FullyGraded" else None
            grademax = float(self.line_items[item_id]["scoreMaximum"])
            if given is not None:
                maximum = float(score["scoreMaximum"])
                given = float(given) * grademax / maximum if maximum and maximum != grademax else float(given)
            feedback = score.get("comment") or None
            old = held or {"grade": None, "feedback": None, "timemodified": None}
            if given is None and feedback is None:
                timemodified = None
            elif given != old["grade"] or feedback != old["feedback"]:
                timemodified = int(time.time() + self.clock_ahead)
            else:
                timemodified = old["timemodified"]
            self.grades[key] = {"grade": given, "feedback": feedback, "timemodified": timemodified}
            self.scores.append((item_id, score))
            lost, self.lose_answers = self.lose_answers > 0, max(0, self.lose_answers - 1)
        if lost:
            return 504, "<html><body>Gateway Timeout</body></html>"  # saved, the answer lost
        return 200, None

    def _content_item_return(self, query: dict[str, str], form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """/mod/lti/contentitem_return.php: the checks Moodle makes of a Deep Linking answer."""
        if not {"course", "id", "sesskey"} <= set(query):
            return 400, {"error": "missing course, id or sesskey"}
        try:
            client_id = jwt.decode(form["JWT"], options={"verify_signature": False})["iss"]
            claims = verify_with_tool_key(form["JWT"], self.clients[client_id]["jwks_uri"], self.issuer)
            # lti_convert_from_jwt -> lti_verify_jwt_signature
            self.check_as_php_jwt(form["JWT"], self.clients[client_id]["jwks_uri"])
            assert claims[DEPLOYMENT_ID] == self.clients[client_id]["deployment_id"]
            assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
            assert claims[LTI + "version"] == "1.3.0" and claims["nonce"]
        except Exception as exc:  # noqa: BLE001 - any failure is a refusal
            return 400, {"error": f"invalid deep linking response: {exc!r}"}
        self.placed.append(claims)
        self._place(client_id, claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/content_items", []))
        return 200, {
            "placed": len(claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/content_items", []))
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self
        base = super()._handler()

        class Handler(base):  # type: ignore[valid-type, misc]
            def _answer(self, status: int, body: Any) -> None:
                if isinstance(body, str):
                    payload, kind = body.encode(), "text/html; charset=utf-8"
                else:
                    payload = b"" if body is None else json.dumps(body).encode()
                    kind = "application/json"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                if parts.path == platform.AUTH_PATH:
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    self._answer(*platform._authorize(query))
                elif parts.path.startswith(SERVICES):
                    self._answer(
                        *platform._service("GET", parts.path, parts.query, dict(self.headers.items()), b"")
                    )
                else:
                    super().do_GET()

            def do_POST(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                if parts.path == platform.TOKEN_PATH:
                    form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
                    self._answer(*platform._token(form))
                elif parts.path.startswith(SERVICES):
                    self._answer(
                        *platform._service(
                            "POST", parts.path, parts.query, dict(self.headers.items()), self._body()
                        )
                    )
                elif parts.path == "/mod/lti/contentitem_return.php":
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
                    self._answer(*platform._content_item_return(query, form))
                else:
                    super().do_POST()

        return Handler
