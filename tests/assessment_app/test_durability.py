"""Which commits wait for the disk (decisions 0024 and 0025): a launch's does not; answers, a
submission and everything else do. Read from the connection itself at each COMMIT (SQLite's
``PRAGMA synchronous``, PostgreSQL's ``synchronous_commit``), on a file database and on
PostgreSQL. Speed is measured in benchmarks/, not here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, has_request_context, request
from sqlalchemy import event, text

from lti_tool.extensions import db
from tests.assessment_app.conftest import login_and_token
from tests.assessment_app.test_query_counts import answers
from tests.support.independent_platform import IndependentPlatform
from tests.support.lms import LEARNERS

pytestmark = pytest.mark.both_dbs
SQLITE_LEVELS = {0: "off", 1: "normal", 2: "full", 3: "extra"}


def _durability(connection: Any) -> str:
    cursor = connection.connection.dbapi_connection.cursor()  # raw: not a statement of the app's
    try:
        if connection.dialect.name == "sqlite":
            cursor.execute("PRAGMA synchronous")
            return SQLITE_LEVELS[cursor.fetchone()[0]]
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])
    finally:
        cursor.close()


@contextmanager
def commits(app: Flask) -> Iterator[list[tuple[str, str]]]:
    """(request path, the connection's durability) of each COMMIT while the block runs."""
    seen: list[tuple[str, str]] = []

    def note(connection: Any) -> None:
        seen.append((request.path if has_request_context() else "", _durability(connection)))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", note)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", note)


def durable(app: Flask) -> str:
    with app.app_context():
        return "full" if db.engine.dialect.name == "sqlite" else "on"


def relaxed(app: Flask) -> str:
    with app.app_context():
        return "normal" if db.engine.dialect.name == "sqlite" else "off"


def test_sqlite_runs_in_wal_mode(launch_app: Flask) -> None:
    with launch_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        assert db.engine.url.database  # a file, not :memory: (which has no WAL)
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_a_launch_commits_without_waiting_for_the_disk_and_its_page_durably(
    launch_app: Flask, platform: IndependentPlatform
) -> None:
    # The first launch fetches the key set: it commits and waits for the network in between,
    # so that launch's own commit is durable (rare: a key set is cached for hours).
    client, token, state = login_and_token(launch_app, platform)
    assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code in (200, 303)
    client, token, state = login_and_token(launch_app, platform)
    with commits(launch_app) as seen:
        launched = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert launched.status_code in (200, 303), launched.text[:300]
    assert [level for path, level in seen if path == "/lti/launch"] == [relaxed(launch_app)], seen
    # The connection went back to the pool durable again: the next requests' commits wait.
    with commits(launch_app) as seen, launch_app.app_context():
        db.session.execute(text("SELECT 1"))
        assert _durability(db.session.connection()) == durable(launch_app)
        db.session.commit()
    assert seen and {level for _, level in seen} == {durable(launch_app)}


def test_answers_and_a_submission_commit_durably(taker: Any) -> None:
    ada = taker(LEARNERS[0])
    assert ada.begin().status_code == 303
    csrf = ada.csrf()
    with commits(ada.app) as seen:
        for item, value in answers():
            assert ada.answer(item, value, csrf).status_code == 200
        submitted = ada.client.post("/app/assessment/submit", data={"lt": ada.token, "csrf_token": csrf})
        assert submitted.status_code == 303, submitted.text[:300]
    paths = {path for path, _ in seen}
    assert {"/app/assessment/answer", "/app/assessment/submit"} <= paths
    assert {level for _, level in seen} == {durable(ada.app)}, seen
