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
