"""The demo LMS's state: its registration with the tool and its activities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from lti_tool.demo.models import DemoActivity
from lti_tool.demo.platform import PlatformKeys
from lti_tool.extensions import db
from lti_tool.services import platforms as platform_service

CLIENT_ID = "p3-demo-lms"
DEPLOYMENT_ID = "1"


def issuer() -> str:
    return current_app.config["DEMO_URL"] + "/demo"


def keys() -> PlatformKeys:
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
