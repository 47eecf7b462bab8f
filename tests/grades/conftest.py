"""Grade passback fixtures: submitting a grade the way a graded activity does."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from flask import Flask

from lti_tool.extensions import db
from lti_tool.lti.session import read_token
from lti_tool.models import Grade, Launch
from lti_tool.services import grades as grade_service
from lti_tool.signals import activity_graded
from tests.support.lms import DemoLms
from tests.support.platform_admin import add_to_tool

FAST = {"GRADES_BACKOFF_BASE": 0.05, "GRADES_BACKOFF_MAX": 0.3, "GRADES_POLL_SECONDS": 0.1, "HTTP_TIMEOUT": 5}


def launch_id_of(app: Flask, page: requests.Response) -> str:
    with app.test_request_context():
        return read_token(DemoLms.token_of(page)).id


def submit(
    app: Flask,
    launch_id: str,
    score: float,
    maximum: float = 10.0,
    comment: str = "Well done",
    source_ref: str = "attempt:1",
) -> None:
    """What the assessment does: the signal inside its own transaction, then commit."""
    with app.app_context():
        launch = db.session.get(Launch, launch_id)
        activity_graded.send(
            app,
            launch=launch,
            score_given=score,
            score_maximum=maximum,
            comment=comment,
            source_ref=source_ref,
        )
        db.session.commit()
        db.session.remove()


def grades(app: Flask) -> list[Grade]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(Grade).order_by(Grade.id)))
        db.session.remove()
        return rows


def settle(app: Flask, timeout: float = 60) -> None:
    assert grade_service.pump(app).wait_idle(timeout), "delivery thread still busy"


@pytest.fixture
def fast_app(make_app: Any) -> Flask:
    return make_app(**FAST)


def register(app: Flask, platform: Any) -> None:
    platform.tool_jwks_url = app.config["BASE_URL"] + "/lti/jwks"
    add_to_tool(app, platform.registration())


def record_launches(
    app: Flask,
    platform: Any,
    subs: list[str],
    ags: dict[str, Any] | None,
    nrps_url: str | None = None,
    role: str = "Learner",
    more: dict[str, Any] | None = None,
) -> list[str]:
    """Launches of the platform's users, recorded by the tool's own launch service (the id_token
    checks are covered by tests/lti; here only the records matter). ``more``: other claims (another
    course's context and resource link)."""
    from lti_tool.lti import claims as C
    from lti_tool.lti.launch import ValidatedLaunch
    from lti_tool.services import platforms as platform_service
    from lti_tool.services.launches import record_launch

    ids = []
    with app.app_context():
        row = platform_service.get_platform(platform.issuer, platform.client_id)
        for sub in subs:
            extra: dict[str, Any] = {
                "sub": sub,
                "name": f"Learner {sub}",
                C.ROLES: [f"http://purl.imsglobal.org/vocab/lis/v2/membership#{role}"],
            }
            if ags is not None:
                extra[C.AGS] = ags
            extra.update(more or {})
            if nrps_url:
                extra[C.NRPS] = {"context_memberships_url": nrps_url, "service_versions": ["2.0"]}
            claims = platform.claims("nonce", app.config["BASE_URL"] + "/lti/launch", **extra)
            launch = record_launch(
                ValidatedLaunch(
                    claims,
                    row,
                    row.deployments[0],
                    None,  # type: ignore[arg-type]
                    False,
                )
            )
            ids.append(launch.id)
        db.session.remove()
    return ids


@pytest.fixture
def ags_platform() -> Any:
    from tests.support.ags_platform import AgsPlatform

    platform = AgsPlatform()
    yield platform
    platform.stop()
