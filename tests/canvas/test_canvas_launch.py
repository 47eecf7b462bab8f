"""Launch and Deep Linking against the Canvas test platform: two origins, Canvas's claims, its
developer-key schema, its Deep Linking return that makes an assignment of a lineItem."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import requests
from flask import Flask

from lti_tool.extensions import db
from lti_tool.models import Launch
from tests.canvas.conftest import Canvas
from tests.support.canvas_rules import developer_key_problems
from tests.support.lms import ASSESSMENT

SESSION_2 = "p3-art-of-the-possible/session-2"


def test_the_tools_developer_key_json_passes_canvas_schema(fast_app: Flask) -> None:
    config = requests.get(fast_app.config["BASE_URL"] + "/lti/canvas.json", timeout=10).json()
    assert developer_key_problems(config) == []
    # The checks can fail: a resource link placement asked for a deep linking message.
    broken = json.loads(json.dumps(config))
    broken["extensions"][0]["settings"]["placements"][0]["placement"] = "course_navigation"
    assert developer_key_problems(broken) == ["course_navigation does not support LtiDeepLinkingRequest"]


def test_learner_launch_goes_through_the_sso_domain_and_is_recorded(canvas: Canvas) -> None:
    student = canvas.lms.person("Learner")
    page = canvas.enter(student, canvas.lms.course_navigation_link(canvas.client_id))
    assert page.status_code == 200 and "Student 001" in page.text
    assert canvas.lms.refused == []
    with canvas.app.app_context():
        launch = db.session.scalars(db.select(Launch).order_by(Launch.created_at.desc())).first()
        assert launch is not None
        assert launch.platform.issuer == "https://canvas.instructure.com"
        assert launch.deployment.deployment_id == canvas.deployment_id and ":" in canvas.deployment_id
        assert (launch.user.sub, launch.role) == (student.lti_id, "learner")
        assert launch.context.context_id == canvas.lms.course["id"]
        assert urlsplit(launch.platform.auth_login_url).hostname == "127.0.0.2"  # the SSO domain
        assert json.loads(launch.ags_json)["lineitems"].startswith(canvas.lms.school_url)
        db.session.remove()


def test_canvas_refuses_a_login_hint_that_is_not_the_signed_in_user(canvas: Canvas) -> None:
    student, other = canvas.lms.person("Learner", 0), canvas.lms.person("Learner", 1)
    link = canvas.lms.course_navigation_link(canvas.client_id)
    browser = requests.Session()
    canvas.lms.sign_in(browser, other)  # signed in as someone else than the login_hint
    auth = browser.post(
        canvas.base_url + "/lti/login", data=canvas.lms.login_params(student, link, storage=False), timeout=10
    )
    assert "login_required" in auth.text  # Canvas form-posts its error to the tool
    refused = browser.post(
        canvas.base_url + "/lti/launch",
        data={k: v for k, v in (("error", "login_required"), ("state", "x"))},
        timeout=10,
    )
    assert refused.status_code in (400, 403)


def test_deep_linking_makes_an_assignment_of_the_graded_item_only(canvas: Canvas) -> None:
    links = canvas.place([SESSION_2, ASSESSMENT], **{f"points:{ASSESSMENT}": "50"})
    by_title = {link.title: link for link in links}
    assessment = by_title["Assignment: Partnership Self-Assessment"]
    session = by_title["Session 2: The Art of Governance"]
    assert session.line_item is None  # a module item, no gradebook column
    assert assessment.line_item is not None
    item = canvas.lms.line_items[assessment.line_item]
    assert (item["scoreMaximum"], item["resourceLinkId"], item["tag"]) == (50, assessment.uuid, "p3-workshop")
    assert assessment.custom == {"p3_item": ASSESSMENT, "p3_points": "50"}
    page = canvas.enter(canvas.lms.person("Learner"), assessment)
    assert page.status_code == 200 and 'data-points="50"' in page.text
