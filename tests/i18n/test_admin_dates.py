"""The administrator's dates are written like every other page's (the learner's walk, 2026-12-03):
/admin showed raw timestamps ("2026-12-02 21:30") where the gradebook says "2 Dec 2026, 9:30 PM UTC"
/ "le 2 déc. 2026 à 21 h 30 UTC" through `lti_tool.i18n.date_time`."""

from __future__ import annotations

import html
import re
from datetime import datetime

from flask import Flask

from lti_tool.extensions import db
from lti_tool.models import Deployment, LaunchFailure, Platform
from tests.i18n.test_admin_french import admin_app, french_admin  # noqa: F401 - a fixture
from tests.support.grades import text_of
from tests.test_admin import Admin

WHEN = datetime(2026, 12, 2, 21, 30, 5)
RAW = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")  # 2026-12-02 21:30


def _seed(app: Flask) -> None:
    with app.app_context():
        platform = Platform(
            issuer="https://canvas.example",
            client_id="c1",
            name="Canvas",
            auth_login_url="https://canvas.example/login",
            auth_token_url="https://canvas.example/token",
            key_set_url="https://canvas.example/jwks",
        )
        db.session.add(platform)
        db.session.flush()
        db.session.add(Deployment(platform_id=platform.id, deployment_id="d-1", learned_at=WHEN))
        db.session.add(
            LaunchFailure(
                created_at=WHEN, issuer="https://canvas.example", client_id="c1", reason="bad_signature"
            )
        )
        db.session.commit()


# text_of reads a no-break space as a space: the dates are compared with plain spaces.
def _dashboard(admin: Admin) -> str:
    assert admin.login().status_code == 200
    admin.browser.get(admin.base + "/lti/jwks", timeout=5)  # the first key
    admin.post("/admin/links", label="Moodle")
    assert admin.post("/admin/keys/rotate", confirm="rotate").status_code == 200
    return text_of(html.unescape(admin.get("/admin/").text))


def test_the_administrator_s_dates_are_localised_with_utc_named(admin_app: Flask) -> None:  # noqa: F811
    _seed(admin_app)
    french = _dashboard(french_admin(admin_app))
    assert RAW.findall(french) == [], french
    assert "(tiré de son premier lancement, le 2 déc. 2026 à 21 h 30 UTC)" in french
    assert "le 2 déc. 2026 à 21 h 30 UTC" in french.split("Lancements et inscriptions refusés récemment")[1]

    english = Admin(admin_app)
    english.browser.headers["Accept-Language"] = "en-CA"
    page = _dashboard(english)
    assert RAW.findall(page) == [], page
    assert "(learned from its first launch, 2 Dec 2026, 9:30 PM UTC)" in page
    assert "published until" in page and "UTC UTC" not in page
