"""Every setting the tool reads, declared once: name, type, default and a one-line meaning.

Each setting is a marshmallow field of ``SettingsSchema``; ``LTI_TOOL_<NAME>`` in the
environment sets it, parsed and validated by that field. docs/settings.md is generated from this
file (``flask --app lti_tool config docs``) and a test keeps it current.

Declaring a setting: add one line in the right section below, e.g.
``MY_TIMEOUT = lti.seconds(10, "Seconds a call to ... may take.")``. A default of ``None`` means
"derived" (say from what in the help); ``secret=True`` masks it in ``config show``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
REGISTRATION_MODES = ("open", "allowlist", "token", "off")


# Not Field[list[str]]: marshmallow 3 (pyproject allows it) has no subscriptable Field at run time.
class NameList(fields.Field):  # type: ignore[type-arg]
    """Names separated by commas or spaces (or a list, from Python)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if isinstance(value, str):
            return value.replace(",", " ").split()
        if isinstance(value, list | tuple | set | frozenset):
            return [str(v).strip() for v in value if str(v).strip()]
        raise ValidationError("Not a list of names.")


class DatabaseUrl(fields.String):
    """An SQLAlchemy URL for SQLite or PostgreSQL."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(text)
        except ArgumentError as exc:
            raise ValidationError("Not a database URL (e.g. postgresql://user@host/db).") from exc
        backend = url.get_backend_name()
        if backend not in {"sqlite", "postgresql"}:
            raise ValidationError(f"Use sqlite:/// or postgresql://, not {backend}://.")
        # The drivers the tool ships with (the standard library's sqlite3, psycopg 3 from the
        # [postgres] extra): another would stop later with an import traceback.
        if url.drivername not in {"sqlite", "postgresql", "postgresql+psycopg"}:
            raise ValidationError(f"Use sqlite:/// or postgresql://, not {url.drivername}://.")
        return text


class UpperChoice(fields.String):
    """One of a few words, case-insensitive (stored upper-case)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


class Section:
    """Declares the settings of one documentation section; each method returns a field."""

    def __init__(self, title: str) -> None:
        self.title = title

    def _field(
        self,
        cls: type[fields.Field[Any]],
        default: Any,
        help: str,
        type_name: str,
        *,
        secret: bool = False,
        validators: Sequence[Any] = (),
        **kwargs: Any,
    ) -> Any:
        meta = {"help": help, "type": type_name, "section": self.title, "secret": secret}
        return cls(
            load_default=default,
            allow_none=default is None,
            validate=list(validators),
            metadata=meta,
            **kwargs,
        )

    def text(self, default: str | None, help: str, *, secret: bool = False) -> Any:
        return self._field(fields.String, default, help, "text", secret=secret)

    def choice(self, default: str | None, choices: Iterable[str], help: str) -> Any:
        options = tuple(choices)
        return self._field(
            fields.String, default, help, " / ".join(options), validators=[validate.OneOf(options)]
        )

    def level(self, default: str, help: str) -> Any:
        return self._field(UpperChoice, default, help, "log level", validators=[validate.OneOf(LOG_LEVELS)])

    def boolean(self, default: bool | None, help: str) -> Any:
        return self._field(fields.Boolean, default, help, "boolean (1/0, true/false, yes/no)")

    def integer(self, default: int, help: str, *, minimum: int = 0) -> Any:
        return self._field(
            fields.Integer,
            default,
            help,
            f"integer >= {minimum}",
            validators=[validate.Range(min=minimum)],
            strict=False,
        )

    def seconds(self, default: float, help: str) -> Any:
        return self._field(
            fields.Float, default, help, "seconds (number >= 0)", validators=[validate.Range(min=0)]
        )

    def url(self, default: str | None, help: str) -> Any:
        return self._field(
            fields.Url, default, help, "http(s) URL", schemes={"http", "https"}, require_tld=False
        )

    def database(self, default: str, help: str) -> Any:
        return self._field(DatabaseUrl, default, help, "database URL", secret=True)

    def names(self, help: str) -> Any:
        return self._field(NameList, "", help, "names (comma or space separated)")

    def plugin(self, kind: str, default: str, help: str, *, also: Sequence[str] = ()) -> Any:
        """A plugin's name; checked against the available plugins of that kind at start-up."""
        field = self._field(fields.String, default, help, f"{kind} plugin name")
        field.metadata["plugin_kind"] = kind
        field.metadata["plugin_also"] = tuple(also)
        return field


core = Section("Core")
lti = Section("LTI")
install = Section("Installation: registration and the administrator area")
plugins = Section("Plugins")
grades = Section("Grade passback (docs/grades.md)")
demo = Section("Demo LMS")


