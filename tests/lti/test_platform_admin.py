"""The platform CLI, roles, tool keys and the platform key set cache."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti.roles import tool_role
from lti_tool.models import Platform, ToolKey
from lti_tool.models.base import utcnow
from tests.lti.conftest import Flow
from tests.support.independent_platform import IndependentPlatform
from tests.support.platform_admin import add_by_cli

ADD = [
    "platform",
    "add",
    "--issuer",
    "https://canvas.example",
    "--auth-login-url",
    "https://canvas.example/auth",
    "--auth-token-url",
    "https://canvas.example/token",
    "--key-set-url",
    "https://canvas.example/jwks",
]


def test_platform_add_list_show_remove(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[*ADD, "--client-id", "100", "--deployment-id", "d1", "--deployment-id", "d2"]
    )
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["platform", "list"]).output
    assert "https://canvas.example" in listing and "d1,d2" in listing
    shown = json.loads(runner.invoke(args=["platform", "show", "1"]).output)
    assert shown["client_id"] == "100" and shown["deployment_ids"] == ["d1", "d2"]
    assert runner.invoke(args=["platform", "remove", "1", "--yes"]).exit_code == 0
    assert "No platforms" in runner.invoke(args=["platform", "list"]).output


def test_shared_issuer_with_several_client_ids(runner: FlaskCliRunner, app: Flask) -> None:
    for client in ("100", "200"):
        assert runner.invoke(args=[*ADD, "--client-id", client]).exit_code == 0
    duplicate = runner.invoke(args=[*ADD, "--client-id", "200"])
    assert duplicate.exit_code == 2 and "--client-id" in duplicate.output
    with app.app_context():
        assert db.session.query(Platform).count() == 2


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--key-set-url", "not a url", "--key-set-url"),
        ("--auth-login-url", "ftp://x.example/auth", "--auth-login-url"),
    ],
)
def test_platform_add_names_the_bad_field(
    runner: FlaskCliRunner, option: str, value: str, named: str
) -> None:
    args = [*ADD, "--client-id", "1"]
    args[args.index(option) + 1] = value
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert named in result.output


def test_show_unknown_platform(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["platform", "show", "99"])
    assert result.exit_code == 2 and "no platform" in result.output


def test_canvas_style_shared_issuer_launches_with_either_client(
    make_app,
    runner: FlaskCliRunner,
    platform: IndependentPlatform,  # type: ignore[no-untyped-def]
) -> None:
    app = make_app()
    for client in ("client-a", "client-b"):
        add_by_cli(app, platform.registration(), client_id=client)
    for client in ("client-a", "client-b"):
        platform.client_id = client
        flow = Flow(app.config["BASE_URL"], platform)
        state, nonce = flow.login()
        assert flow.launch(flow.good_token(nonce), state).status_code == 200


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], "instructor"),
        (["Instructor"], "instructor"),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"], "instructor"),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"], "instructor"),
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], "instructor"),
        (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], "instructor"),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], "learner"),
        (["Learner", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"], "learner"),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], "learner"),
        ([], "learner"),
    ],
)
def test_role_mapping(roles: list[str], expected: str) -> None:
    assert tool_role(roles) == expected


def test_key_rotation_keeps_old_key_published(app: Flask, runner: FlaskCliRunner, base_url: str) -> None:
    first = requests.get(base_url + "/lti/jwks", timeout=5).json()["keys"]
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "New signing key" in result.output
    after = requests.get(base_url + "/lti/jwks", timeout=5).json()["keys"]
    assert {k["kid"] for k in after} == {first[0]["kid"], after[0]["kid"]}
    assert after[0]["kid"] != first[0]["kid"]  # the new key is listed first and signs
    with app.app_context():
        old = db.session.query(ToolKey).filter_by(kid=first[0]["kid"]).one()
        assert not old.active
        old.published_until = utcnow() - timedelta(seconds=1)  # the overlap has passed
        db.session.commit()
    final = requests.get(base_url + "/lti/jwks", timeout=5).json()["keys"]
    assert [k["kid"] for k in final] == [after[0]["kid"]]


def test_private_keys_are_encrypted_at_rest(app: Flask, base_url: str) -> None:
    requests.get(base_url + "/lti/jwks", timeout=5)
    with app.app_context():
        key = db.session.query(ToolKey).one()
        assert "PRIVATE KEY" not in key.private_key_encrypted


def test_key_set_is_cached_across_launches(flow: Flow) -> None:
    for _ in range(3):
        state, nonce = flow.login()
        assert flow.launch(flow.good_token(nonce), state).status_code == 200
    assert flow.platform.jwks_requests == 1


def test_unknown_kid_refetches_once(flow: Flow, app: Flask) -> None:
    state, nonce = flow.login()
    assert flow.launch(flow.good_token(nonce), state).status_code == 200
    new_kid = flow.platform.add_key()  # the platform rotates its keys
    with app.app_context():  # our cached copy is older than the refetch throttle
        platform = db.session.query(Platform).one()
        platform.keyset_fetched_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    state, nonce = flow.login()
    token = flow.platform.sign(flow.platform.claims(nonce, flow.target), kid=new_kid)
    assert flow.launch(token, state).status_code == 200
    assert flow.platform.jwks_requests == 2
    state, nonce = flow.login()
    token = flow.platform.sign(
        flow.platform.claims(nonce, flow.target), kid="never-published", key=flow.platform.keys[new_kid]
    )
    response = flow.launch(token, state)
    assert response.status_code == 400 and "unknown_kid" in response.text
    assert flow.platform.jwks_requests == 2  # throttled: no fetch storm from made-up kids


def test_key_set_respects_max_age(flow: Flow, app: Flask) -> None:
    """max-age=0 is honoured, but never below the refetch limit (10 s): two launches in a row
    make one fetch; once the copy is older than that, the next launch fetches again."""
    flow.platform.cache_control = "max-age=0"
    for _ in range(2):
        state, nonce = flow.login()
        assert flow.launch(flow.good_token(nonce), state).status_code == 200
    assert flow.platform.jwks_requests == 1
    with app.app_context():
        platform = db.session.query(Platform).one()
        platform.keyset_fetched_at = platform.keyset_expires_at = utcnow() - timedelta(seconds=11)
        db.session.commit()
    state, nonce = flow.login()
    assert flow.launch(flow.good_token(nonce), state).status_code == 200
    assert flow.platform.jwks_requests == 2


def test_cleanup_removes_expired_login_states(flow: Flow, app: Flask, runner: FlaskCliRunner) -> None:
    from lti_tool.models import OidcState

    old_state, _ = flow.login()
    fresh_state, _ = flow.login()
    with app.app_context():
        db.session.get(OidcState, old_state).expires_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    assert "Removed 1" in runner.invoke(args=["cleanup"]).output
    with app.app_context():
        assert db.session.get(OidcState, old_state) is None
        assert db.session.get(OidcState, fresh_state) is not None


def test_cleanup_removes_launch_records_past_their_retention(
    flow: Flow, app: Flask, runner: FlaskCliRunner
) -> None:
    from lti_tool.models import Launch, LaunchFailure

    for _ in range(2):
        state, nonce = flow.login()
        assert flow.launch(flow.good_token(nonce), state).status_code == 200
    flow.launch("not a token", "no-such-state")  # one refusal
    with app.app_context():
        old, recent = db.session.scalars(select(Launch).order_by(Launch.created_at)).all()
        old.created_at = utcnow() - timedelta(days=31)
        db.session.scalars(select(LaunchFailure)).one().created_at = utcnow() - timedelta(days=91)
        db.session.commit()
        old_id, recent_id = old.id, recent.id
    output = runner.invoke(args=["cleanup"]).output
    assert "Removed 1 launch record(s) and 1 refused launch record(s)" in output
    with app.app_context():
        assert [launch.id for launch in db.session.scalars(select(Launch))] == [recent_id]
        assert db.session.get(Launch, old_id) is None
        assert db.session.scalars(select(LaunchFailure)).all() == []
