"""flask demo setup / demo run: register the demo LMS with the tool; serve both (what `make run` does)."""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from lti_tool.demo import dynreg, service
from lti_tool.extensions import this_app
from lti_tool.settings import ENV_PREFIX

demo_cli = AppGroup("demo", help="The demo LMS.")


def _set_up(app: Flask) -> bool:
    """The demo's own tables, its registration with the tool, its first activity. True when it
    registered now (False: it was registered already)."""
    from lti_tool.demo.models import create_tables
    from lti_tool.extensions import db

    create_tables(db.engine)  # the demo's own tables: never part of the tool's migrations
    registered = dynreg.register_demo_dynamically(app)
    service.ensure_registered()
    return registered


@demo_cli.command("setup")
def setup() -> None:
    """Create the demo LMS's tables, register the tool with it (LTI Dynamic Registration) and
    create its activity."""
    if _set_up(this_app()):
        click.echo(
            f"Registered with the demo LMS by dynamic registration "
            f"(issuer {service.issuer()}, client id {service.CLIENT_ID})."
        )
    else:
        click.echo(f"Demo LMS already registered (issuer {service.issuer()}).")


def _upgrade_database() -> str:
    """`flask db upgrade` in one line: alembic's own log (a line per migration) stays off."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from lti_tool.extensions import db

    config = current_app.extensions["migrate"].migrate.get_config()
    config.config_file_name = None  # read already; without it env.py leaves logging alone
    with db.engine.connect() as connection:
        before = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(config).get_current_head()
    if before == head:
        return f"Database: up to date (migration {head})."
    command.upgrade(config, "head")
    return f"Database: upgraded from {before or 'empty'} to migration {head}."


@demo_cli.command("run")
@click.option("--verbose", "-v", is_flag=True, help="Also log every request.")
def run(verbose: bool) -> None:
    """Upgrade the database, set up the demo LMS and serve the tool with it on the host and port
    of LTI_TOOL_BASE_URL (a development server). Where to click is printed last, once the
    server listens."""
    app = this_app()
    if not app.config["DEMO"]:
        raise click.ClickException(f"The demo LMS is off: set {ENV_PREFIX}DEMO=1.")
    click.echo(_upgrade_database())
    if _set_up(app):
        click.echo(f"Demo LMS: registered with the tool (issuer {service.issuer()}).")
    base = urlsplit(app.config["BASE_URL"])
    host, port = base.hostname or "127.0.0.1", base.port or 80
    if not verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

    from werkzeug.serving import make_server

    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:  # most often: the port is taken
        raise click.ClickException(
            f"Cannot listen on {host}:{port} ({exc.strerror}). Another port: make run PORT=5055"
        ) from exc
    # The socket is bound and listening: a browser opened now is served.
    click.echo(_banner(app))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _banner(app: Flask) -> str:
    base, demo = app.config["BASE_URL"], app.config["DEMO_URL"]
    password = os.environ.get(f"{ENV_PREFIX}ADMIN_PASSWORD")  # the demo's, set by `make run`
    admin = f"{base}/admin/" + (f"   (password: {password})" if password else "")
    lines = [
        "",
        f"  Demo LMS:  {demo}/demo/   (choose a person, open an activity)",
        f"  The tool:  {base}/",
        f"  Admin:     {admin}",
        "",
        f"  Serving (a development server; for production: {base}/docs/deploy.md). Stop with Ctrl+C.",
    ]
    return "\n".join(lines)
