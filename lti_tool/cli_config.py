"""flask config show / config docs: the effective settings, and docs/settings.md from the schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from lti_tool.settings import ENV_PREFIX, SOURCES_KEY
from lti_tool.settings_schema import FIELDS, NOT_SETTINGS

config_cli = AppGroup("config", help="The tool's settings (docs/settings.md).")

MASK = "********"


def shown_value(name: str, config: Mapping[str, Any]) -> str:
    """A setting's effective value as text, secrets masked."""
    field = FIELDS[name]
    if name == "ADMIN_PASSWORD":  # only its hash is kept, and never shown
        return MASK if config.get("ADMIN_PASSWORD_HASH") else "(not set)"
    value = config.get(name)
    if value is None or value == "":
        return "(not set)"
    if name == "DATABASE_URL":
        from sqlalchemy.engine import make_url

        shown = make_url(str(value)).render_as_string(hide_password=True)
        resolved = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
        if shown.startswith("sqlite:///") and resolved.startswith("sqlite:///") and resolved != shown:
            # A relative path is in the instance folder: for an installed wheel, inside the
            # virtualenv (<venv>/var/lti_tool-instance/), gone with it. Say where.
            return f"{shown} (file: {resolved[len('sqlite:///') :]})"
        return shown
    if field.metadata.get("secret"):
        return MASK
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    return str(value)


@config_cli.command("show")
def show() -> None:
    """Every setting's effective value and where it came from (secrets masked)."""
    config = current_app.config
    sources = config.get(SOURCES_KEY, {})
    width = max(map(len, FIELDS))
    for name in FIELDS:
        click.echo(f"{name:<{width}}  {shown_value(name, config)}  [{sources.get(name, 'default')}]")


def _default_text(field: Any) -> str:
    default = field.load_default
    if default is None:
        return "(derived)"
    if default == "":
        return '""'
    return f"`{default}`"


def render_markdown() -> str:
    """docs/settings.md, generated from lti_tool/settings_schema.py."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated from lti_tool/settings_schema.py by "
        "`flask --app lti_tool config docs > docs/settings.md`; do not edit by hand. -->",
        "",
        f"Each setting is read from the environment variable `{ENV_PREFIX}<NAME>`, parsed and validated",
        "at start-up: a malformed value, or an unknown `LTI_TOOL_*` variable, stops the tool with a",
        "message naming it (and, for a misspelt name, the closest known one). Settings that name a",
        "plugin are checked against the installed, available plugins. Variables starting",
        f"`{ENV_PREFIX}TEST_` belong to the test suite and are ignored. An empty value leaves a",
        "setting marked *(derived)* unset. `flask --app lti_tool config show` prints the effective",
        "values, secrets masked; `flask --app lti_tool check --deploy` reviews them for production.",
    ]
    section = None
    for name, field in FIELDS.items():
        meta = field.metadata
        if meta["section"] != section:
            section = meta["section"]
            lines += [
                "",
                f"## {section}",
                "",
                "| Setting | Type | Default | Meaning |",
                "| --- | --- | --- | --- |",
            ]
        secret = " Secret: masked in `config show`." if meta.get("secret") else ""
        lines.append(
            f"| `{ENV_PREFIX}{name}` | {meta['type']} | {_default_text(field)} | {meta['help']}{secret} |"
        )
    lines += ["", "## Not settings", "", "Keys of the app's configuration that no variable sets:", ""]
    lines += [f"- `{key}`: {meaning}." for key, meaning in NOT_SETTINGS.items()]
    return "\n".join(lines) + "\n"


@config_cli.command("docs")
def docs() -> None:
    """Print docs/settings.md as generated from the settings schema."""
    click.echo(render_markdown(), nl=False)
