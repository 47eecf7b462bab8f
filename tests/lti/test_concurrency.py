"""Launches at the same moment: a state is single use even when posted several times at once,
and simultaneous first launches into a new course all succeed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import CourseContext, Launch, LtiUser, ResourceLink
from tests.lti.conftest import Flow

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


@pytest.mark.both_dbs
def test_concurrent_replays_launch_exactly_once(flow: Flow) -> None:
    state, nonce = flow.login()
    token = flow.good_token(nonce)

    def post(_: int) -> int:
        return flow.launch(token, state, browser=requests.Session()).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(post, range(6)))
    assert statuses.count(200) == 1, statuses
    assert all(s == 403 for s in statuses if s != 200), statuses


@pytest.mark.both_dbs
def test_a_class_opening_a_new_activity_at_once_all_get_in(app: Flask, flow: Flow) -> None:
    """The first launches into a new course and link, at the same moment (a teacher says
    "open it now"), and the same learner in two tabs: everyone lands, and each course, link and
    user is recorded once."""
    subs = [f"learner-{n}" for n in range(10)] + ["learner-0"]  # learner-0 twice
    prepared = []
    for sub in subs:
        flow.browser = requests.Session()
        state, nonce = flow.login(login_hint=sub)
        prepared.append(
            (
                flow.browser,
                flow.good_token(
                    nonce,
                    sub=sub,
                    **{
                        LTI + "context": {"id": "new-course", "title": f"New course ({sub})"},
                        LTI + "resource_link": {"id": "new-link", "title": "Open it now"},
                    },
                ),
                state,
            )
        )

    def post(item: tuple[requests.Session, str, str]) -> int:
        browser, token, state = item
        return flow.launch(token, state, browser=browser).status_code

    with ThreadPoolExecutor(max_workers=len(prepared)) as pool:
        statuses = list(pool.map(post, prepared))
    assert statuses == [200] * len(prepared)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CourseContext)) == 1
        assert db.session.scalar(select(func.count()).select_from(ResourceLink)) == 1
        assert db.session.scalar(select(func.count()).select_from(LtiUser)) == 10
        assert db.session.scalar(select(func.count()).select_from(Launch)) == 11
