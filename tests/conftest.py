"""Shared fixtures: a fresh migrated database per test, the app served over real HTTP.

Every test that takes `app` gets SQLite; tests marked `both_dbs` run on PostgreSQL too
when LTI_TOOL_TEST_POSTGRES_URL points at a server (they are skipped, and say so, when not).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskCliRunner

from lti_tool import create_app
from tests.support.databases import (
    POSTGRES_ENV,
    PostgresTemplates,
    SqliteTemplates,
    postgres_admin_url,
)
from tests.support.keys import POOL as KEYS
from tests.support.live import LiveServer
from tests.support.lms import DemoLms

TEST_SECRET = "test-secret-key-that-is-long-enough-for-anything"
TEST_OUTBOUND_ALLOWLIST = "127.0.0.0/8"


def pytest_configure(config: pytest.Config) -> None:
    # The French catalogue as messages.po says now: the .mo is a build product, never committed
    # (docs/decisions/0019-translations.md), so a test run compiles it like `make install-dev`.
    # Once, in the main process, before any pytest-xdist worker starts (a worker reading the .mo
    # while another writes it would see half a catalogue).
    if hasattr(config, "workerinput"):
        return
    from babel.messages.frontend import CommandLineInterface

    from lti_tool.i18n import TRANSLATIONS_DIR

    CommandLineInterface().run(["pybabel", "--quiet", "compile", "-d", str(TRANSLATIONS_DIR)])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Longest first, so that under pytest-xdist no worker is left alone at the end with a long
    # test handed out last while the other has finished (tests/README.md, "Time"). The packaging
    # tests mostly wait (pip, subprocesses): first of all, the other worker runs the rest
    # meanwhile. Then the tests marked slow (the never-500 sweeps, the grade waves: 5-20 s each),
    # which collection order put last. The order decides nothing else: every test is isolated.
    def order(item: pytest.Item) -> tuple[bool, bool]:
        packaging = item.get_closest_marker("packaging") is not None
        return (not packaging, not packaging and item.get_closest_marker("slow") is None)

    items.sort(key=order)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames:
        backends = ["sqlite"]
        if metafunc.definition.get_closest_marker("both_dbs"):
            backends.append("postgresql")
        metafunc.parametrize("db_backend", backends, scope="function")


@pytest.fixture(autouse=True)
def rsa_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tool and the demo platform take their RSA keys from the session's pool (made once,
    by the real generator; tests/support/keys.py) instead of searching primes in every test."""
    from lti_tool.demo import platform as demo_platform
    from lti_tool.lti import keys as tool_keys

    KEYS.rewind()
    monkeypatch.setattr(tool_keys, "generate_rsa_pem", KEYS.pem)
    monkeypatch.setattr(demo_platform, "generate_rsa_pem", KEYS.pem)


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[PostgresTemplates | None]:
    url = postgres_admin_url()
    if not url:
        yield None
        return
    templates = PostgresTemplates(url)
    yield templates
    templates.close()


@pytest.fixture
def database_url(
    db_backend: str,
    sqlite_templates: SqliteTemplates,
    postgres_templates: PostgresTemplates | None,
) -> Iterator[str]:
    if db_backend == "sqlite":
        yield sqlite_templates.new_database()
        return
    if postgres_templates is None:
        pytest.skip(f"PostgreSQL not configured ({POSTGRES_ENV} unset): PostgreSQL run skipped")
    url = postgres_templates.new_database()
    yield url
    postgres_templates.drop(url)


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Builds apps served over real HTTP; call it with setting overrides."""
    servers: list[LiveServer] = []
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        server = LiveServer()
        config = {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "DATABASE_URL": database_url,
            "BASE_URL": server.url,
            "DEMO": True,
            "LOG_LEVEL": "WARNING",
            # The test platforms are servers on this machine: allowed explicitly, as a
            # deployment would allow an LMS on its private network (lti_tool/outbound/).
            "OUTBOUND_ALLOWLIST": TEST_OUTBOUND_ALLOWLIST,
        }
        config.update(overrides)
        app = create_app(config)
        app.instance_path = str(tmp_path / "instance")
        server.start(app)
        app.config["LIVE_URL"] = server.url
        servers.append(server)
        apps.append(app)
        return app

    yield build
    for server in servers:
        server.stop()
    from lti_tool.services.grades import scale

    scale.drain(30)  # readings of the LMS's points after a page (decision 0028) end before the database goes
    for app in apps:
        with app.app_context():
            from lti_tool.extensions import db

            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def make_tool_app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """``make_tool_app(**overrides)``: the tool without an HTTP server, for ``app.test_client()``."""
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app(
            {
                "ENV": "testing",
                "TESTING": True,
                "SECRET_KEY": TEST_SECRET,
                "DATABASE_URL": database_url,
                "BASE_URL": "http://tool.test",
                "LOG_LEVEL": "WARNING",
                "GRADES_DELIVER_IN_PROCESS": False,  # no platform to deliver to
                **overrides,
            }
        )
        app.instance_path = str(tmp_path / "instance")
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            from lti_tool.extensions import db

            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def tool_app(make_tool_app: Any) -> Flask:
    """The tool without an HTTP server, for ``app.test_client()`` (see ``launch_as``)."""
    return make_tool_app()


@pytest.fixture
def launch_as(tool_app: Flask) -> Any:
    """``launch_as("learner" | "instructor", sub=..., item=..., resource_link=..., ags=...)``: a
    launch recorded through the tool's services, and a test client that carries its token
    (tests/support/launch_as.py). For view and permission tests; the LTI flow itself is proven
    over real HTTP in tests/lti."""
    from tests.support.launch_as import launch

    return lambda role="learner", **options: launch(tool_app, role, **options)


class FakeClock:
    """The app's clock (lti_tool.clock), moved on by ``advance`` instead of waiting."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def install(self, app: Flask) -> FakeClock:
        from lti_tool.clock import EXTENSION_KEY

        app.extensions[EXTENSION_KEY] = self
        return self


@pytest.fixture
def clock() -> FakeClock:
    """``clock.install(app)``, then ``clock.advance(seconds)``: no wall-clock sleeps in tests."""
    return FakeClock()


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()


@pytest.fixture
def base_url(app: Flask) -> str:
    return app.config["BASE_URL"]


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def lms(app: Flask) -> DemoLms:
    """The demo LMS, driven over HTTP like a browser would."""
    return DemoLms(app.config["BASE_URL"], app.config["DEMO_URL"])


def pytest_report_header(config: pytest.Config) -> str:
    if postgres_admin_url():
        return "databases: SQLite, and PostgreSQL for tests marked both_dbs"
    return (
        f"databases: SQLite only ({POSTGRES_ENV} unset): the PostgreSQL runs of tests "
        "marked both_dbs are skipped"
    )
