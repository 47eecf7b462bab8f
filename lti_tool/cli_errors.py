"""A `flask` command that meets a database it cannot use stops with one line, not a traceback.

With the database down, or not migrated, every command (`db upgrade`, `platform list`,
`grades work` restarted by systemd every few seconds...) printed some 150 lines of SQLAlchemy
traceback, the cause on the last lines. Now it prints what `flask check` says of the same
problem, with its fix, and exits 1. Flask-Migrate's `db` commands come from another package's
entry point, outside `app.cli`, so the one place that sees them all is the interpreter's last
resort, ``sys.excepthook``, installed only when the `flask` command loads the app. With
LOG_LEVEL=DEBUG the traceback follows the line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType

import click
from flask import Flask
from sqlalchemy import exc as sa_exc

from lti_tool import i18n
from lti_tool.i18n import gettext as _
from lti_tool.services.preflight import ERROR, MIGRATE_FIX, Problem
from lti_tool.settings import ENV_PREFIX

# SQLSTATE of PostgreSQL's undefined_table and undefined_column; SQLite says it in words.
_NOT_MIGRATED_STATES = {"42P01", "42703"}
_NOT_MIGRATED_WORDS = ("no such table", "no such column")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def database_problem(error: BaseException) -> Problem | None:
    """The problem an error of the database driver means for an operator, or None."""
    if not isinstance(error, sa_exc.DBAPIError):
        return None
    detail = str(error.orig or error).splitlines()[0][:200]
    state = getattr(error.orig, "sqlstate", None)
    if state in _NOT_MIGRATED_STATES or any(w in detail for w in _NOT_MIGRATED_WORDS):
        message = _("the database is not migrated for this release (%(detail)s)", detail=detail)
        return Problem(ERROR, message, _(MIGRATE_FIX))
    if isinstance(error, sa_exc.OperationalError):
        return Problem(
            ERROR,
            _("the database does not answer (%(detail)s)", detail=detail),
            _("check %(prefix)sDATABASE_URL and that the database server runs", prefix=ENV_PREFIX),
        )
    return None


def install(app: Flask) -> None:
    """When the `flask` command loaded the app: database errors end the command in one line."""
    if click.get_current_context(silent=True) is None:  # gunicorn, tests: not a command
        return
    previous: ExceptHook = sys.excepthook
    if getattr(previous, "_lti_tool", False):
        return
    debug = app.config.get("LOG_LEVEL") == "DEBUG"

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        with i18n.use(i18n.terminal_language()):  # the administrator's language, as every command
            problem = database_problem(error)
            if problem is None or debug:
                previous(kind, error, tb)
            if problem is not None:
                click.echo(problem.line(), err=True)

    hook._lti_tool = True  # type: ignore[attr-defined]
    sys.excepthook = hook
