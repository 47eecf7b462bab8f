"""Guards that are not timings (issue 16): how many SQL statements a launch, its first page, an
autosave, a submit and the report cost. An N+1 (a query per answer, per area, per learner) or a
lookup that slipped back into every request makes these fail; speed itself is measured in
benchmarks/. Counted with a SQLAlchemy event on the app's engine, on both databases.

When a change needs one more statement on purpose, raise the budget here and say why in the
commit; docs/performance.md lists what each statement is for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from lti_tool.assessment.instrument import default_instrument
from lti_tool.extensions import db
from tests.assessment_app.conftest import login_and_token
from tests.support.independent_platform import IndependentPlatform
from tests.support.lms import LEARNERS
from tests.support.waiting import points_read

pytestmark = pytest.mark.both_dbs

# Statements per request (see docs/performance.md, "Queries per request").
# The launch POST with the page it answers: its commit's durability (PRAGMA synchronous on
# SQLite, SET LOCAL on PostgreSQL), 5 to check and record it (the platform and the login state
# in one, the course and its link in one), 2 for the overview's progress and the course's
# reading links.
LAUNCH = 8
OVERVIEW_PAGE = 3
ASSESSMENT_PAGE = 5  # + the learner's partnership group (issue 14)
AUTOSAVE = 4  # as the page sends it (its attempt named): launch, the draft's guard, answer, count
AUTOSAVE_UNNAMED = 5  # a client that names no attempt: the draft looked up first
SUBMIT = 12
REPORT = 7
# Connections a launch with its page checks out. On PostgreSQL each costs three round trips
# besides its statements (the pool's pre-ping, BEGIN, COMMIT or ROLLBACK): the page reads in the
# launch's transaction (decision 0045). SQLite commits before the page (its one write lock).
LAUNCH_CHECKOUTS = {"postgresql": 1, "sqlite": 2}


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app sends while the block runs (BEGIN/COMMIT are not statements)."""
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def explain(statements: list[str]) -> str:
    return "\n".join(f"{i + 1}. {s.split(chr(10))[0][:160]}" for i, s in enumerate(statements))


def test_a_launch_and_its_first_page_cost_a_fixed_number_of_statements(
    launch_app: Flask, platform: IndependentPlatform
) -> None:
    # The first launch fetches the key set and creates the user, course and link.
    client, token, state = login_and_token(launch_app, platform)
    assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 200

    client, token, state = login_and_token(launch_app, platform)
    with counted(launch_app) as statements:
        launched = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert launched.status_code == 200, launched.text[:300]
    # No redirect: the POST answers with the page the learner sees (decision 0026).
    page_url = launched.text.partition(' data-page-url="')[2].partition('"')[0]
    assert page_url.startswith("/app/w/"), launched.text[:300]
    assert len(statements) <= LAUNCH, explain(statements)
    # The page opened again by its own address (reload, back).
    with counted(launch_app) as statements:
        page = client.get(page_url)
    assert page.status_code == 200, page.text[:300]
    assert len(statements) <= OVERVIEW_PAGE, explain(statements)


def test_a_launch_and_its_first_page_use_one_transaction_on_postgresql(
    launch_app: Flask, platform: IndependentPlatform
) -> None:
    client, token, state = login_and_token(launch_app, platform)
    assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 200
    with launch_app.app_context():
        engine = db.engine
    checkouts: list[object] = []

    def note(_dbapi: Any, record: Any, _proxy: Any) -> None:
        checkouts.append(record)

    client, token, state = login_and_token(launch_app, platform)
    event.listen(engine, "checkout", note)
    try:
        launched = client.post("/lti/launch", data={"id_token": token, "state": state})
    finally:
        event.remove(engine, "checkout", note)
    assert launched.status_code == 200, launched.text[:300]
    assert len(checkouts) <= LAUNCH_CHECKOUTS[engine.dialect.name]


def answers() -> list[tuple[str, str]]:
    pairs = []
    for dimension in default_instrument().dimensions:
        pairs += [(s.id, "4") for s in dimension.statements]
        pairs.append(("importance:" + dimension.id, "3"))
    return pairs


def test_assessment_requests_cost_a_fixed_number_of_statements(taker: Any) -> None:
    ada = taker(LEARNERS[0])
    app = ada.app
    points_read(app)  # read after the launch's page, on another thread: not this request's
    with counted(app) as statements:
        start = ada.get("/app/assessment/")
    assert start.status_code == 200
    assert len(statements) <= ASSESSMENT_PAGE, explain(statements)
    assert ada.begin().status_code == 303
    csrf = ada.csrf()
    pairs = answers()
    for item, value in pairs[:-2]:
        assert ada.answer(item, value, csrf).status_code == 200
    # The last answers, once 43 are saved: an autosave's cost does not grow with the answers.
    with counted(app) as statements:
        saved = ada.answer(*pairs[-2], csrf=csrf)
    assert saved.status_code == 200, saved.text
    assert len(statements) <= AUTOSAVE_UNNAMED, explain(statements)
    take = ada.get("/app/assessment/take").text
    attempt = int(take.partition('name="attempt" value="')[2].partition('"')[0])
    with counted(app) as statements:
        saved = ada.answer(*pairs[-1], csrf=csrf, attempt=attempt)
    assert saved.status_code == 200 and saved.get_json()["answered"] == len(pairs), saved.text
    assert len(statements) <= AUTOSAVE, explain(statements)

    with counted(app) as statements:
        submitted = ada.client.post(
            "/app/assessment/submit", data={"lt": ada.token, "csrf_token": csrf}, follow_redirects=False
        )
    assert submitted.status_code == 303, submitted.text
    assert len(statements) <= SUBMIT, explain(statements)
    report_url = submitted.headers["Location"]
    with counted(app) as statements:
        report = ada.client.get(report_url)
    assert report.status_code == 200
    assert len(statements) <= REPORT, explain(statements)
