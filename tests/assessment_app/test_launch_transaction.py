"""The launch and its first page share one transaction on PostgreSQL (decision 0045): a page
that fails leaves neither a launch nor a consumed state behind, and the same launch can enter
once the page works; a second use of the state is still refused."""

from __future__ import annotations

import pytest
from flask import Flask, abort
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import Launch
from lti_tool.models.launch import OidcState
from tests.assessment_app.conftest import login_and_token
from tests.support.independent_platform import IndependentPlatform

pytestmark = pytest.mark.both_dbs


def _recorded(app: Flask, state: str) -> tuple[int, bool]:
    with app.app_context():
        launches = db.session.scalar(select(func.count()).select_from(Launch))
        used = db.session.scalar(select(OidcState.used_at).where(OidcState.state == state)) is not None
        return int(launches or 0), used


def test_a_launch_whose_page_fails_is_not_half_recorded(
    launch_app: Flask, platform: IndependentPlatform
) -> None:
    client, token, state = login_and_token(launch_app, platform)
    overview = launch_app.view_functions["pages.overview"]

    def failing(**_values: object) -> str:  # a page that fails after the launch's writes
        abort(503)

    launch_app.view_functions["pages.overview"] = failing
    try:
        failed = client.post("/lti/launch", data={"id_token": token, "state": state})
    finally:
        launch_app.view_functions["pages.overview"] = overview
    assert failed.status_code == 503
    launches, used = _recorded(launch_app, state)
    with launch_app.app_context():
        one_writer = db.engine.dialect.name == "sqlite"
    if one_writer:  # SQLite commits before the page: the launch is whole, its state used
        assert (launches, used) == (1, True)
        return
    assert (launches, used) == (0, False)  # all or nothing: no launch, the state unused
    entered = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert entered.status_code == 200, entered.text[:300]
    assert _recorded(launch_app, state) == (1, True)
    again = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert again.status_code >= 400  # the state's single use holds
    assert _recorded(launch_app, state) == (1, True)
