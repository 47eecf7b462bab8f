"""flask check [--deploy]: the preflight check an operator runs first (docs/deploy.md)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from lti_tool.i18n import gettext as _
from lti_tool.services.preflight import ERROR, run_checks


@click.command("check")
@click.option("--deploy", is_flag=True, help="Apply the production rules too.")
@with_appcontext
def check(deploy: bool) -> None:
    """Check the database, migrations, keys and settings; one line per problem with its fix.

    Exits with status 1 when there is an error (warnings alone exit 0).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    problems = run_checks(app, deploy=deploy)
    for problem in problems:
        click.echo(problem.line())
    errors = sum(p.level == ERROR for p in problems)
    warnings = len(problems) - errors
    scope = _("production rules included") if deploy else _("add --deploy for the production rules")
    if not problems:
        click.echo(_("OK: no problems found (%(scope)s).", scope=scope))
        return
    click.echo(
        _(
            "%(errors)s error(s), %(warnings)s warning(s) (%(scope)s).",
            errors=errors,
            warnings=warnings,
            scope=scope,
        )
    )
    if errors:
        sys.exit(1)
