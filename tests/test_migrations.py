"""The schema exists only through Alembic migrations, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from lti_tool import create_app, migration_include_name
from lti_tool.demo.models import DemoBase, create_tables
from lti_tool.extensions import db

DEMO_TABLES = {"demo_activity", "demo_line_item", "demo_score"}


class _Said(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.getMessage()))


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


@pytest.mark.both_dbs
def test_migrations_match_models_and_downgrade_cleanly(database_url: str) -> None:
    app = create_app({"ENV": "testing", "DATABASE_URL": database_url})
    with app.app_context():
        upgrade()  # already at head: a no-op that must not fail
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": migration_include_name})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(revision="base")
        assert _tables() - DEMO_TABLES == set()
        upgrade()
        assert "launch" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


@pytest.mark.both_dbs
def test_area_totals_are_backfilled_for_attempts_submitted_before_0011(database_url: str) -> None:
    """Attempts submitted before the class view's totals existed get them from their answers."""
    app = create_app({"ENV": "testing", "DATABASE_URL": database_url})
    now = datetime(2026, 1, 5)
    with app.app_context():
        downgrade(revision="0010")
        with db.engine.begin() as conn:

            def insert(table: str, **values: object) -> None:
                conn.execute(sa.Table(table, sa.MetaData(), autoload_with=conn).insert().values(**values))

            insert("platform", id=1, name="", issuer="i", client_id="c", auth_login_url="a",
                   auth_token_url="t", key_set_url="k", enabled=True, created_at=now)  # fmt: skip
            insert("deployment", id=1, platform_id=1, deployment_id="d", created_at=now)
            insert("course_context", id=1, platform_id=1, deployment_pk=1, context_id="c", title="", label="")
            insert("resource_link", id=1, context_pk=1, resource_link_id="r", title="")
            insert("lti_user", id=1, platform_id=1, sub="s", name="", email="", updated_at=now)
            for attempt, status in ((1, "submitted"), (2, "draft")):
                insert("assessment_attempt", id=attempt, resource_link_pk=1, user_pk=1, launch_id="l",
                       number=attempt, instrument_id="partnership-assessment", instrument_version=1,
                       partnership_name="", status=status, created_at=now, updated_at=now)  # fmt: skip
                for item, value in (
                    ("trust-1", "2"),
                    ("trust-2", "na"),
                    ("trust-3", "5"),
                    ("importance:trust", "4"),
                ):
                    insert("assessment_answer", attempt_id=attempt, item=item, value=value, saved_at=now)
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT attempt_id, resource_link_pk, dimension_id, total, rated, importance "
                    "FROM assessment_area_total"
                )
            ).all()
        assert [tuple(r) for r in rows] == [(1, 1, "trust", 7, 2, 4)]  # 2 + 5, "na" left out; no draft


@pytest.mark.both_dbs
def test_the_production_schema_has_no_demo_tables(database_url: str) -> None:
    app = create_app({"ENV": "testing", "DATABASE_URL": database_url})
    with app.app_context():
        DemoBase.metadata.drop_all(db.engine)  # the test template holds them (flask demo setup)
        downgrade(revision="base")
        upgrade()
        assert "worker_heartbeat" in _tables() and not _tables() & DEMO_TABLES
        db.engine.dispose()


@pytest.mark.both_dbs
def test_an_existing_installs_empty_demo_tables_are_dropped_and_used_ones_kept(database_url: str) -> None:
    app = create_app({"ENV": "testing", "DATABASE_URL": database_url})
    with app.app_context():
        downgrade(revision="0008")  # an install made before the demo left the schema
        create_tables(db.engine)
        upgrade()
        assert not _tables() & DEMO_TABLES  # empty: dropped

        downgrade(revision="0008")
        create_tables(db.engine)
        with db.engine.begin() as conn:
            conn.execute(
                sa.insert(DemoBase.metadata.tables["demo_activity"]).values(
                    title="A", url="", custom_json="{}", created_at=datetime(2026, 1, 1)
                )
            )
        said = _Said()
        # On this logger itself: env.py's fileConfig replaces the root logger's handlers.
        logging.getLogger("lti_tool.migrations").addHandler(said)
        try:
            upgrade()
        finally:
            logging.getLogger("lti_tool.migrations").removeHandler(said)
        assert _tables() >= DEMO_TABLES  # holds data: kept, and said so
        warning = next(m for level, m in said.lines if level == logging.WARNING)
        assert "Kept the demo LMS's tables" in warning and "demo_activity (1 rows)" in warning
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT title FROM demo_activity")).scalar_one() == "A"
        db.engine.dispose()


@pytest.mark.both_dbs
def test_a_platform_disabled_before_0019_keeps_its_sessions_ended_once_enabled(database_url: str) -> None:
    """Its launches' sessions ended with the disable: the session epochs start apart (1 and 0)."""
    app = create_app({"ENV": "testing", "DATABASE_URL": database_url})
    now = datetime(2026, 1, 5)
    with app.app_context():
        downgrade(revision="0018")
        with db.engine.begin() as conn:
            platform = sa.Table("platform", sa.MetaData(), autoload_with=conn)
            for number, enabled in ((1, True), (2, False)):
                values = dict(name="", issuer="i", auth_login_url="a", auth_token_url="t", key_set_url="k")
                conn.execute(
                    platform.insert().values(
                        id=number, client_id=f"c{number}", enabled=enabled, created_at=now, **values
                    )
                )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, session_epoch FROM platform ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, 0), (2, 1)]  # launches are made at epoch 0
        db.engine.dispose()
