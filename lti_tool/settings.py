"""Settings: declared in lti_tool/settings_schema.py, set by LTI_TOOL_* environment variables
(or a mapping, for tests), parsed and validated there; unknown names stop start-up.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import click
from flask import Flask
from marshmallow import ValidationError

from lti_tool.settings_schema import FIELDS, NOT_SETTINGS, REGISTRATION_MODES, SCHEMA

ENV_PREFIX = "LTI_TOOL_"
# Variables the test suite reads (LTI_TOOL_TEST_POSTGRES_URL, ...): not settings of the tool.
RESERVED_PREFIX = ENV_PREFIX + "TEST_"
# Published in earlier versions as the development fallback: refused wherever it turns up.
# There is no built-in key: outside production one is made in the instance folder (create_app).
KNOWN_PUBLIC_SECRET_KEYS = frozenset({"dev-only-secret-change-me"})
SOURCES_KEY = "SETTINGS_SOURCES"  # app.extensions key: where each setting's value came from
# `VALUE   # comment`: systemd's EnvironmentFile keeps the comment in the value (docs/deploy.md).
INLINE_COMMENT = re.compile(r"\s#")

__all__ = ["SettingsError", "load_settings", "REGISTRATION_MODES", "ENV_PREFIX"]


class SettingsError(click.ClickException, RuntimeError):
    """A setting is unknown, malformed, missing or unsafe; the message names it.

    A ClickException, so that a `flask` command stops with the message, not a traceback.
    """


def closest_name(name: str, known: Any) -> str | None:
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _unknown(name: str, shown: str) -> str:
    guess = closest_name(name, FIELDS)
    hint = f" (did you mean {ENV_PREFIX}{guess}?)" if guess else ""
    return f"{shown} is not a setting of this tool{hint}; see docs/settings.md"


def _from_environment(environ: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    raw: dict[str, Any] = {}
    problems = []
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key.startswith(RESERVED_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :]
        field = FIELDS.get(name)
        if field is None:
            problems.append(_unknown(name, key))
        else:
            # An empty value means "not set" for settings that may be unset (derived).
            raw[name] = None if (value.strip() == "" and field.allow_none) else value
    return raw, problems


def _is_flask_key(name: str) -> bool:
    return name in Flask.default_config or name.startswith("SQLALCHEMY_") or name in NOT_SETTINGS


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The effective settings: defaults, then the environment, then overrides (tests)."""
    environ = os.environ if environ is None else environ
    raw, problems = _from_environment(environ)
    sources = dict.fromkeys(raw, "environment")
    passthrough: dict[str, Any] = {}
    for name, value in (overrides or {}).items():
        if name in FIELDS:
            raw[name] = value
            sources[name] = "override"
        elif _is_flask_key(name):
            passthrough[name] = value
        else:
            problems.append(_unknown(name, name))
    if problems:
        raise SettingsError("; ".join(problems))
    try:
        settings: dict[str, Any] = SCHEMA.load(raw)
    except ValidationError as exc:
        raise SettingsError("; ".join(_describe_errors(exc.messages, raw))) from None
    settings.update(passthrough)
    _derive(settings)
    check_settings(settings)
    settings[SOURCES_KEY] = {name: sources.get(name, "default") for name in FIELDS}
    return settings


def _describe_errors(messages: Any, raw: Mapping[str, Any]) -> list[str]:
    lines = []
    for name, errors in dict(messages).items():
        text = " ".join(map(str, errors)) if isinstance(errors, list) else str(errors)
        value = raw.get(name)
        field = FIELDS.get(name)
        # A secret (a password in DATABASE_URL, SECRET_KEY) is named, never shown: this message
        # goes to the terminal, the service's journal and `flask check`.
        shown = "value not shown: a secret" if field and field.metadata.get("secret") else f"got {value!r}"
        line = f"{ENV_PREFIX}{name}: {text} ({shown})"
        if isinstance(value, str) and INLINE_COMMENT.search(value):
            line += (
                " - an inline comment? systemd's EnvironmentFile keeps it in the value:"
                " give the comment a line of its own"
            )
        lines.append(line)
    return lines


def _derive(settings: dict[str, Any]) -> None:
    settings["BASE_URL"] = str(settings["BASE_URL"]).rstrip("/")
    if settings.get("COOKIE_SECURE") is None:
        settings["COOKIE_SECURE"] = settings["BASE_URL"].startswith("https://")
    if settings.get("REQUIRE_STATE_COOKIE") is None:
        settings["REQUIRE_STATE_COOKIE"] = settings["ENV"] == "production"
    if not settings.get("DEMO_URL"):
        settings["DEMO_URL"] = default_demo_url(settings["BASE_URL"])
    settings["DEMO_URL"] = str(settings["DEMO_URL"]).rstrip("/")
    _derive_outbound(settings)
    _derive_installation(settings)


