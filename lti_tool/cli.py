"""flask CLI commands: platform registrations, tool keys, the demo LMS."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from lti_tool.i18n import gettext as _
from lti_tool.lti import keys as tool_keys
from lti_tool.models import Platform
from lti_tool.services import platforms as platform_service
from lti_tool.validation_messages import translated

platform_cli = AppGroup("platform", help="Register and inspect LMS platforms.")
keys_cli = AppGroup("keys", help="The tool's signing keys.")


def _show(platform: Platform) -> dict[str, object]:
    return {
        "id": platform.id,
        "name": platform.name,
        "issuer": platform.issuer,
        "client_id": platform.client_id,
        "deployment_ids": platform.deployment_ids,
        "auth_login_url": platform.auth_login_url,
        "auth_token_url": platform.auth_token_url,
        "key_set_url": platform.key_set_url,
        "auth_audience": platform.auth_audience,
        "enabled": platform.enabled,
    }


@platform_cli.command("add")
@click.option("--issuer", required=True, help="The platform's issuer (iss).")
@click.option("--client-id", required=True, help="The client id the platform gave the tool.")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="Repeatable.")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorization URL.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 token URL.")
@click.option("--key-set-url", required=True, help="The platform's JWKS URL.")
@click.option("--auth-audience", default=None, help="Audience for token requests, if not the token URL.")
@click.option("--name", default="", help="A name for people.")
def platform_add(**options: object) -> None:
    """Register a platform (an issuer and one client id) with its deployments."""
    options["deployment_ids"] = list(options["deployment_ids"])  # type: ignore[call-overload]
    try:
        platform = platform_service.add_platform(dict(options))
    except platform_service.PlatformError as exc:
        for field, messages in exc.errors.items():
            listed = messages if isinstance(messages, list) else [messages]
            text = " ".join(translated(str(m)) for m in listed)
            click.echo(
                _("Error: --%(option)s: %(problem)s", option=field.replace("_", "-"), problem=text), err=True
            )
        sys.exit(2)
    click.echo(
        _(
            "Registered platform #%(number)s: %(issuer)s (client id %(client_id)s)",
            number=platform.id,
            issuer=platform.issuer,
            client_id=platform.client_id,
        )
    )


@platform_cli.command("list")
def platform_list() -> None:
    """One line per platform."""
    rows = platform_service.list_platforms()
    if not rows:
        click.echo(_("No platforms registered."))
    for p in rows:
        click.echo(
            f"#{p.id}\t{p.issuer}\t{p.client_id}\tdeployments={','.join(p.deployment_ids)}"
            f"\t{_('enabled') if p.enabled else _('disabled')}"
        )


def _resolve(ref: str) -> Platform:
    platform = platform_service.find_platform_by_ref(ref)
    if platform is None:
        click.echo(
            _("Error: no platform %(ref)s (give its #id from 'platform list')", ref=repr(ref)), err=True
        )
        sys.exit(2)
    return platform


@platform_cli.command("show")
@click.argument("ref")
def platform_show(ref: str) -> None:
    """Everything about one platform (by #id, or issuer when it has one client)."""
    click.echo(json.dumps(_show(_resolve(ref)), indent=2))


@platform_cli.command("remove")
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def platform_remove(ref: str, yes: bool) -> None:
    """Remove a platform, its deployments and its launch records."""
    platform = _resolve(ref)
    if not yes:
        click.confirm(
            _(
                "Remove %(issuer)s (client id %(client_id)s)?",
                issuer=platform.issuer,
                client_id=platform.client_id,
            ),
            abort=True,
        )
    platform_service.remove_platform(platform)
    click.echo(_("Removed."))


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Start signing with a new key; old keys stay published for the overlap period."""
    overlap = current_app.config["KEY_ROTATION_OVERLAP_DAYS"]
    new_key, retired = tool_keys.rotate(current_app.config["SECRET_KEY"], overlap)
    click.echo(_("New signing key %(kid)s.", kid=new_key.kid))
    for key in retired:
        click.echo(
            _(
                "Key %(kid)s retired; published until %(when)s UTC.",
                kid=key.kid,
                when=f"{key.published_until:%Y-%m-%d %H:%M}",
            )
        )


@keys_cli.command("list")
def keys_list() -> None:
    """The published keys."""
    for key in tool_keys.published_keys():
        when = f"{key.published_until:%Y-%m-%d %H:%M}"
        state = _("signing") if key.active else _("published until %(when)s UTC", when=when)
        click.echo(f"{key.kid}\t{state}")


@click.command("cleanup")
@with_appcontext
def cleanup() -> None:
    """Delete expired login states (also done now and then during logins), old administrator
    sign-in failures, launch records past their retention, and partnership-group records no
    longer used (removal notices past 30 days, wrong join codes past their window)."""
    from flask import current_app

    from lti_tool.extensions import db
    from lti_tool.lti.oidc import purge_expired_states
    from lti_tool.services.admin_auth import purge_sign_in_failures
    from lti_tool.services.launches import purge_old_records
    from lti_tool.services.partnership_leaving import purge_old_records as purge_partnership_records

    removed = purge_expired_states()
    db.session.commit()
    click.echo(_("Removed %(num)s expired login state(s).", num=removed))
    failures = purge_sign_in_failures(current_app.config)
    click.echo(_("Removed %(num)s old administrator sign-in failure(s).", num=failures))
    launches, refusals = purge_old_records(current_app.config)
    click.echo(
        _(
            "Removed %(launches)s launch record(s) and %(refusals)s refused launch record(s) "
            "past their retention.",
            launches=launches,
            refusals=refusals,
        )
    )
    notices, codes = purge_partnership_records()
    click.echo(
        _(
            "Removed %(notices)s old partnership-group removal notice(s) and %(codes)s old wrong "
            "join code record(s).",
            notices=notices,
            codes=codes,
        )
    )


admin_cli = AppGroup("admin", help="The administrator area (/admin).")


@admin_cli.command("set-password")
@click.password_option(
    "--password", prompt="New administrator password", help="Asked for (twice) when not given."
)
def admin_set_password(password: str) -> None:
    """Store the administrator password's hash in the database (it wins over the setting)."""
    from lti_tool.services import admin_auth

    if len(password) < 12:
        click.echo(_("Error: use at least 12 characters."), err=True)
        sys.exit(2)
    admin_auth.set_admin_password(password)
    click.echo(_("Administrator password set."))


@admin_cli.command("registration-link")
@click.option("--label", default="", help="Who the link is for.")
def admin_registration_link(label: str) -> None:
    """Create a one-time dynamic registration link (printed once)."""
    from lti_tool.services import registration as registration_service

    cfg = current_app.config
    link, code = registration_service.create_link(label, cfg["REGISTRATION_LINK_TTL_HOURS"])
    click.echo(f"{cfg['BASE_URL']}/lti/register?reg={code}")
    click.echo(
        _(
            "Link #%(number)s, single use, expires %(when)s UTC.",
            number=link.id,
            when=f"{link.expires_at:%Y-%m-%d %H:%M}",
        ),
        err=True,
    )


@click.group("plugins", help="Scoring models, mechanism catalogues and grade passback.")
def plugins_cli() -> None:
    pass


@plugins_cli.command("list")
@with_appcontext
def plugins_list() -> None:
    """Every plugin found: kind, name, version, source package, status (and its error)."""
    from lti_tool.plugin_manager import plugins

    for info in plugins().describe():
        line = f"{info.kind:<22} {info.name:<18} {info.version:<8} {info.source:<22} {info.status}"
        click.echo(line + (f": {info.error}" if info.error else ""))


@click.command("version")
def version() -> None:
    """The tool's version (the same as the installed distribution's)."""
    from lti_tool import __version__

    click.echo(f"p3-workshop-lti {__version__}")


def register(app: Flask) -> None:
    from lti_tool import cli_errors

    cli_errors.install(app)
    app.cli.add_command(version)
    from lti_tool.cli_config import config_cli

    app.cli.add_command(config_cli)
    from lti_tool.deploy.cli import deploy_cli

    app.cli.add_command(deploy_cli)
    from lti_tool.cli_check import check

    app.cli.add_command(check)
    app.cli.add_command(plugins_cli)
    from lti_tool.content.cli import content_cli

    app.cli.add_command(cleanup)
    app.cli.add_command(platform_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(admin_cli)
    app.cli.add_command(content_cli)  # also a flask.commands plugin: works when start-up fails
    from lti_tool.cli_grades import grades_cli

    app.cli.add_command(grades_cli)
    if app.config["DEMO"]:
        from lti_tool.demo.cli import demo_cli

        app.cli.add_command(demo_cli)
