"""Statements the services share: an INSERT that can say ON CONFLICT on both databases, and
"the id of this row, created if missing", safe when several requests create it at once."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from lti_tool.extensions import RELAXED_SYNC, db


def insert_for(model: Any) -> Any:
    """``insert(model)`` of the session's dialect, with ``on_conflict_do_*``."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


# The statements of ensure_row, built once per model, key and dialect with bound parameters:
# a launch runs three of them, and building a statement (and its cache key) each time was most
# of their CPU. SQLAlchemy compiles each once and reuses the compiled form.
@functools.cache
def _find(model: Any, key: tuple[str, ...]) -> Any:
    table = model.__table__
    return select(model).where(*[table.c[name] == bindparam(name) for name in key])


@functools.cache
def _create(model: Any, key: tuple[str, ...], dialect: str) -> Any:
    table = model.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The columns come from each execution's parameters (the fields present vary).
    return insert(table).on_conflict_do_nothing(index_elements=list(key)).returning(table.c.id)


def insert_new(model: Any, key: Mapping[str, Any], fields: Mapping[str, Any]) -> int | None:
    """INSERT the row unless one with this unique ``key`` exists (ON CONFLICT DO NOTHING, one
    statement, safe when several requests insert it at once): its id, or None (nothing written)."""
    dialect = db.session.get_bind().dialect.name
    created = db.session.execute(_create(model, tuple(key), dialect), {**key, **fields}).first()
    return None if created is None else int(created.id)


LOOK = object()  # ensure_row's ``found``: not read yet


def ensure_row(
    model: Any, key: Mapping[str, Any], fields: Mapping[str, Any], found: Any = LOOK
) -> tuple[int, Any | None]:
    """The id of the row with this unique ``key``, inserted with ``fields`` if missing, else
    updated where ``fields`` differ (nothing written when nothing changed); and the row as an
    entity when it was already there (None when this request inserted it).

    Statements, not the ORM unit of work: a launch does this three times, and a class opening a
    new activity at once must not collide on the unique key (ON CONFLICT). An existing row is
    read as an entity, so that the request can read it again without one more statement (the
    caller keeps it: the session's identity map holds entities only while they are used).

    ``found``: the row (or None: there is none) when the caller already read it by ``key``."""
    table = model.__table__
    find = _find(model, tuple(key))
    if found is LOOK:
        found = db.session.scalars(find, dict(key)).first()
    if found is None:
        created = insert_new(model, key, fields)
        if created is not None:
            return created, None
        found = db.session.scalars(find, dict(key)).one()  # created by a concurrent request
    changed = {f: v for f, v in fields.items() if getattr(found, f) != v}
    if changed:
        db.session.execute(update(table).where(table.c.id == found.id).values(**changed))
        for name, value in changed.items():  # the session's copy says what the row now says
            set_committed_value(found, name, value)
    return int(found.id), found


def relax_durability() -> None:
    """This transaction's commit does not wait for the disk (a launch's: decisions 0024, 0025).
    Call it before the transaction's first statement (SQLite refuses the pragma inside one).

    PostgreSQL: ``synchronous_commit`` off for this transaction only. SQLite (WAL):
    ``synchronous=NORMAL`` on this connection until it returns to the pool, where db_setup sets
    FULL again; the commit is then durable against a crash of the tool, not of the machine."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
        connection.info[RELAXED_SYNC] = True
