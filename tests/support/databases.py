"""Fresh, migrated databases for each test: SQLite always, PostgreSQL when configured.

Migrations (and the demo LMS's own tables) are made once per session in a template (a file for
SQLite, a template database for PostgreSQL); each test then gets a copy, so every test starts
from the real schema.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa

POSTGRES_ENV = "LTI_TOOL_TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        return None
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def migrate(database_url: str) -> None:
    from flask_migrate import upgrade

    from lti_tool import create_app

    # A SECRET_KEY of its own: without one the app would make (and pytest-xdist workers race to
    # make) the checkout's instance/secret-key.
    secret = "migrations-only-secret-key-long-enough-for-anything"
    app = create_app({"ENV": "testing", "DATABASE_URL": database_url, "DEMO": False, "SECRET_KEY": secret})
    with app.app_context():
        upgrade()
        from lti_tool.demo.models import create_tables
        from lti_tool.extensions import db

        create_tables(db.engine)  # the demo LMS's own tables, as `flask demo setup` makes them
        db.engine.dispose()


class SqliteTemplates:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.sqlite"

    def new_database(self) -> str:
        if not self.template.exists():
            migrate("sqlite:///" + str(self.template))
        target = self.root / f"test-{uuid.uuid4().hex[:10]}.sqlite"
        shutil.copyfile(self.template, target)
        return "sqlite:///" + str(target)


class PostgresTemplates:
    def __init__(self, admin_url: str) -> None:
        # One template per test run: runs from several checkouts may share a server.
        self.TEMPLATE = f"p3_test_template_{uuid.uuid4().hex[:8]}"
        self.admin_url = admin_url
        self.engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        self.created: list[str] = []
        self._ready = False

    def _url_for(self, name: str) -> str:
        return sa.engine.make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.text(sql))

    def _prepare(self) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {self.TEMPLATE} WITH (FORCE)")
        self._execute(f"CREATE DATABASE {self.TEMPLATE}")
        migrate(self._url_for(self.TEMPLATE))
        self._ready = True

    def new_database(self) -> str:
        if not self._ready:
            self._prepare()
        name = f"p3_test_{uuid.uuid4().hex[:12]}"
        self._execute(f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE}")
        self.created.append(name)
        return self._url_for(name)

    def drop(self, url: str) -> None:
        name = sa.engine.make_url(url).database
        self._execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        for name in self.created:
            self._execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._execute(f"DROP DATABASE IF EXISTS {self.TEMPLATE} WITH (FORCE)")
        self.engine.dispose()
