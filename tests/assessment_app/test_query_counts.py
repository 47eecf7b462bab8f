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
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import event

from lti_tool import create_app
from lti_tool.assessment.instrument import default_instrument
from lti_tool.extensions import db
from tests.conftest import TEST_OUTBOUND_ALLOWLIST, TEST_SECRET
from tests.support.independent_platform import IndependentPlatform
from tests.support.lms import LEARNERS

pytestmark = pytest.mark.both_dbs
BASE = "http://tool.test"

# Statements per request (see docs/performance.md, "Queries per request").
LAUNCH_POST = 8  # with its commit's durability: PRAGMA synchronous (SQLite) / SET LOCAL (PostgreSQL)
FIRST_PAGE = 3
ASSESSMENT_PAGE = 5  # + the learner's partnership group (issue 14)
AUTOSAVE = 5
SUBMIT = 12
REPORT = 7


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


@pytest.fixture
def launch_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The tool behind the test client, allowed to fetch the independent platform's key set."""
    app = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "DATABASE_URL": database_url,
            "BASE_URL": BASE,
            "LOG_LEVEL": "WARNING",
            "OUTBOUND_ALLOWLIST": TEST_OUTBOUND_ALLOWLIST,
            "GRADES_DELIVER_IN_PROCESS": False,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def platform(launch_app: Flask) -> Iterator[IndependentPlatform]:
    independent = IndependentPlatform()
    reg = independent.registration()
    args = ["platform", "add"]
    for option in ("issuer", "client_id", "deployment_id", "auth_login_url", "auth_token_url", "key_set_url"):
        args += ["--" + option.replace("_", "-"), reg[option]]
    result = launch_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    yield independent
    independent.stop()


def login_and_token(app: Flask, platform: IndependentPlatform, **claims: Any) -> tuple[Any, str, str]:
    """A browser (test client) that went through the login; the signed id_token and its state."""
    client = app.test_client()
    target = BASE + "/lti/launch"
    login = client.post(
        "/lti/login",
        data={
            "iss": platform.issuer,
            "login_hint": "u",
            "target_link_uri": target,
            "client_id": platform.client_id,
        },
    )
    assert login.status_code == 302, login.text
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    return client, platform.sign(platform.claims(query["nonce"][0], target, **claims)), query["state"][0]


def test_a_launch_and_its_first_page_cost_a_fixed_number_of_statements(
    launch_app: Flask, platform: IndependentPlatform
) -> None:
    # The first launch fetches the key set and creates the user, course and link.
    client, token, state = login_and_token(launch_app, platform)
    assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 303

    client, token, state = login_and_token(launch_app, platform)
    with counted(launch_app) as statements:
        launched = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert launched.status_code == 303, launched.text
    assert len(statements) <= LAUNCH_POST, explain(statements)
    # One redirect: the POST names the page the learner sees, which answers it at once.
    assert urlsplit(launched.headers["Location"]).path.startswith("/app/w/")
    with counted(launch_app) as statements:
        page = client.get(launched.headers["Location"])
    assert page.status_code == 200, page.text[:300]
    assert len(statements) <= FIRST_PAGE, explain(statements)


def answers() -> list[tuple[str, str]]:
    pairs = []
    for dimension in default_instrument().dimensions:
        pairs += [(s.id, "4") for s in dimension.statements]
        pairs.append(("importance:" + dimension.id, "3"))
    return pairs


def test_assessment_requests_cost_a_fixed_number_of_statements(taker: Any) -> None:
    ada = taker(LEARNERS[0])
    app = ada.app
    with counted(app) as statements:
        start = ada.get("/app/assessment/")
    assert start.status_code == 200
    assert len(statements) <= ASSESSMENT_PAGE, explain(statements)
    assert ada.begin().status_code == 303
    csrf = ada.csrf()
    pairs = answers()
    for item, value in pairs[:-1]:
        assert ada.answer(item, value, csrf).status_code == 200
    # The last answer, once 44 are saved: an autosave's cost does not grow with the answers.
    with counted(app) as statements:
        saved = ada.answer(*pairs[-1], csrf=csrf)
    assert saved.status_code == 200, saved.text
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