def _derive_outbound(settings: dict[str, Any]) -> None:
    """The demo LMS and the tool call each other on the loopback: the demo allows exactly
    those two host:port pairs, nothing else on this machine."""
    entries = str(settings.get("OUTBOUND_ALLOWLIST") or "").replace(",", " ").split()
    if settings.get("DEMO"):
        for url in (settings["DEMO_URL"], settings["BASE_URL"]):
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            entries.append(f"{parts.hostname}:{port}")
    settings["OUTBOUND_ALLOWLIST"] = " ".join(dict.fromkeys(entries))


_HASH_PREFIXES = ("scrypt:", "pbkdf2:")


def _derive_installation(settings: dict[str, Any]) -> None:
    """Registration mode and allow-list, and the admin password reduced to its hash."""
    mode = settings.get("REGISTRATION_MODE")
    if mode in (None, ""):
        mode = "token" if settings["ENV"] == "production" else "open"
    settings["REGISTRATION_MODE"] = mode
    issuers = settings["REGISTRATION_ALLOWED_ISSUERS"]
    settings["REGISTRATION_ALLOWED_ISSUERS"] = [i.rstrip("/") for i in issuers]
    password = settings.pop("ADMIN_PASSWORD", None)
    if password and not settings.get("ADMIN_PASSWORD_HASH"):
        from werkzeug.security import generate_password_hash

        password = str(password)
        settings["ADMIN_PASSWORD_HASH"] = (
            password if password.startswith(_HASH_PREFIXES) else generate_password_hash(password)
        )
    settings.setdefault("ADMIN_PASSWORD_HASH", None)


def default_demo_url(base_url: str) -> str:
    """The demo LMS on another site than the tool: 127.0.0.1 <-> localhost."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    swapped = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(host)
    if not swapped:
        return base_url
    netloc = swapped + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_settings(settings: Mapping[str, Any]) -> None:
    """Refuse to start with settings that are unsafe in production (types were checked on load)."""
    if settings.get("SECRET_KEY") in KNOWN_PUBLIC_SECRET_KEYS:
        raise SettingsError(f"{ENV_PREFIX}SECRET_KEY is a published value: use a long random one")
    _check_database_driver(str(settings["DATABASE_URL"]))
    if settings["ENV"] != "production":
        return
    problems = []
    if not settings.get("SECRET_KEY"):
        problems.append(f"{ENV_PREFIX}SECRET_KEY is not set (use a long random value)")
    elif len(str(settings["SECRET_KEY"])) < 32:
        problems.append(f"{ENV_PREFIX}SECRET_KEY is too short (at least 32 characters)")
    if settings.get("DEMO"):
        problems.append(f"{ENV_PREFIX}DEMO is on (the demo LMS must never run in production)")
    if not settings["BASE_URL"].startswith("https://"):
        problems.append(f"{ENV_PREFIX}BASE_URL must be https:// in production (LMS iframes need it)")
    if problems:
        raise SettingsError("Unsafe settings for production: " + "; ".join(problems))


def _check_database_driver(url: str) -> None:
    """PostgreSQL needs the [postgres] extra; without it SQLAlchemy would stop with a traceback."""
    import importlib.util

    from sqlalchemy.engine import make_url

    # The URL was checked on load: PostgreSQL here is psycopg's (DatabaseUrl refuses others).
    if make_url(url).get_backend_name() == "postgresql" and importlib.util.find_spec("psycopg") is None:
        raise SettingsError(
            f"{ENV_PREFIX}DATABASE_URL is PostgreSQL, but its driver (psycopg) is not installed:"
            " install the tool with its postgres extra, pip install 'p3-workshop-lti[postgres]'"
            " (or '<wheel>[postgres,serve]'), into the tool's virtualenv"
        )


def instance_secret_key(instance_path: str) -> str:
    """Outside production, with no SECRET_KEY set: a random key made on first run and kept in
    the instance folder (mode 0600), so the demo works with no setting and no key is built in."""
    import secrets
    from pathlib import Path

    path = Path(instance_path) / "secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written whole, then linked into place: processes starting together (gunicorn workers,
        # pytest-xdist workers) never read a half-written key, and all keep the first one linked.
        partial = path.with_name(f".secret-key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(partial, path)
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return path.read_text().strip()
