"""Canvas by Dynamic Registration (issue 12): Canvas's answer names no deployment (the deployment
is made when the administrator installs the tool), so the first valid launch's deployment id is
taken and recorded (docs/decisions/0020-learned-deployments.md); LEARN_FIRST_DEPLOYMENT=0 turns
that off; the administrator area lists what was learned."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Launch, LaunchFailure, Platform
from tests.canvas.conftest import Canvas
from tests.grades.conftest import FAST
from tests.support.admin_password import cheap_hash
from tests.support.forms import first_form
from tests.test_admin import Admin

PASSWORD = "admin-password-for-canvas-tests"


@pytest.fixture
def registered(make_app: Any) -> Iterator[Canvas]:
    found = Canvas(make_app(ADMIN_PASSWORD=cheap_hash(PASSWORD), **FAST), dynamic=True)
    yield found
    found.lms.stop()


def stored(app: Flask) -> Platform:
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        platform.deployments  # noqa: B018 - loaded before the session ends
        db.session.expunge_all()
        return platform


def refusals(app: Flask) -> list[str]:
    with app.app_context():
        return [f.reason for f in db.session.scalars(select(LaunchFailure))]


def launch_status(canvas: Canvas) -> int:
    _, launched = canvas.lms.open_activity(
        canvas.lms.person("Learner"), canvas.lms.course_navigation_link(canvas.client_id)
    )
    return launched.status_code


@pytest.mark.both_dbs
def test_first_launch_after_dynamic_registration_is_accepted_and_recorded(registered: Canvas) -> None:
    page = registered.registered.text
    assert registered.client_id in page and "none yet" in page and 'id="deployment-learned-next"' in page
    assert stored(registered.app).deployment_ids == []

    deployment_id = registered.install()
    student = registered.lms.person("Learner")
    home = registered.enter(student, registered.lms.course_navigation_link(registered.client_id))
    assert home.status_code == 200 and "Student 001" in home.text
    platform = stored(registered.app)
    [deployment] = platform.deployments
    assert deployment.deployment_id == deployment_id and deployment.learned_at is not None
    with registered.app.app_context():
        launch = db.session.scalars(select(Launch)).one()
        assert launch.deployment.deployment_id == deployment_id
    # Known from now on: the next launches go through as for any deployment.
    assert launch_status(registered) == 200

    # The administrator sees it, marked as learned.
    admin = Admin(registered.app)
    dashboard = admin.login(PASSWORD)
    assert dashboard.status_code == 200
    assert 'id="learned-deployments"' in dashboard.text and deployment_id in dashboard.text
    assert "learned from its first launch" in dashboard.text

    # Installed a second time (another sub-account): that deployment is not taken on its own.
    second = registered.install()
    assert launch_status(registered) == 403
    assert stored(registered.app).deployment_ids == [deployment_id]
    assert refusals(registered.app) == ["unknown_deployment"]
    assert second != deployment_id


def test_learning_can_be_turned_off(make_app: Any) -> None:
    canvas = Canvas(make_app(LEARN_FIRST_DEPLOYMENT=False, **FAST), dynamic=True)
    try:
        assert 'id="deployment-learned-next"' not in canvas.registered.text
        canvas.install()
        assert launch_status(canvas) == 403
        assert stored(canvas.app).deployment_ids == []
        assert refusals(canvas.app) == ["unknown_deployment"]
    finally:
        canvas.lms.stop()


def test_a_platform_added_by_hand_learns_nothing(make_app: Any) -> None:
    """Only a platform that registered itself without a deployment learns one: an administrator
    who added a platform with no deployment id decided that."""
    canvas = Canvas(make_app(**FAST))
    try:
        with canvas.app.app_context():
            platform = db.session.scalars(select(Platform)).one()
            platform.deployments = []
            db.session.commit()
        assert launch_status(canvas) == 403
        assert stored(canvas.app).deployment_ids == []
    finally:
        canvas.lms.stop()


@pytest.mark.both_dbs
def test_two_first_launches_from_different_deployments_learn_one(registered: Canvas) -> None:
    """Installed twice before anyone launched, two learners launching at the same moment: one
    deployment is learned, the other launch is refused."""
    prepared = []
    for n in range(2):
        registered.install()  # a new deployment for the next launch's claims
        who = registered.lms.person("Learner", n)
        browser = requests.Session()
        registered.lms.sign_in(browser, who)
        params = registered.lms.login_params(
            who, registered.lms.course_navigation_link(registered.client_id), storage=False
        )
        auth = browser.post(registered.base_url + "/lti/login", data=params, timeout=10)
        form = first_form(auth.text, auth.url)
        prepared.append((browser, form.action, form.fields, params["lti_deployment_id"]))

    def post(item: tuple[requests.Session, str, dict[str, str], str]) -> int:
        browser, action, fields, _ = item
        return browser.post(action, data=fields, allow_redirects=False, timeout=10).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(post, prepared))
    assert sorted(statuses) == [200, 403], statuses
    winner = prepared[statuses.index(200)][3]
    assert stored(registered.app).deployment_ids == [winner]
