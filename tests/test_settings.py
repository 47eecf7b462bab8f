"""One declared set of settings: parsed, validated, unknown names refused, documented."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from lti_tool import SettingsError, create_app
from lti_tool.cli_config import render_markdown
from lti_tool.settings import load_settings
from lti_tool.settings_schema import FIELDS, NOT_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
BASE = {"ENV": "testing", "DATABASE_URL": "sqlite://"}


def test_an_unknown_variable_stops_start_up_naming_it_and_the_closest_name(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LTI_TOOL_REQUIRE_STATE_COOKE", "1")
    with pytest.raises(SettingsError) as err:
        create_app(BASE)
    assert "LTI_TOOL_REQUIRE_STATE_COOKE is not a setting" in str(err.value)
    assert "did you mean LTI_TOOL_REQUIRE_STATE_COOKIE?" in str(err.value)


def test_the_test_suites_own_variables_are_not_settings() -> None:
    settings = load_settings({"LTI_TOOL_TEST_POSTGRES_URL": "postgresql://x", "OTHER": "1"})
    assert "TEST_POSTGRES_URL" not in settings


def test_a_documented_switch_is_read_from_the_environment() -> None:
    assert load_settings({"LTI_TOOL_REQUIRE_STATE_COOKIE": "yes"})["REQUIRE_STATE_COOKIE"] is True
    assert load_settings({})["REQUIRE_STATE_COOKIE"] is False


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("LTI_TOOL_JWT_LEEWAY", "soon", "Not a valid integer"),
        ("LTI_TOOL_JWT_LEEWAY", "-5", "greater than or equal to 0"),
        ("LTI_TOOL_GRADES_BATCH_SIZE", "0", "greater than or equal to 1"),
        ("LTI_TOOL_BASE_URL", "tool.example.org", "Not a valid URL"),
        ("LTI_TOOL_BASE_URL", "ftp://tool.example.org", "Not a valid URL"),
        ("LTI_TOOL_DEMO", "maybe", "Not a valid boolean"),
        ("LTI_TOOL_ENV", "prod", "Must be one of"),
        ("LTI_TOOL_REGISTRATION_MODE", "sometimes", "Must be one of"),
        ("LTI_TOOL_LOG_LEVEL", "loud", "Must be one of"),
        ("LTI_TOOL_DATABASE_URL", "mysql://db/x", "Use sqlite:/// or postgresql://"),
        ("LTI_TOOL_DATABASE_URL", "not a url", "Not a database URL"),
        # Another driver than psycopg 3 (the [postgres] extra): an import traceback, before.
        ("LTI_TOOL_DATABASE_URL", "postgresql+psycopg2://db/x", "not postgresql+psycopg2://"),
        ("LTI_TOOL_DATABASE_URL", "sqlite+pysqlcipher:///x", "not sqlite+pysqlcipher://"),
        ("LTI_TOOL_HTTP_TIMEOUT", "ten", "Not a valid number"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(monkeypatch, variable, value, says) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LTI_TOOL_DATABASE_URL", "sqlite://")
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=re.escape(variable)) as err:
        create_app()
    assert says in str(err.value)
    # The value refused is shown, but a secret's (DATABASE_URL may hold a password).
    secret = bool(FIELDS[variable.removeprefix("LTI_TOOL_")].metadata.get("secret"))
    assert (repr(value) in str(err.value)) != secret


def test_values_are_parsed_to_their_types() -> None:
    settings = load_settings(
        {
            "LTI_TOOL_JWT_LEEWAY": "90",
            "LTI_TOOL_HTTP_TIMEOUT": "2.5",
            "LTI_TOOL_COOKIE_SECURE": "off",
            "LTI_TOOL_LOG_LEVEL": "debug",
            "LTI_TOOL_PLUGINS_BLOCKED": "a, scoring_models:b",
            "LTI_TOOL_REGISTRATION_MODE": "",  # empty: derived
        }
    )
    assert settings["JWT_LEEWAY"] == 90 and settings["HTTP_TIMEOUT"] == 2.5
    assert settings["COOKIE_SECURE"] is False and settings["LOG_LEVEL"] == "DEBUG"
    assert settings["PLUGINS_BLOCKED"] == ["a", "scoring_models:b"]
    assert settings["REGISTRATION_MODE"] == "open"


def test_a_wrong_passback_plugin_name_is_refused_at_start_up(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LTI_TOOL_GRADES_PASSBACK", "lti_agss")
    with pytest.raises(SettingsError, match="LTI_TOOL_GRADES_PASSBACK") as err:
        create_app(BASE)
    assert "'lti_agss'" in str(err.value) and "did you mean 'lti_ags'?" in str(err.value)


def test_a_blocked_passback_plugin_is_refused_and_a_good_one_starts() -> None:
    with pytest.raises(SettingsError, match="GRADES_PASSBACK.*blocked"):
        create_app({**BASE, "GRADES_PASSBACK": "lti_ags", "PLUGINS_BLOCKED": "lti_ags"})
    assert create_app({**BASE, "GRADES_PASSBACK": "gradebook_export"}).config["GRADES_PASSBACK"]


def test_a_misspelt_blocked_plugin_stops_start_up() -> None:
    with pytest.raises(SettingsError, match="PLUGINS_BLOCKED.*'importance_gapp'.*'importance_gap'"):
        create_app({**BASE, "PLUGINS_BLOCKED": "importance_gapp"})


def test_config_show_prints_every_setting_with_secrets_masked(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LTI_TOOL_DATABASE_URL", "postgresql://tool:db-password-1@db.example/p3")
    monkeypatch.setenv("LTI_TOOL_JWT_LEEWAY", "42")
    secret = "s3cret-" * 8
    app = create_app({"ENV": "testing", "SECRET_KEY": secret, "ADMIN_PASSWORD": "admin-password-2"})
    out = app.test_cli_runner().invoke(args=["config", "show"]).output
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert set(lines) == set(FIELDS)
    assert "42" in lines["JWT_LEEWAY"] and "[environment]" in lines["JWT_LEEWAY"]
    assert "[default]" in lines["STATE_TTL"] and "[override]" in lines["SECRET_KEY"]
    assert "postgresql://tool:***@db.example/p3" in lines["DATABASE_URL"]
    for leaked in (secret, "db-password-1", "admin-password-2", "scrypt:"):
        assert leaked not in out


def test_config_show_says_where_a_relative_sqlite_file_is(tmp_path: Path) -> None:
    """A relative SQLite path is in the instance folder, for an installed wheel inside the
    virtualenv (<venv>/var/lti_tool-instance/): an operator must see where the data is."""
    app = create_app({"ENV": "testing", "SECRET_KEY": "s3cret-" * 8, "DATABASE_URL": "sqlite:///p3.sqlite"})
    out = app.test_cli_runner().invoke(args=["config", "show"]).output
    [line] = [line for line in out.splitlines() if line.startswith("DATABASE_URL ")]
    expected = os.path.join(app.instance_path, "p3.sqlite")
    assert f"sqlite:///p3.sqlite (file: {expected})  [override]" in line
    absolute = f"sqlite:///{tmp_path}/p3.sqlite"
    app = create_app({"ENV": "testing", "SECRET_KEY": "s3cret-" * 8, "DATABASE_URL": absolute})
    out = app.test_cli_runner().invoke(args=["config", "show"]).output
    assert "DATABASE_URL" in out and f"{absolute}  [override]" in out and "(file:" not in out


def test_docs_settings_md_is_generated_from_the_schema() -> None:
    current = (ROOT / "docs" / "settings.md").read_text()
    assert current == render_markdown(), (
        "docs/settings.md is out of date: run `flask --app lti_tool config docs > docs/settings.md`"
    )


# app.config["NAME"], config.get("NAME"), cfg["NAME"] ... anywhere in the tool and its plugins.
CONFIG_READ = re.compile(r"""\b(?:config|cfg|settings)(?:\.get\(|\.pop\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_setting_the_code_reads_is_declared_exactly_once() -> None:
    read: set[str] = set()
    for folder in ("lti_tool", "plugins"):
        for path in (ROOT / folder).rglob("*.py"):
            read |= set(CONFIG_READ.findall(path.read_text()))
    flask_own = {name for name in read if name.startswith(("SQLALCHEMY_", "SESSION_COOKIE_"))}
    undeclared = read - set(FIELDS) - set(NOT_SETTINGS) - flask_own
    assert read and not undeclared, f"read but not declared in lti_tool/settings_schema.py: {undeclared}"
    never_read = set(FIELDS) - read - {"MAX_CONTENT_LENGTH"}  # Flask enforces it itself
    assert not never_read, f"declared but never read: {never_read}"
    schema_source = (ROOT / "lti_tool" / "settings_schema.py").read_text()
    for name in FIELDS:
        assert len(re.findall(rf"^\s+{name} = ", schema_source, re.M)) == 1, name


def test_postgresql_without_its_driver_stops_start_up_saying_what_to_install(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A wheel installed without the [postgres] extra: a traceback from SQLAlchemy, before.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(SettingsError) as err:
        load_settings({"LTI_TOOL_DATABASE_URL": "postgresql://p3@/p3?host=/var/run/postgresql"})
    assert "LTI_TOOL_DATABASE_URL" in str(err.value) and "psycopg" in str(err.value)
    assert "p3-workshop-lti[postgres]" in str(err.value)
    with pytest.raises(SettingsError, match="psycopg"):  # the driver named in the URL
        load_settings({"LTI_TOOL_DATABASE_URL": "postgresql+psycopg://p3@db.example/p3"})
    assert load_settings({"LTI_TOOL_DATABASE_URL": "sqlite://"})["DATABASE_URL"] == "sqlite://"


def test_a_value_refused_with_an_inline_comment_says_that_systemd_keeps_it() -> None:
    # An EnvironmentFile line `LTI_TOOL_PROXY_FIX=1  # one proxy` reaches the tool as "1  # one proxy".
    with pytest.raises(SettingsError) as err:
        load_settings({"LTI_TOOL_PROXY_FIX": "1  # one proxy", "LTI_TOOL_LOG_LEVEL": "INFO"})
    assert "LTI_TOOL_PROXY_FIX: Not a valid integer." in str(err.value)
    assert "an inline comment?" in str(err.value) and "a line of its own" in str(err.value)
    with pytest.raises(SettingsError) as plain:
        load_settings({"LTI_TOOL_PROXY_FIX": "one"})
    assert "comment" not in str(plain.value)


@pytest.mark.parametrize(
    ("variable", "value", "secret"),
    [
        # A Heroku-style URL (postgres://, not postgresql://) is refused: its password was printed.
        ("LTI_TOOL_DATABASE_URL", "postgres://p3:Hunter2-db-pw@db.internal/p3", "Hunter2-db-pw"),
        ("LTI_TOOL_DATABASE_URL", "mysql://p3:Hunter2-db-pw@db/p3  # the old one", "Hunter2-db-pw"),
        ("LTI_TOOL_DATABASE_URL", "p3:Hunter2-db-pw@db/p3", "Hunter2-db-pw"),
    ],
)
def test_a_refused_secret_setting_is_named_never_shown(variable: str, value: str, secret: str) -> None:
    # The message goes to the terminal, the service's journal and `flask check`: never a secret.
    with pytest.raises(SettingsError) as err:
        load_settings({variable: value})
    message = str(err.value)
    assert variable + ":" in message and "not shown" in message
    assert secret not in message and value not in message


def test_a_refused_secret_passed_as_an_override_is_not_shown_either() -> None:
    with pytest.raises(SettingsError) as err:
        load_settings({}, {"SECRET_KEY": ["s3cr3t-" * 6], "ADMIN_PASSWORD": 12345678901})
    message = str(err.value)
    assert "LTI_TOOL_SECRET_KEY:" in message and "LTI_TOOL_ADMIN_PASSWORD:" in message
    assert "s3cr3t-" not in message and "12345678901" not in message


def test_a_refused_value_of_an_ordinary_setting_is_still_shown() -> None:
    with pytest.raises(SettingsError) as err:
        load_settings({"LTI_TOOL_PROXY_FIX": "one"})
    assert "(got 'one')" in str(err.value)
