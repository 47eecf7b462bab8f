"""The HTTP endpoints of the Canvas test platform (tests/support/canvas_platform.py), by origin.

School domain: /login, course pages and launch forms, /api/lti/authorize, the services
(/api/lti/courses/<id>/line_items, .../scores, .../names_and_roles), the Deep Linking return,
/post_message_forwarding (a redirect to the SSO domain). SSO domain: /api/lti/authorize_redirect,
/login/oauth2/token, /api/lti/security/jwks, /post_message_forwarding, the OpenID configuration
and /api/lti/registrations (Dynamic Registration).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests

from tests.support.canvas_pages import autopost
from tests.support.canvas_rules import AGS, AGS_SCOPES, LTI_SCOPES, NRPS_SCOPE, ags_error

if TYPE_CHECKING:
    from tests.support.canvas_platform import Answer, CanvasPlatform

REQUIRED_OIDC = ("client_id", "login_hint", "lti_message_hint", "nonce", "prompt", "redirect_uri",
                 "response_mode", "response_type", "scope")  # fmt: skip
REGISTRATION_TOKEN_KEYS = {"user_id", "initiated_at", "root_account_global_id", "exp", "uuid"}
SERVICES = re.compile(r"^/api/lti/courses/(\w+)/(line_items|names_and_roles)(?:/(\d+))?(/scores)?$")


def _answer(*args: Any, **kwargs: Any) -> Answer:
    from tests.support.canvas_platform import Answer

    return Answer(*args, **kwargs)


def _form(r: dict[str, Any]) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(r["body"].decode()).items()}


def route(p: CanvasPlatform, site: str, r: dict[str, Any]) -> Answer:
    path, method = r["path"], r["method"]
    if site == "sso":
        if path == p.AUTH_PATH:
            return authorize_redirect(p, r)
        if path == p.TOKEN_PATH and method == "POST":
            return token(p, _form(r))
        if path == p.JWKS_PATH:
            return _answer(200, p.jwks(), headers={"Cache-Control": "max-age=864000, private"})
        if path == "/post_message_forwarding":
            return p.forwarding_page(r["query"].get("token", ""))
        if path == "/api/lti/security/openid-configuration":
            return openid_configuration(p, r)
        if path == "/api/lti/registrations" and method == "POST":
            return register(p, r)
        return _answer(404, ags_error("not found", "not_found"))
    if path == "/login":
        who = next(x for x in p.people if str(x.canvas_id) == r["query"].get("as"))
        # A script's sign-in (requests): a plain cookie, as its jar sends no Secure cookie over http.
        cookie = f"canvas_session={who.canvas_id}; Path=/; HttpOnly"
        return _answer(200, "signed in", "text/plain", headers={"Set-Cookie": cookie})
    found = re.match(r"^/courses/(\w+)/launch/([\w-]+)(/form)?$", path)
    if found:
        who = next(x for x in p.people if str(x.canvas_id) == r["query"].get("as"))
        link = p.links[found.group(2)]
        if found.group(3):
            return p.launch_form(who, link)
        page = p.course_page(who, link)
        return _answer(
            200, page, "text/html; charset=utf-8", headers={"Set-Cookie": _session_cookie(who.canvas_id)}
        )
    if path == "/api/lti/authorize":
        return authorize(p, r)
    if path == "/post_message_forwarding":
        referer = urlsplit(r["headers"].get("referer", "")).netloc or urlsplit(p.school_url).netloc
        forward = jwt.encode(
            {"parent_domain": referer, "exp": int(time.time()) + 300}, p.secret, algorithm="HS512"
        )
        return _answer(
            302, None, headers={"Location": f"{p.sso_url}/post_message_forwarding?token={forward}"}
        )
    if re.match(r"^/courses/\w+/deep_linking_response$", path) and method == "POST":
        return deep_linking_response(p, r)
    services = SERVICES.match(path)
    if services:
        return service(p, r, services)
    return _answer(404, ags_error("not found", "not_found"))


def _session_cookie(canvas_id: int) -> str:
    # A browser's: like Canvas's session cookie, SameSite=None; Secure (allowed on http://localhost).
    return f"canvas_session={canvas_id}; Path=/; HttpOnly; SameSite=None; Secure"


# --- OIDC ----------------------------------------------------------------------------------------


def authorize_redirect(p: CanvasPlatform, r: dict[str, Any]) -> Answer:
    params = r["query"] if r["method"] == "GET" else _form(r)
    try:
        domain = jwt.decode(params.get("lti_message_hint", ""), p.secret, algorithms=["HS512"])[
            "canvas_domain"
        ]
    except (jwt.InvalidTokenError, KeyError):
        return _answer(400, "Invalid lti_message_hint", "text/plain")
    return _answer(302, None, headers={"Location": f"http://{domain}/api/lti/authorize?{urlencode(params)}"})


def authorize(p: CanvasPlatform, r: dict[str, Any]) -> Answer:
    params = r["query"] if r["method"] == "GET" else _form(r)
    try:
        hint = jwt.decode(params.get("lti_message_hint", ""), p.secret, algorithms=["HS512"])
    except jwt.InvalidTokenError:
        return _answer(400, "Invalid lti_message_hint", "text/plain")
    error: tuple[str, str] | None = None
    missing = [k for k in REQUIRED_OIDC if not params.get(k)]
    if missing:
        error = ("invalid_request_object", "The following parameters are missing: " + ",".join(missing))
    elif params["scope"] != "openid":
        error = ("invalid_request_object", "The 'scope' must be 'openid'")
    session = r["cookies"].get("canvas_session")
    who = next((x for x in p.people if str(x.canvas_id) == session), None)
    if error is None and (who is None or who.login_hint != params["login_hint"]):
        error = ("login_required", "Must have an active user session")
    key = p.developer_keys.get(params.get("client_id", ""))
    if error is None and (key is None or not key["active"]):
        error = ("unauthorized_client", "Client not authorized in requested context")
    cached = None
    if error is None:
        with p.lock:
            cached = p.launches.pop(hint["verifier"], None)  # fetched and deleted: single use
        if cached is None or cached["expires"] < time.time():
            error = ("launch_no_longer_valid", "The launch has either expired or already been consumed")
    redirect_uri = params.get("redirect_uri", "")
    if key is None or redirect_uri.split("?")[0] not in key["redirect_uris"]:
        return _answer(400, "Invalid redirect_uri", "text/plain")
    if error is not None:
        fields = {"error": error[0], "error_description": error[1], "state": params.get("state", "")}
        return _answer(200, autopost(redirect_uri, fields), "text/html")
    assert cached is not None
    now = int(time.time())
    claims = {**cached["claims"], "nonce": params["nonce"], "iat": now, "exp": now + 3600}
    fields = {"id_token": p.sign(claims), "state": params.get("state", "")}
    if hint.get("include_storage_target"):
        fields["lti_storage_target"] = "post_message_forwarding"
    return _answer(200, autopost(redirect_uri, fields), "text/html")


# --- the tool's JWTs, checked with its key set (JwtValidator) -----------------------------------


def _tool_jwt(p: CanvasPlatform, token: str, audience: str, client_id: str) -> dict[str, Any]:
    key = p.developer_keys.get(client_id)
    if key is None or not key["active"]:
        raise ValueError("unknown or inactive developer key")
    keys = jwt.PyJWKSet.from_dict(requests.get(key["public_jwk_url"], timeout=5).json())
    kid = jwt.get_unverified_header(token).get("kid")
    found = next((k for k in keys.keys if k.key_id == kid), None)
    if found is None:
        raise ValueError("JWS signature invalid.")
    claims = jwt.decode(
        token, found.key, algorithms=["RS256"], audience=audience, options={"verify_iat": False}
    )
    now = time.time()
    if not now - 300 <= float(claims["iat"]) <= now + 30:
        raise ValueError("the 'iat' must be less than 300 seconds old and not in the future")
    return claims


def token(p: CanvasPlatform, form: dict[str, str]) -> Answer:
    p.token_requests += 1
    if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != (
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    ):
        return _answer(400, {"error": "unsupported_grant_type"})
    try:
        sub = jwt.decode(form["client_assertion"], options={"verify_signature": False})["sub"]
        claims = _tool_jwt(p, form["client_assertion"], p.sso_url + p.TOKEN_PATH, sub)
        missing = {"sub", "aud", "exp", "iat", "jti", "iss"} - set(claims)
        if missing:
            raise ValueError("the following assertions are missing: " + ",".join(sorted(missing)))
    except Exception as exc:  # noqa: BLE001 - any failure is a refusal
        return _answer(400, {"error": "invalid_client", "error_description": str(exc)})
    scopes = form.get("scope", "").split()
    if not set(scopes) <= set(p.developer_keys[sub]["scopes"]):
        return _answer(400, {"error": "invalid_scope", "error_description": "A requested scope is invalid"})
    now = int(time.time())
    access = jwt.encode(
        {"iss": p.issuer, "sub": sub, "aud": p.sso_url + p.TOKEN_PATH, "iat": now, "exp": now + 3600,
         "jti": uuid.uuid4().hex, "scopes": " ".join(scopes)},
        p.secret,
        algorithm="HS512",
    )  # fmt: skip
    return _answer(
        200, {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "scope": " ".join(scopes)}
    )


# --- services --------------------------------------------------------------------------------------


def _access(p: CanvasPlatform, r: dict[str, Any], *allowed: str) -> Answer | str:
    auth = r["headers"].get("authorization", "")
    if not auth.startswith("Bearer "):
        return _answer(401, ags_error("Missing access token"))
    try:
        claims = jwt.decode(auth[7:], p.secret, algorithms=["HS512"], options={"verify_aud": False})
    except jwt.InvalidTokenError:
        return _answer(401, ags_error("Invalid access token"))
    key = p.developer_keys.get(claims["sub"])
    if key is None or not key["active"]:
        return _answer(401, ags_error("Unknown or inactive Developer Key"))
    if not set(allowed) & set(claims["scopes"].split()):
        return _answer(401, ags_error("Insufficient permissions"))
    return str(claims["sub"])


def _line_item_json(p: CanvasPlatform, item_id: int) -> dict[str, Any]:
    return {"id": p.line_item_url(item_id), **p.line_items[item_id]}


def _paged(
    url: str, query: dict[str, str], items: list[Any], default: int, maximum: int
) -> tuple[list[Any], dict[str, str]]:
    per_page = min(int(query.get("limit") or query.get("per_page") or default), maximum)
    page = max(int(query.get("page") or 1), 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    keep = {k: v for k, v in query.items() if k not in ("limit", "page", "per_page")}
    links = [f'<{url}?{urlencode({**keep, "page": page, "per_page": per_page})}>; rel="current"']
    if page * per_page < len(items):
        links.append(f'<{url}?{urlencode({**keep, "page": page + 1, "per_page": per_page})}>; rel="next"')
    links.append(f'<{url}?{urlencode({**keep, "page": 1, "per_page": per_page})}>; rel="first"')
    return chunk, {"Link": ", ".join(links)}


def service(p: CanvasPlatform, r: dict[str, Any], m: re.Match[str]) -> Answer:
    course, kind, item, scores = m.group(1), m.group(2), m.group(3), m.group(4)
    with p.lock:
        p.service_requests.append({"method": r["method"], "path": r["path"], "query": r["raw_query"]})
    if course != p.course_id:
        return _answer(404, ags_error("Course not found", "not_found"))
    url = f"{p.school_url}{r['path']}"
    if kind == "names_and_roles":
        from tests.support.canvas_platform import ROLES

        who = _access(p, r, NRPS_SCOPE)
        if not isinstance(who, str):
            return who
        members = [
            {"status": "Active", "name": x.name, "given_name": x.name.split()[0],
             "family_name": x.name.split()[-1],
             "email": f"user{x.canvas_id}@school.example", "user_id": x.lti_id,
             "lti11_legacy_user_id": f"legacy-{x.canvas_id}",
             "roles": [r for r in ROLES[x.role] if "/membership" in r]}
            for x in p.people
        ]  # fmt: skip
        page, headers = _paged(url, r["query"], members, 50, 50)
        body = {"id": url, "context": p.course, "members": page}
        return _answer(200, body, MEMBERSHIP_TYPE_, headers=headers)
    if scores:
        who = _access(p, r, AGS + "score")
        if not isinstance(who, str):
            return who
        try:
            body = json.loads(r["body"] or b"null")
        except ValueError:
            return _answer(400, ags_error("The body is not JSON", "bad_request"))
        content_type = r["headers"].get("content-type", "").split(";")[0].strip()
        refused = p.score_problems(int(item), body, content_type)
        if refused is not None:
            return refused
        return _record_score(p, int(item), body)
    who = _access(p, r, AGS + "lineitem", AGS + "lineitem.readonly")
    if not isinstance(who, str):
        return who
    if item is not None:
        if int(item) not in p.line_items:
            return _answer(404, ags_error("The specified LTI line item was not found", "not_found"))
        return _answer(200, _line_item_json(p, int(item)), "application/vnd.ims.lis.v2.lineitem+json")
    if r["method"] != "GET":
        return _answer(401, ags_error("Insufficient permissions"))  # no creation in this platform's tests
    found = [_line_item_json(p, i) for i in sorted(p.line_items)]
    for param, name in (
        ("resource_link_id", "resourceLinkId"),
        ("tag", "tag"),
        ("resource_id", "resourceId"),
    ):
        if r["query"].get(param):
            found = [x for x in found if x.get(name) == r["query"][param]]
    page, headers = _paged(url, r["query"], found, 10, 1000)
    return _answer(200, page, "application/vnd.ims.lis.v2.lineitemcontainer+json", headers=headers)


MEMBERSHIP_TYPE_ = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def _record_score(p: CanvasPlatform, item_id: int, body: dict[str, Any]) -> Answer:
    stamp = datetime.fromisoformat(str(body["timestamp"]).replace("Z", "+00:00")).astimezone(UTC)
    points = float(p.line_items[item_id]["scoreMaximum"])
    score = None
    if "scoreGiven" in body and body["gradingProgress"] in ("FullyGraded", "PendingManual"):
        maximum = float(body["scoreMaximum"])
        score = float(body["scoreGiven"]) * points / maximum if maximum else float(body["scoreGiven"])
    with p.lock:
        # new_submission (true by default) submits the assignment at submitted_at, else now.
        extension = body.get("https://canvas.instructure.com/lti/submission") or {}
        submitted = extension.get("submitted_at")
        p.results[(item_id, body["userId"])] = {
            "updated_at": stamp,
            "submitted_at": datetime.fromisoformat(str(submitted).replace("Z", "+00:00")).astimezone(UTC)
            if submitted
            else datetime.now(UTC),
            "score": score,
            "comment": body.get("comment"),
        }
        p.scores.append((item_id, body))
    url = f"{p.line_item_url(item_id)}/results/{len(p.scores)}"
    return _answer(200, {"resultUrl": url}, "application/vnd.ims.lis.v1.score+json")


# --- Deep Linking ---------------------------------------------------------------------------------


def deep_linking_response(p: CanvasPlatform, r: dict[str, Any]) -> Answer:
    from tests.support.canvas_platform import GRADED_PLACEMENTS, Link

    token_ = _form(r).get("JWT", "")
    try:
        client_id = jwt.decode(token_, options={"verify_signature": False})["iss"]
        claims = _tool_jwt(p, token_, p.issuer, client_id)
        if "nonce" not in claims or "exp" not in claims:  # nonce is the jti
            raise ValueError("the following assertions are missing: jti")
    except Exception as exc:  # noqa: BLE001 - any failure is a refusal
        return _answer(400, {"errors": [{"message": f"JWT verification failed: {exc}"}]})
    if claims.get("https://purl.imsglobal.org/spec/lti/claim/message_type") != "LtiDeepLinkingResponse":
        return _answer(400, {"errors": [{"message": "not an LtiDeepLinkingResponse"}]})
    placement = r["query"].get("placement", "")
    created, errors = [], []
    for content in claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/content_items") or []:
        if content.get("type") != "ltiResourceLink":
            continue
        link = Link(
            str(uuid.uuid4()),
            content.get("title") or "Untitled",
            client_id,
            dict(content.get("custom") or {}),
        )
        line_item = content.get("lineItem")
        if isinstance(line_item, dict) and placement in GRADED_PLACEMENTS:
            if not isinstance(line_item.get("scoreMaximum"), int | float):
                errors.append({"message": "lineItem.scoreMaximum is required", "content_item": content})
                continue
            with p.lock:
                item_id = len(p.line_items) + 1
                p.line_items[item_id] = {
                    "scoreMaximum": line_item["scoreMaximum"],
                    "label": line_item.get("label") or link.title,
                    "resourceId": line_item.get("resourceId", ""),
                    "tag": line_item.get("tag", ""),
                    "resourceLinkId": link.uuid,
                }
            link.line_item = item_id
            link.title = line_item.get("label") or link.title
        p.links[link.uuid] = link
        created.append(link.uuid)
    if errors:
        return _answer(400, {"errors": errors})
    return _answer(200, {"created": created})


# --- Dynamic Registration --------------------------------------------------------------------------


def openid_configuration(p: CanvasPlatform, r: dict[str, Any]) -> Answer:
    auth = r["headers"].get("authorization", "")
    try:
        jwt.decode(auth.removeprefix("Bearer "), p.secret, algorithms=["HS512"])
    except jwt.InvalidTokenError:
        return _answer(401, {"errorMessage": "Missing or invalid registration token"})
    return _answer(
        200,
        {
            "issuer": p.issuer,
            "authorization_endpoint": p.sso_url + p.AUTH_PATH,
            "registration_endpoint": p.sso_url + "/api/lti/registrations",
            "jwks_uri": p.sso_url + p.JWKS_PATH,
            "token_endpoint": p.sso_url + p.TOKEN_PATH,
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "scopes_supported": LTI_SCOPES,
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "picture", "email", "name", "given_name", "family_name", "locale"],
            "subject_types_supported": ["public"],
            # Lti::Oidc.auth_domain(account_domain): the SSO host, bare (security_controller.rb);
            # the token endpoint still wants its own URL as aud (ClientCredentialsProvider).
            "authorization_server": urlsplit(p.sso_url).netloc,
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "canvas",
                "version": "vCloud",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest", "placements": ["course_navigation", "link_selection"]},
                    {
                        "type": "LtiDeepLinkingRequest",
                        "placements": ["link_selection", "assignment_selection"],
                    },
                ],
                "https://canvas.instructure.com/lti/account_name": "School",
            },
        },
    )


def register(p: CanvasPlatform, r: dict[str, Any]) -> Answer:
    auth = r["headers"].get("authorization", "")
    try:
        claims = jwt.decode(auth.removeprefix("Bearer "), p.secret, algorithms=["HS512"])
    except jwt.InvalidTokenError:
        return _answer(401, {"errorMessage": "Invalid registration token"})
    if set(claims) != REGISTRATION_TOKEN_KEYS:
        return _answer(401, {"errorMessage": "JWT did not include expected contents"})
    try:
        body = json.loads(r["body"] or b"null")
    except ValueError:
        body = None
    problems = p.registration_problems(body)
    if problems:
        return _answer(422, {"errors": problems})
    conf = body["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    client_id = p._new_client_id()
    placements = [pl for m in conf["messages"] for pl in (m.get("placements") or ["link_selection"])]
    p.developer_keys[client_id] = {
        "redirect_uris": body["redirect_uris"],
        "public_jwk_url": body["jwks_uri"],
        "scopes": [s for s in (body.get("scope") or "").split() if s != "openid"],
        "placements": placements,
        "active": True,
    }
    p.registrations.append({"client_id": client_id, "body": body, "token": claims})
    answer = {
        "client_id": client_id,
        "application_type": body["application_type"],
        "grant_types": body["grant_types"],
        "initiate_login_uri": body["initiate_login_uri"],
        "redirect_uris": body["redirect_uris"],
        "response_types": body["response_types"],
        "client_name": body["client_name"],
        "jwks_uri": body["jwks_uri"],
        "logo_uri": body.get("logo_uri"),
        "token_endpoint_auth_method": body["token_endpoint_auth_method"],
        "scope": " ".join(p.developer_keys[client_id]["scopes"]),
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            **conf,
            "https://canvas.instructure.com/lti/registration_config_url": (
                f"{p.sso_url}/api/lti/registrations/{len(p.registrations)}/view"
            ),
        },
    }  # no deployment_id: the tool is installed (a deployment made) when the admin confirms
    return _answer(200, answer)


def registration_token(p: CanvasPlatform) -> str:
    return jwt.encode(
        {"uuid": str(uuid.uuid4()), "initiated_at": datetime.now(UTC).isoformat(), "user_id": 1,
         "root_account_global_id": 10000000000001, "exp": int(time.time()) + 3600},
        p.secret,
        algorithm="HS512",
    )  # fmt: skip


__all__ = ["AGS_SCOPES", "registration_token", "route"]
