"""Settings: config/defaults.py, then LTI_TOOL_* environment variables, then a test mapping."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lti_tool_config import defaults

ENV_PREFIX = "LTI_TOOL_"
# Published in earlier versions as the development fallback: refused wherever it turns up.
KNOWN_PUBLIC_SECRET_KEYS = frozenset({"dev-only-secret-change-me"})


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
    if settings.get("COOKIE_SECURE") in (None, ""):
        settings["COOKIE_SECURE"] = settings["BASE_URL"].startswith("https://")
    elif isinstance(settings["COOKIE_SECURE"], str):
        settings["COOKIE_SECURE"] = settings["COOKIE_SECURE"].lower() in {"1", "true", "yes"}
    require = settings.get("REQUIRE_STATE_COOKIE")
    if require in (None, ""):
        require = settings["ENV"] == "production"
    elif isinstance(require, str):
        require = require.strip().lower() in {"1", "true", "yes", "on"}
    settings["REQUIRE_STATE_COOKIE"] = bool(require)
    if not settings.get("DEMO_URL"):
        settings["DEMO_URL"] = default_demo_url(settings["BASE_URL"])
    settings["DEMO_URL"] = str(settings["DEMO_URL"]).rstrip("/")
    _derive_outbound(settings)
    _derive_installation(settings)


def _derive_outbound(settings: dict[str, Any]) -> None:
    """The demo LMS and the tool call each other on the loopback: the demo allows exactly
    those two host:port pairs, nothing else on this machine."""
    allowed = settings.get("OUTBOUND_ALLOWLIST") or ""
    entries = allowed.replace(",", " ").split() if isinstance(allowed, str) else [str(a) for a in allowed]
    if settings.get("DEMO"):
        for url in (settings["DEMO_URL"], settings["BASE_URL"]):
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            entries.append(f"{parts.hostname}:{port}")
    settings["OUTBOUND_ALLOWLIST"] = " ".join(dict.fromkeys(entries))


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
    if settings.get("SECRET_KEY") in KNOWN_PUBLIC_SECRET_KEYS:
        raise SettingsError(f"{ENV_PREFIX}SECRET_KEY is a published value: use a long random one")
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


def instance_secret_key(instance_path: str) -> str:
    """Outside production, with no SECRET_KEY set: a random key made on first run and kept in
    the instance folder (mode 0600), so the demo works with no setting and no key is built in."""
    import secrets
    from pathlib import Path

    path = Path(instance_path) / "secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    return path.read_text().strip()
