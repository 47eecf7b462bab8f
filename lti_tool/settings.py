"""Settings: lti_tool/defaults.py, then LTI_TOOL_* environment variables, then a test mapping."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lti_tool import defaults

ENV_PREFIX = "LTI_TOOL_"
DEV_SECRET_KEY = "dev-only-secret-change-me"


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the message names it."""


def _coerce(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool) or name in {"DEMO"}:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int) and not isinstance(default, bool):
        try:
            return int(raw)
        except ValueError as exc:
            raise SettingsError(f"{ENV_PREFIX}{name} must be a whole number, got {raw!r}") from exc
    return raw


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    settings = {k: v for k, v in vars(defaults).items() if k.isupper()}
    for name, default in list(settings.items()):
        if ENV_PREFIX + name in environ:
            settings[name] = _coerce(name, environ[ENV_PREFIX + name], default)
    settings.update(overrides or {})
    _derive(settings)
    check_settings(settings)
    return settings


def _derive(settings: dict[str, Any]) -> None:
    settings["BASE_URL"] = str(settings["BASE_URL"]).rstrip("/")
    if not settings.get("SECRET_KEY") and settings["ENV"] != "production":
        settings["SECRET_KEY"] = DEV_SECRET_KEY
    if settings.get("COOKIE_SECURE") in (None, ""):
        settings["COOKIE_SECURE"] = settings["BASE_URL"].startswith("https://")
    elif isinstance(settings["COOKIE_SECURE"], str):
        settings["COOKIE_SECURE"] = settings["COOKIE_SECURE"].lower() in {"1", "true", "yes"}
    if not settings.get("DEMO_URL"):
        settings["DEMO_URL"] = default_demo_url(settings["BASE_URL"])
    settings["DEMO_URL"] = str(settings["DEMO_URL"]).rstrip("/")
    _derive_installation(settings)


REGISTRATION_MODES = ("open", "allowlist", "token", "off")
_HASH_PREFIXES = ("scrypt:", "pbkdf2:")


def _derive_installation(settings: dict[str, Any]) -> None:
    """Registration mode and allow-list, and the admin password reduced to its hash."""
    mode = settings.get("REGISTRATION_MODE")
    if mode in (None, ""):
        mode = "token" if settings["ENV"] == "production" else "open"
    settings["REGISTRATION_MODE"] = str(mode).strip().lower()
    allowed = settings.get("REGISTRATION_ALLOWED_ISSUERS") or ""
    if isinstance(allowed, str):
        allowed = allowed.replace(",", " ").split()
    settings["REGISTRATION_ALLOWED_ISSUERS"] = [str(i).rstrip("/") for i in allowed]
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
    """Refuse to start with settings that are unsafe in production."""
    if settings["ENV"] not in {"development", "production", "testing"}:
        raise SettingsError(f"{ENV_PREFIX}ENV must be development or production, got {settings['ENV']!r}")
    if urlsplit(settings["BASE_URL"]).scheme not in {"http", "https"}:
        raise SettingsError(f"{ENV_PREFIX}BASE_URL must be an http(s) URL, got {settings['BASE_URL']!r}")
    if settings.get("REGISTRATION_MODE", "open") not in REGISTRATION_MODES:
        raise SettingsError(
            f"{ENV_PREFIX}REGISTRATION_MODE must be one of "
            f"{', '.join(REGISTRATION_MODES)}, "
            f"got {settings['REGISTRATION_MODE']!r}"
        )
    if settings["ENV"] != "production":
        return
    problems = []
    if not settings.get("SECRET_KEY") or settings["SECRET_KEY"] == DEV_SECRET_KEY:
        problems.append(f"{ENV_PREFIX}SECRET_KEY is not set (use a long random value)")
    elif len(str(settings["SECRET_KEY"])) < 32:
        problems.append(f"{ENV_PREFIX}SECRET_KEY is too short (at least 32 characters)")
    if settings.get("DEMO"):
        problems.append(f"{ENV_PREFIX}DEMO is on (the demo LMS must never run in production)")
    if not settings["BASE_URL"].startswith("https://"):
        problems.append(f"{ENV_PREFIX}BASE_URL must be https:// in production (LMS iframes need it)")
    if problems:
        raise SettingsError("Unsafe settings for production: " + "; ".join(problems))