class SettingsSchema(Schema):
    """The tool's settings. Order here is the order of docs/settings.md."""

    # --- Core ---
    ENV = core.choice(
        "development",
        ("development", "production", "testing"),
        "production refuses unsafe settings at start-up; testing is for the test suite.",
    )
    BASE_URL = core.url(
        "http://127.0.0.1:5000", "Where browsers and platforms reach the tool (no trailing slash)."
    )
    SECRET_KEY = core.text(
        None,
        "Signs launch tokens and encrypts the tool's private keys; required (32+ characters) in "
        "production; unset elsewhere: a random key made once in the instance folder (secret-key).",
        secret=True,
    )
    DATABASE_URL = core.database(
        "sqlite:///p3-workshop.sqlite",
        "SQLite (a relative path lives in the instance folder: `<venv>/var/lti_tool-instance/` for an"
        " installed wheel; `config show` prints the file) or postgresql://user:pw@host/db.",
    )
    PROXY_FIX = core.integer(0, "Trust X-Forwarded-* headers from this many proxies in front (0: none).")
    COOKIE_SECURE = core.boolean(
        None,
        "Cookies SameSite=None; Secure; Partitioned, as an LMS iframe needs; unset: on when BASE_URL "
        "is https.",
    )
    LOG_LEVEL = core.level("INFO", "Least severe log messages written.")
    LOG_FORMAT = core.choice(
        "text",
        ("text", "json"),
        "json: one JSON object per line with the request, platform and launch ids.",
    )
    CONTENT_DIR = core.text(
        None, "Folder of workshop YAML files; unset: the workshops shipped with the tool."
    )
    TOOL_NAME = core.text("P3 Workshop", "The tool's name as platforms show it.")

    # --- LTI ---
    JWT_LEEWAY = lti.integer(60, "Seconds of clock difference tolerated on exp/iat/nbf of platform tokens.")
    STATE_TTL = lti.integer(600, "Seconds an OIDC login state is valid between login and launch.")
    REQUIRE_STATE_COOKIE = lti.boolean(
        None,
        "Refuse launches whose login is not bound to the browser (by the state cookie or the LMS's "
        "platform storage), offering a new window instead; unset: on in production, off otherwise "
        "(docs/decisions/0004).",
    )
    PLATFORM_STORAGE = lti.boolean(
        True,
        "Keep the login state in the LMS's platform storage when the LMS offers it (Canvas), so a "
        "launch in an iframe works without cookies; off: only the state cookie binds a login to "
        "the browser. Turn it off where other frames of the LMS page can write that storage "
        "(docs/security.md, docs/decisions/0034).",
    )
    PLATFORM_KEYSET_TTL = lti.integer(
        3600, "Seconds a platform key set is cached when its response has no caching headers."
    )
    LAUNCH_TOKEN_TTL = lti.integer(
        15 * 60,
        "Seconds an in-page launch token stays valid; every page gets a fresh one and an open page "
        "renews its own, so a token copied from a log is soon useless.",
        minimum=1,
    )
    LAUNCH_RETENTION_DAYS = lti.integer(
        30, "Days launch records are kept (`flask cleanup` deletes older ones).", minimum=1
    )
    LEARN_FIRST_DEPLOYMENT = lti.boolean(
        True,
        "A platform registered by Dynamic Registration without a deployment ID (Canvas) takes the "
        "deployment ID of its first valid launch, shown in /admin; off: an administrator adds it "
        "(docs/decisions/0020-learned-deployments.md).",
    )
    LAUNCH_FAILURE_RETENTION_DAYS = lti.integer(90, "Days refused launches are kept.", minimum=1)
    KEY_ROTATION_OVERLAP_DAYS = lti.integer(7, "Days a rotated-out tool key stays published in the JWKS.")
    HTTP_TIMEOUT = lti.seconds(
        10, "Total seconds one outbound call may take, from connecting to the last byte (docs/security.md)."
    )
    OUTBOUND_ALLOWLIST = lti.text(
        "",
        "Hosts, host:port, IP addresses or networks (CIDR) the tool may call although they are not "
        "public addresses (space or comma separated); empty: public addresses only. The demo adds "
        "its own two hosts.",
    )
    MAX_CONTENT_LENGTH = lti.integer(
        1_000_000,
        "Largest request body in bytes (413 beyond); the activity settings form, which may carry a "
        "catalogue file, accepts 2 MB.",
        minimum=1024,
    )

    # --- Installation ---
    REGISTRATION_MODE = install.choice(
        None,
        REGISTRATION_MODES,
        "Who may use Dynamic Registration: open, allowlist (REGISTRATION_ALLOWED_ISSUERS), token "
        "(one-time links from /admin), off; unset: token in production, open otherwise.",
    )
    REGISTRATION_ALLOWED_ISSUERS = install.names('Issuers allowed to register in "allowlist" mode.')
    REGISTRATION_LINK_TTL_HOURS = install.integer(
        72, "Hours a one-time registration link stays usable.", minimum=1
    )
    ADMIN_PASSWORD = install.text(
        None,
        "Password of /admin (a werkzeug hash such as scrypt:... is accepted as is); one set with "
        "`flask admin set-password` wins.",
        secret=True,
    )
    ADMIN_SESSION_TTL = install.integer(8 * 3600, "Seconds an administrator stays signed in.", minimum=1)
    ADMIN_SIGN_IN_MAX_FAILURES = install.integer(
        5,
        "Wrong passwords a client (an IPv4 address, an IPv6 /64) may try within the window before "
        "it must wait (0: no limit, and no global ceiling either).",
    )
    ADMIN_SIGN_IN_WINDOW_SECONDS = install.integer(
        15 * 60, "The window (seconds) in which wrong passwords are counted.", minimum=1
    )
    ADMIN_SIGN_IN_GLOBAL_MAX_FAILURES = install.integer(
        50,
        "Wrong passwords from all clients together within the window; past it sign-in waits for "
        "everyone, the administrator too, until the oldest leaves the window (0: no ceiling).",
    )

    # --- Plugins ---
    PLUGINS_BLOCKED = plugins.names('Plugins (name or "kind:name") never loaded.')
    PLUGINS_REQUIRED = plugins.names('Plugins (name or "kind:name") that must load, or start-up stops.')

    # --- Grade passback ---
    GRADES_PASSBACK = grades.plugin(
        "grade_passback",
        "auto",
        "Which plugin delivers grades when an activity leaves it to the tool; auto: the available one "
        "with the highest auto_priority that supports the launch (LTI AGS, else the CSV export).",
        also=("auto",),
    )
    GRADES_DELIVER_IN_PROCESS = grades.boolean(
        True, "Web processes deliver right after a submission and retry while grades are pending."
    )
    GRADES_CONCURRENCY = grades.integer(16, "Deliveries in flight at once per worker.", minimum=1)
    GRADES_BATCH_SIZE = grades.integer(64, "Grades claimed per batch.", minimum=1)
    GRADES_LEASE_SECONDS = grades.integer(
        300, "Seconds a worker owns a claimed grade (must exceed a delivery's HTTP time).", minimum=1
    )
    GRADES_BACKOFF_BASE = grades.seconds(5, "First retry delay; doubles each try, with jitter.")
    GRADES_BACKOFF_MAX = grades.seconds(3600, "Longest retry delay (a platform's Retry-After wins).")
    GRADES_POLL_SECONDS = grades.seconds(2, "Seconds the worker sleeps when nothing is due.")
    GRADES_TOKEN_MARGIN = grades.seconds(60, "Renew an access token this many seconds before it expires.")
    ROSTER_CACHE_SECONDS = grades.integer(
        120, "Seconds the course roster (NRPS) is reused by the gradebook page (0: always ask)."
    )
    ROSTER_MAX_MEMBERS = grades.integer(
        10_000,
        "Members a course roster (NRPS) may have: a larger one is not read to the end nor shown "
        "(the page says so). A roster is read within 2 x HTTP_TIMEOUT in all, 8 MB at most.",
        minimum=1,
    )
    GRADES_SCALE_REFRESH_SECONDS = grades.seconds(
        300,
        "Seconds an activity's points, read from its LMS line item, are trusted before a learner's "
        "launch reads them again (an instructor's launch and every delivery always read them).",
    )

    # --- Demo LMS ---
    DEMO = demo.boolean(False, "Serve the demo LMS under /demo/ (refused in production).")
    DEMO_URL = demo.url(
        None, "Where the demo LMS is reached; unset: BASE_URL with 127.0.0.1 and localhost swapped."
    )
    DEMO_FAULTS = demo.text(
        "", 'Faults the demo services inject, e.g. "rate_limit:2,server_error:1" (lti_tool/demo/faults.py).'
    )


SCHEMA = SettingsSchema()
FIELDS: dict[str, fields.Field[Any]] = dict(SCHEMA.fields)

# Keys of app.config the code reads that are not settings: set by the app itself or by Flask.
NOT_SETTINGS = {
    "ADMIN_PASSWORD_HASH": "derived from ADMIN_PASSWORD (only the hash is kept in memory)",
    "PLUGINS_EXTRA": "tests only: extra plugin classes next to the installed ones",
    "TESTING": "Flask's; on when ENV is testing",
    "SETTINGS_SOURCES": "where each setting came from: default, environment or override",
}
