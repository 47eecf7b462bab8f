"""Flask extensions, created unbound and initialised in create_app."""

from typing import TYPE_CHECKING, Any, cast

from flask import Flask, current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import CursorResult, MetaData, Result
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay usable after commit: a request commits, then renders what it wrote.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()

# Models subclass ``Model``: Flask-SQLAlchemy builds ``db.Model`` at run time from ``Base``,
# which type checkers cannot follow.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


# Marks a pooled SQLite connection whose transaction commits without waiting for the disk
# (services.sql.relax_durability); db_setup makes it durable again when it returns to the pool.
RELAXED_SYNC = "lti_tool.relaxed_sync"


def rowcount(result: Result[Any]) -> int:
    """Rows an INSERT/UPDATE/DELETE matched (``execute`` is typed as returning a plain Result)."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)


def this_app() -> Flask:
    """The app behind ``current_app``, for threads and hooks that outlive the request."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app
