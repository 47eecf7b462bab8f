"""flask demo setup: register the demo LMS with the tool."""

import click
from flask.cli import AppGroup

from lti_tool.demo import service

demo_cli = AppGroup("demo", help="The demo LMS.")


@demo_cli.command("setup")
def setup() -> None:
    """Register the demo LMS with the tool and create its course activity."""
    service.ensure_registered()
    click.echo(f"Demo LMS registered (issuer {service.issuer()}).")
