"""`flask check [--deploy]`: what an operator runs first. Each problem is one line with its fix.

Without --deploy: what stops the tool from working at all (database, migrations, keys) is an
error; the rest are warnings. With --deploy, the production rules (https, a strong secret set in
the environment, an administrator password, a stated registration mode and outbound allow-list,
a grade worker at work, no grades stuck) are errors too. Settings were already parsed and
validated when the app was built: a bad one never gets this far.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select, text

from lti_tool.extensions import db
from lti_tool.i18n import N_
from lti_tool.i18n import gettext as _
from lti_tool.models.base import utcnow
from lti_tool.settings import ENV_PREFIX, INLINE_COMMENT, KNOWN_PUBLIC_SECRET_KEYS, SOURCES_KEY
from lti_tool.settings_schema import FIELDS

ERROR = "error"
WARNING = "warning"
PENDING_TOO_LONG = timedelta(hours=1)
MIN_SECRET_LENGTH = 32


MIGRATE_FIX = N_("run `flask --app lti_tool db upgrade` (back up the database first)")


@dataclass(frozen=True)
class Problem:
    level: str
    message: str
    fix: str

    def line(self) -> str:
        level = _("ERROR") if self.level == ERROR else _("WARNING")
        return _(
            "%(level)s: %(problem)s. Fix: %(fix)s.",
            level=level,
            problem=self.message,
            fix=self.fix.rstrip("."),
        )


def run_checks(app: Flask, deploy: bool = False) -> list[Problem]:
    """Every problem found, errors first."""
    with app.app_context():
        problems = list(_settings(app.config, deploy))
        problems += list(_inline_comments(app.config))
        if _database_reachable(problems):
            schema = list(_migrations(app))
            problems += schema
            if not schema:  # the rest reads tables that only the current schema is sure to have
                problems += list(_keys(app.config, deploy))
                problems += list(_admin_password(app.config, deploy))
                problems += list(_grades(deploy))
        db.session.remove()
    return sorted(problems, key=lambda p: p.level != ERROR)


def _level(deploy: bool) -> str:
    return ERROR if deploy else WARNING


def _set_in_environment(config: Mapping[str, Any], name: str) -> bool:
    return config.get(SOURCES_KEY, {}).get(name) in ("environment", "override")


def _settings(config: Mapping[str, Any], deploy: bool) -> Iterator[Problem]:
    if not deploy:
        return
    if config["ENV"] != "production":
        yield Problem(
            ERROR,
            _("%(prefix)sENV is %(value1)s", prefix=ENV_PREFIX, value1=repr(config["ENV"])),
            _("set %(prefix)sENV=production", prefix=ENV_PREFIX),
        )
    if not str(config["BASE_URL"]).startswith("https://"):
        yield Problem(
            ERROR,
            _(
                "%(prefix)sBASE_URL is not https (%(url)s): LMS iframes need it",
                prefix=ENV_PREFIX,
                url=config["BASE_URL"],
            ),
            _("serve the tool over HTTPS and set %(prefix)sBASE_URL=https://...", prefix=ENV_PREFIX),
        )
    yield from _secret(config)
    if not config.get("COOKIE_SECURE") and str(config["BASE_URL"]).startswith("https://"):
        yield Problem(
            ERROR,
            _(
                "%(prefix)sCOOKIE_SECURE is off: browsers drop the tool's cookies inside an LMS iframe",
                prefix=ENV_PREFIX,
            ),
            _("unset %(prefix)sCOOKIE_SECURE (it follows the https BASE_URL)", prefix=ENV_PREFIX),
        )
    if config.get("DEMO"):
        yield Problem(
            ERROR,
            _("%(prefix)sDEMO is on", prefix=ENV_PREFIX),
            _("unset %(prefix)sDEMO: never run the demo LMS in production", prefix=ENV_PREFIX),
        )
    mode = config.get("REGISTRATION_MODE")
    if not _set_in_environment(config, "REGISTRATION_MODE"):
        yield Problem(
            ERROR,
            _("%(prefix)sREGISTRATION_MODE is not stated (now %(mode)s)", prefix=ENV_PREFIX, mode=repr(mode)),
            _(
                "choose who may register the tool: %(prefix)sREGISTRATION_MODE=token, allowlist or off",
                prefix=ENV_PREFIX,
            ),
        )
    elif mode == "open":
        yield Problem(
            ERROR,
            _(
                "%(prefix)sREGISTRATION_MODE is open: anyone with the URL can register a platform",
                prefix=ENV_PREFIX,
            ),
            _(
                "set %(prefix)sREGISTRATION_MODE=token (one-time links from /admin), allowlist or off",
                prefix=ENV_PREFIX,
            ),
        )
    elif mode == "allowlist" and not config.get("REGISTRATION_ALLOWED_ISSUERS"):
        yield Problem(
            ERROR,
            _("%(prefix)sREGISTRATION_MODE is allowlist but no issuer is allowed", prefix=ENV_PREFIX),
            _("list them in %(prefix)sREGISTRATION_ALLOWED_ISSUERS, or use token mode", prefix=ENV_PREFIX),
        )
    if not _set_in_environment(config, "OUTBOUND_ALLOWLIST"):
        yield Problem(
            ERROR,
            _("%(prefix)sOUTBOUND_ALLOWLIST is not stated", prefix=ENV_PREFIX),
            _(
                "set %(prefix)sOUTBOUND_ALLOWLIST to the non-public hosts the tool may call, or to an "
                "empty value for public addresses only",
                prefix=ENV_PREFIX,
            ),
        )
    if not config.get("PROXY_FIX"):
        yield Problem(
            WARNING,
            _(
                "%(prefix)sPROXY_FIX is 0: behind a proxy every client looks like the proxy",
                prefix=ENV_PREFIX,
            ),
            _("set %(prefix)sPROXY_FIX=1 when one TLS-terminating proxy is in front", prefix=ENV_PREFIX),
        )
    if str(config.get("DATABASE_URL", "")).startswith("sqlite"):
        yield Problem(
            WARNING,
            _("the database is SQLite"),
            _("use PostgreSQL in production (%(prefix)sDATABASE_URL=postgresql://...)", prefix=ENV_PREFIX),
        )


def _inline_comments(config: Mapping[str, Any]) -> Iterator[Problem]:
    """A value set with what looks like an inline comment: accepted (a secret, an allow-list, a
    list of names take any text), but the comment is part of it. Named, never shown (a secret)."""
    for name in FIELDS:
        value = config.get(name)
        text = " ".join(map(str, value)) if isinstance(value, list | tuple) else value
        if _set_in_environment(config, name) and isinstance(text, str) and INLINE_COMMENT.search(text):
            yield Problem(
                WARNING,
                _(
                    "the value of %(prefix)s%(name)s has what looks like an inline comment (a space, "
                    "then #): the settings file (systemd's EnvironmentFile) keeps it as part of the value",
                    prefix=ENV_PREFIX,
                    name=name,
                ),
                _("put the comment on a line of its own in the settings file"),
            )


def _secret(config: Mapping[str, Any]) -> Iterator[Problem]:
    secret = str(config.get("SECRET_KEY") or "")
    fix = (
        f"set {ENV_PREFIX}SECRET_KEY to a long random value "
        "(python -c 'import secrets; print(secrets.token_urlsafe(48))') and keep it"
    )
    if not _set_in_environment(config, "SECRET_KEY") or secret in KNOWN_PUBLIC_SECRET_KEYS:
        yield Problem(ERROR, _("%(prefix)sSECRET_KEY is not set in the environment", prefix=ENV_PREFIX), fix)
    elif len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < 10:
        yield Problem(
            ERROR,
            _("%(prefix)sSECRET_KEY is weak (short, or few different characters)", prefix=ENV_PREFIX),
            fix,
        )


def _database_reachable(problems: list[Problem]) -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # noqa: BLE001  (whatever the driver raises, the operator needs one line)
        detail = str(exc).splitlines()[0][:200]
        problems.append(
            Problem(
                ERROR,
                _("the database does not answer (%(detail)s)", detail=detail),
                _("check %(prefix)sDATABASE_URL and that the database server runs", prefix=ENV_PREFIX),
            )
        )
        return False


def _migrations(app: Flask) -> Iterator[Problem]:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    heads = set(script.get_heads())
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())  # logs at INFO: see logs.py
    if current == heads:
        return
    fix = _(MIGRATE_FIX)
    unknown = sorted(r for r in current if not _exists(script, r))
    if not current:
        yield Problem(ERROR, _("the database is empty (not migrated)"), fix)
    elif unknown:
        yield Problem(
            ERROR,
            _(
                "the database is at revision %(value0)s, unknown to this release (a newer one?)",
                value0=", ".join(unknown),
            ),
            _("install the release that migrated it"),
        )
    else:
        yield Problem(
            ERROR,
            _(
                "the database is not migrated to this release's schema (at %(value0)s, needs %(value1)s)",
                value0=", ".join(sorted(current)),
                value1=", ".join(sorted(heads)),
            ),
            fix,
        )


def _exists(script: Any, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # noqa: BLE001  (alembic raises several kinds for an unknown revision)
        return False


def _keys(config: Mapping[str, Any], deploy: bool) -> Iterator[Problem]:
    from cryptography.fernet import InvalidToken

    from lti_tool.lti import keys as tool_keys
    from lti_tool.models import ToolKey

    active = db.session.scalars(
        select(ToolKey).where(ToolKey.active.is_(True)).order_by(ToolKey.id.desc()).limit(1)
    ).first()
    if active is None:
        yield Problem(
            _level(deploy),
            _("the tool has no signing key yet (one would be made on first use)"),
            _("run `flask --app lti_tool keys rotate` once"),
        )
        return
    try:
        tool_keys.current_signing_key(str(config["SECRET_KEY"]))
    except InvalidToken:
        yield Problem(
            ERROR,
            _(
                "the signing key cannot be decrypted with this %(prefix)sSECRET_KEY (was it changed?)",
                prefix=ENV_PREFIX,
            ),
            _(
                "restore the previous %(prefix)sSECRET_KEY, or run `flask --app lti_tool keys rotate` "
                "and let the platforms fetch the new key set",
                prefix=ENV_PREFIX,
            ),
        )


def _admin_password(config: Mapping[str, Any], deploy: bool) -> Iterator[Problem]:
    from lti_tool.services.admin_auth import admin_password_hash

    if not admin_password_hash(config):
        yield Problem(
            _level(deploy),
            _("no administrator password: /admin cannot be used"),
            _(
                "run `flask --app lti_tool admin set-password` (or set %(prefix)sADMIN_PASSWORD)",
                prefix=ENV_PREFIX,
            ),
        )


def _grades(deploy: bool) -> Iterator[Problem]:
    from lti_tool.models import Grade
    from lti_tool.models.grades import PENDING
    from lti_tool.services.heartbeat import STALE_AFTER, last_seen

    now = utcnow()
    seen = last_seen("grades")
    fix = "run `flask --app lti_tool grades work` as a service (systemd unit p3-workshop-grades)"
    if seen is None:
        yield Problem(_level(deploy), _("no grade worker has ever run"), fix)
    elif now - seen > STALE_AFTER:
        minutes = int((now - seen).total_seconds() // 60)
        yield Problem(
            _level(deploy), _("the grade worker was last seen %(minutes)s minutes ago", minutes=minutes), fix
        )
    from lti_tool.services.grades.held import deliverable

    # Held grades (their platform disabled in /admin) wait on purpose: not a delivery problem.
    stuck = db.session.scalar(
        select(func.count()).where(
            Grade.status == PENDING, Grade.graded_at < now - PENDING_TOO_LONG, deliverable()
        )
    )
    if stuck:
        yield Problem(
            _level(deploy),
            _("%(num)s grade(s) pending for more than an hour", num=stuck),
            _(
                "see `flask --app lti_tool grades status` and /admin for the platforms' answers; "
                "check that the grade worker runs"
            ),
        )
