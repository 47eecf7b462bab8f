"""flask demo setup: register the demo LMS with the tool."""

import click
from flask.cli import AppGroup

from lti_tool.demo import dynreg, service
from lti_tool.extensions import this_app

demo_cli = AppGroup("demo", help="The demo LMS.")


@demo_cli.command("setup")
def setup() -> None:
    """Create the demo LMS's tables, register the tool with it (LTI Dynamic Registration) and
    create its activity."""
    from lti_tool.demo.models import create_tables
    from lti_tool.extensions import db

    create_tables(db.engine)  # the demo's own tables: never part of the tool's migrations
    app = this_app()
    if dynreg.register_demo_dynamically(app):
        click.echo(
            f"Registered with the demo LMS by dynamic registration "
            f"(issuer {service.issuer()}, client id {service.CLIENT_ID})."
        )
    else:
        click.echo(f"Demo LMS already registered (issuer {service.issuer()}).")
    service.ensure_registered()
