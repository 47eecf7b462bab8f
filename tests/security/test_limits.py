"""Finding 5 (no request body limit) and the unbounded storage of finding 9 (each anonymous login
stored ~6 KB, each refusal a row)."""

from __future__ import annotations

import json

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import LaunchFailure, OidcState
from tests.assessment_app.conftest import ASSESSMENT_TITLE
from tests.lti.conftest import Flow
from tests.support.lms import INSTRUCTOR, LEARNERS, DemoLms

MB = 1_000_000


def test_a_huge_anonymous_post_is_refused_with_a_413_page(base_url: str) -> None:
    answer = requests.post(base_url + "/lti/login", data={"iss": "x" * (2 * MB)}, timeout=30)
    assert answer.status_code == 413
    assert "text/html" in answer.headers["Content-Type"] and "Too large" in answer.text


def test_a_huge_json_answer_is_refused_with_a_413_json(lms: DemoLms, base_url: str) -> None:
    _, page = lms.launch(LEARNERS[0])
    token = lms.token_of(page)
    answer = requests.post(
        base_url + "/app/assessment/answer",
        data=json.dumps({"item": "x", "value": "y" * (2 * MB)}),
        headers={"Content-Type": "application/json", "X-Launch-Token": token},
        timeout=30,
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "request_entity_too_large"


def test_the_activity_settings_form_has_its_own_larger_limit(lms: DemoLms, base_url: str) -> None:
    lms.add_content(["partnership-assessment"])
    _, page = lms.launch(INSTRUCTOR, lms.activities()[ASSESSMENT_TITLE])
    token = lms.token_of(page)
    form = requests.get(base_url + "/app/assessment/settings", params={"lt": token}, timeout=10).text
    csrf = form.split('name="csrf_token" value="')[1].split('"')[0]

    def upload(size: int) -> requests.Response:
        return requests.post(
            base_url + "/app/assessment/settings",
            params={"lt": token},
            data={"csrf_token": csrf, "catalogues": ["workshop", "uploaded"]},
            files={"catalogue.uploaded.file": ("big.csv", b"a" * size, "text/csv")},
            timeout=30,
        )

    assert upload(int(1.5 * MB)).status_code != 413  # over the general limit, within its own
    assert upload(3 * MB).status_code == 413


def test_overlong_login_parameters_are_refused_not_stored(flow: Flow, app: Flask) -> None:
    response = flow.browser.post(
        flow.base_url + "/lti/login",
        data={
            "iss": flow.platform.issuer,
            "client_id": flow.platform.client_id,
            "target_link_uri": flow.target,
            "login_hint": "h" * 5000,
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 400 and "login_parameter_too_long" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OidcState)) == 0


def test_a_login_stores_only_what_its_launch_needs(flow: Flow, app: Flask) -> None:
    state, _ = flow.login(lti_message_hint="m" * 2000)
    with app.app_context():
        row = db.session.get(OidcState, state)
        kept = json.loads(row.login_params_json)
    assert set(kept) <= {"login_hint", "lti_message_hint", "lti_deployment_id"}
    assert len(row.login_params_json) + len(row.target_link_uri) < 4500


def test_refusal_records_are_capped(app: Flask, base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from lti_tool.services import launches

    monkeypatch.setattr(launches, "MAX_FAILURE_ROWS", 20)
    monkeypatch.setattr(launches, "PRUNE_EVERY", 5)
    for i in range(60):
        answer = requests.post(
            base_url + "/lti/login",
            data={"iss": f"https://nobody-{i}.example", "login_hint": "x", "target_link_uri": base_url},
            timeout=10,
        )
        assert answer.status_code == 403
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(LaunchFailure))
        newest = db.session.scalars(select(LaunchFailure).order_by(LaunchFailure.id.desc())).first()
    assert rows <= 25
    assert newest is not None and newest.issuer == "https://nobody-59.example"
