"""Database engine settings that SQLite needs to behave like a server database."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event

from lti_tool.extensions import RELAXED_SYNC, db


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers work while a writer commits (the grade worker, autosave), across the
    # processes of one host (gunicorn workers, grade workers).
    cursor.execute("PRAGMA journal_mode=WAL")
    # Every commit waits for the disk, except a launch's (services.sql.relax_durability).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _full_sync_again(dbapi_connection: Any, record: Any) -> None:
    """A connection whose transaction was relaxed goes back to the pool durable again (the
    transaction has ended: SQLite refuses the pragma inside one)."""
    if record.info.pop(RELAXED_SYNC, False) and dbapi_connection is not None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


def register(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "checkin", _full_sync_again)
