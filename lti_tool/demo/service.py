"""The demo LMS's state: its registration with the tool and its activities."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import jwt
from flask import current_app
from sqlalchemy import select

from lti_tool import outbound
from lti_tool.demo.gradebook_models import DemoLineItem
from lti_tool.demo.models import DemoActivity
from lti_tool.demo.platform import PlatformKeys
from lti_tool.extensions import db
from lti_tool.lti import claims as C
from lti_tool.services import platforms as platform_service

CLIENT_ID = "p3-demo-lms"
DEPLOYMENT_ID = "1"


def issuer() -> str:
    demo_url: str = current_app.config["DEMO_URL"]
    return demo_url + "/demo"


_KEYS_LOCK = threading.Lock()


def keys() -> PlatformKeys:
    cached = current_app.extensions.get("lti_tool.demo_keys")
    if cached is None:
        # The demo's first requests come in parallel (its key set and its signed launch): without
        # the lock two threads could each make a key and sign with one while publishing the other.
        with _KEYS_LOCK:
            cached = current_app.extensions.get("lti_tool.demo_keys")
            if cached is None:
                path = Path(current_app.instance_path) / "demo-platform-key.pem"
                cached = PlatformKeys.load_or_create(path)
                current_app.extensions["lti_tool.demo_keys"] = cached
    return cached


def registration_data() -> dict[str, Any]:
    base = issuer()
    return {
        "name": "Demo LMS",
        "issuer": base,
        "client_id": CLIENT_ID,
        "deployment_ids": [DEPLOYMENT_ID],
        "auth_login_url": base + "/auth",
        "auth_token_url": base + "/token",
        "key_set_url": base + "/jwks",
    }


def ensure_registered() -> None:
    """The demo LMS registers itself with the tool (idempotent)."""
    if platform_service.get_platform(issuer(), CLIENT_ID) is None:
        platform_service.add_platform(registration_data())
    if not db.session.scalars(select(DemoActivity).limit(1)).first():
        db.session.add(DemoActivity(title="P3 Workshop", url=""))
        db.session.commit()


def activities() -> list[DemoActivity]:
    return list(db.session.scalars(select(DemoActivity).order_by(DemoActivity.id)))


def activity(activity_id: int) -> DemoActivity | None:
    return db.session.get(DemoActivity, activity_id)


def custom_of(activity: DemoActivity) -> dict[str, str]:
    value = json.loads(activity.custom_json or "{}")
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


# --- Deep Linking: the platform's side --------------------------------------------------------


class DeepLinkReturnError(ValueError):
    """The tool's Deep Linking response was refused; the message says why."""


def _tool_key(kid: str) -> Any:
    url = current_app.config["BASE_URL"] + "/lti/jwks"
    try:
        response = outbound.client().get(url, outbound.TOOL_KEYS)
        if not response.ok:
            raise ValueError(f"HTTP {response.status_code}")
        keys = response.json().get("keys", [])
    except (outbound.OutboundError, ValueError, AttributeError) as exc:
        raise DeepLinkReturnError(f"The tool's key set ({url}) could not be read.") from exc
    jwk = next((k for k in keys if isinstance(k, dict) and k.get("kid") == kid), None)
    if jwk is None:
        raise DeepLinkReturnError("The response is signed with a key the tool does not publish.")
    return jwt.PyJWK(jwk, algorithm="RS256").key


def accept_deep_link_response(token: str, expected_data: str | None) -> list[DemoActivity]:
    """Verify the tool's LtiDeepLinkingResponse as an LMS does; add its items to the course."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.InvalidTokenError as exc:
        raise DeepLinkReturnError("The response is not a readable JWT.") from exc
    if not isinstance(kid, str) or not kid:
        raise DeepLinkReturnError("The response names no key id (kid).")
    try:
        claims = jwt.decode(
            token,
            _tool_key(kid),
            algorithms=["RS256"],
            audience=issuer(),
            issuer=CLIENT_ID,
            leeway=current_app.config["JWT_LEEWAY"],
            options={"require": ["iss", "aud", "exp", "iat", "nonce"]},
        )
    except jwt.InvalidTokenError as exc:
        raise DeepLinkReturnError(f"The response was refused: {exc}.") from exc
    if claims.get(C.MESSAGE_TYPE) != C.DEEP_LINKING_RESPONSE or claims.get(C.VERSION) != "1.3.0":
        raise DeepLinkReturnError("The message is not an LTI 1.3 LtiDeepLinkingResponse.")
    if claims.get(C.DEPLOYMENT_ID) != DEPLOYMENT_ID:
        raise DeepLinkReturnError("The response is for another deployment.")
    if claims.get(C.DL_DATA) != expected_data:
        raise DeepLinkReturnError("The response does not carry back the request's data.")
    seen: set[str] = current_app.extensions.setdefault("lti_tool.demo_dl_nonces", set())
    nonce = str(claims["nonce"])
    if nonce in seen:
        raise DeepLinkReturnError("This response was already used (its nonce was seen before).")
    seen.add(nonce)
    items = claims.get(C.DL_CONTENT_ITEMS) or []
    if not isinstance(items, list):
        raise DeepLinkReturnError("content_items is not a list.")
    added = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") != "ltiResourceLink":
            continue
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
        line_item = item.get("lineItem") if isinstance(item.get("lineItem"), dict) else None
        points = line_item.get("scoreMaximum") if line_item else None
        if line_item and (isinstance(points, bool) or not isinstance(points, int | float) or points <= 0):
            raise DeepLinkReturnError("A lineItem needs a scoreMaximum above 0.")
        activity = DemoActivity(
            title=str(item.get("title") or "Untitled activity")[:500],
            url=str(item.get("url") or "")[:1000],
            custom_json=json.dumps(custom),
            line_item_json=json.dumps(line_item) if line_item else None,
        )
        db.session.add(activity)
        added.append((activity, line_item))
    db.session.flush()
    for activity, line_item in added:
        if line_item:  # like Moodle and Canvas: a graded placement gets its gradebook column
            db.session.add(
                DemoLineItem(
                    activity_id=activity.id,
                    label=str(line_item.get("label") or activity.title)[:500],
                    score_maximum=float(line_item["scoreMaximum"]),
                    resource_id=str(line_item.get("resourceId") or "")[:255],
                    tag=str(line_item.get("tag") or "")[:255],
                    resource_link_id=f"demo-link-{activity.id}",
                )
            )
    db.session.commit()
    return [activity for activity, _ in added]


def set_points(line_item_id: int, points: float) -> bool:
    """The instructor changes a gradebook column's points (as in Moodle's or Canvas's)."""
    item = db.session.get(DemoLineItem, line_item_id)
    if item is None or not 0 < points <= 10000:
        return False
    item.score_maximum = points
    db.session.commit()
    return True
