"""The schema exists only through Alembic migrations, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from lti_tool import create_app
from lti_tool.extensions import db


@pytest.mark.both_dbs
def test_migrations_match_models_and_downgrade_cleanly(database_url: str) -> None:
    app = create_app({"ENV": "testing", "DATABASE_URL": database_url})
    with app.app_context():
        upgrade()  # already at head: a no-op that must not fail
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert "launch" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
