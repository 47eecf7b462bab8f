"""What the administrator's documentation tells them to type exists, as written.

README.md and the deployment and installation docs are followed line by line by an LMS
administrator and a sysadmin: every `flask --app lti_tool ...` command they show must exist with
the options shown, every `LTI_TOOL_*` variable they name must be a setting (the tool stops at
start-up on an unknown one), and the settings file of docs/deploy.md must start the tool when
systemd reads it (its EnvironmentFile keeps an inline comment as part of the value).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
from flask.cli import FlaskGroup, ScriptInfo

from lti_tool.settings import ENV_PREFIX, RESERVED_PREFIX, load_settings
from lti_tool.settings_schema import FIELDS

ROOT = Path(__file__).resolve().parents[1]
ADMIN_DOCS = [
    "README.md",
    "docs/deploy.md",
    "docs/settings.md",
    "docs/install-moodle.md",
    "docs/install-canvas.md",
    "docs/security.md",
    "docs/grades.md",
    "docs/plugins.md",
]
# In prose, a command is in backticks (and may wrap); in a code block it runs to the end of its
# line, a comment or a redirection.
INLINE = re.compile(r"`flask --app lti_tool ([^`]+)`")
IN_BLOCK = re.compile(r"^    .*?flask --app lti_tool ([^#>\n]*)", re.MULTILINE)


def _text(name: str) -> str:
    # Shell line continuations joined: README's `platform add ... \` spans four lines.
    return re.sub(r"\\\n\s*", " ", (ROOT / name).read_text())


def _documented_commands() -> list[tuple[str, str]]:
    found = []
    for name in ADMIN_DOCS:
        text = _text(name)
        for match in [*INLINE.finditer(text), *IN_BLOCK.finditer(text)]:
            found.append((name, " ".join(match.group(1).split())))
    return found


def _resolve(ctx: click.Context, words: list[str]) -> tuple[click.Command, list[str]]:
    """The command the words name (groups descended) and the words left over."""
    command: click.Command = ctx.command
    while words and isinstance(command, click.Group) and not words[0].startswith("-"):
        sub = command.get_command(ctx, words[0])
        assert sub is not None, f"no command {words[0]!r} under {command.name or 'flask'!r}"
        command, words = sub, words[1:]
    return command, words


def test_every_command_in_the_admin_docs_exists_with_its_options(make_tool_app: Any) -> None:
    app = make_tool_app(DEMO=True)  # `demo run` (README) exists only with the demo on
    commands = _documented_commands()
    assert len(commands) > 30  # the parser still finds them
    # FlaskGroup pushes the app's context into the click context: closed by the with.
    with click.Context(FlaskGroup(create_app=lambda: app), obj=ScriptInfo(create_app=lambda: app)) as ctx:
        for doc, line in commands:
            _check_command(ctx, doc, line)


def _check_command(ctx: click.Context, doc: str, line: str) -> None:
    # "platform list | show ID | remove ID": alternatives under the same group.
    first, *alternatives = [part.split() for part in line.split(" | ")]
    group_path = [w for w in first if not w.startswith(("-", "[", "<", '"'))][:-1]
    for words in [first, *[[*group_path[:1], *alt] for alt in alternatives]]:
        try:
            command, rest = _resolve(ctx, [w.strip("[]") for w in words])
        except AssertionError as exc:
            raise AssertionError(f"{doc}: `flask --app lti_tool {line}`: {exc}") from None
        assert not isinstance(command, click.Group), f"{doc}: `{line}` names a group, not a command"
        known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        for word in rest:
            if word.startswith("--"):
                option = word.split("=")[0]
                assert option in known, f"{doc}: `flask --app lti_tool {line}`: no option {option}"


def test_every_setting_named_in_the_admin_docs_is_a_setting() -> None:
    for doc in ADMIN_DOCS:
        for name in set(re.findall(rf"{ENV_PREFIX}[A-Z0-9_]+", _text(doc))):
            if name.startswith(RESERVED_PREFIX) or name == ENV_PREFIX:  # LTI_TOOL_TEST_*, LTI_TOOL_*
                continue
            assert name[len(ENV_PREFIX) :] in FIELDS, f"{doc} names {name}, which is not a setting"


def _systemd_environment_file(text: str) -> dict[str, str]:
    """What systemd's EnvironmentFile= gives a service: KEY=VALUE per line, whitespace around
    the value trimmed, lines starting with # or ; ignored, and no inline comments (systemd
    issue 12527: `A=1  # note` sets A to "1  # note")."""
    environ = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        environ[key.strip()] = value
    return environ


def test_the_settings_file_of_deploy_md_starts_the_tool_under_systemd() -> None:
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    section = deploy.split("## 3. Settings", 1)[1].split("\n## ", 1)[0]
    block = "\n".join(
        line[4:] for line in section.splitlines() if line.startswith("    ") and "LTI_TOOL_" in line
    )
    assert "LTI_TOOL_DATABASE_URL=" in block and "LTI_TOOL_SECRET_KEY=" in block
    # The operator's own values in place of <...>.
    block = block.replace("<64 random characters>", "k" * 64)
    block = block.replace("<tool.example.org>", "tool.example.org")
    assert "<" not in block, block
    environ = _systemd_environment_file(block)
    settings = load_settings(environ)  # raises SettingsError naming a value it cannot use
    assert settings["ENV"] == "production" and settings["PROXY_FIX"] == 1
    assert settings["BASE_URL"] == "https://tool.example.org" and settings["LOG_FORMAT"] == "json"
    assert settings["SECRET_KEY"] == "k" * 64 and settings["OUTBOUND_ALLOWLIST"] == ""
