"""Default settings. Environment variables prefixed LTI_TOOL_ override them.

Every setting the tool reads is listed here, so this file doubles as the reference.
"""

# Where the tool is reached from the browser and from platforms (no trailing slash).
BASE_URL = "http://127.0.0.1:5000"
# SQLite is the embedded default; PostgreSQL (postgresql+psycopg://...) in production.
DATABASE_URL = "sqlite:///p3-workshop.sqlite"
# Required in production; the development default is refused there.
SECRET_KEY = None
# "development" or "production". Production refuses unsafe settings at start-up.
ENV = "development"
# Serves the demo LMS under /demo/. Refused in production.
DEMO = False
# Where the demo LMS is reached. Defaults to BASE_URL with 127.0.0.1 swapped for
# localhost, so that the LMS and the tool are on different sites, as in real life.
DEMO_URL = None

# Seconds of clock difference tolerated on exp/iat/nbf of platform tokens.
JWT_LEEWAY = 60
# Seconds an OIDC login state is valid between login initiation and launch.
STATE_TTL = 600
# Seconds a platform key set is cached when its response has no caching headers.
PLATFORM_KEYSET_TTL = 3600
# Seconds an in-page launch token (the cookie-less session) stays valid.
LAUNCH_TOKEN_TTL = 4 * 3600
# Days launch records (who launched, with which claims) and refused launches are kept;
# `flask cleanup` deletes older ones. Launches are kept at least as long as their tokens live.
LAUNCH_RETENTION_DAYS = 30
LAUNCH_FAILURE_RETENTION_DAYS = 90
# Days a rotated-out tool key stays published in the JWKS.
KEY_ROTATION_OVERLAP_DAYS = 7
# HTTP timeout (seconds) for calls to platforms.
HTTP_TIMEOUT = 10

# Trust X-Forwarded-* headers from this many proxies (0: none).
PROXY_FIX = 0
# Serve cookies with SameSite=None; Secure; Partitioned (needed inside an LMS iframe over HTTPS).
COOKIE_SECURE = None  # None: derived from BASE_URL's scheme

# Folder of workshop YAML files (None: the workshops shipped with the tool).
# Checked at start-up; `flask content check` names any problem's file, entry and field.
CONTENT_DIR = None

# Plugin names (or "kind:name") that are never loaded.
PLUGINS_BLOCKED = ""
# Plugin names (or "kind:name") that must load, or start-up stops naming them.
PLUGINS_REQUIRED = ""
LOG_LEVEL = "INFO"

# --- Installation: dynamic registration and the administrator area ---
# Who may register the tool through LTI Dynamic Registration (/lti/register):
#   "open"      anyone who opens the registration URL (development default),
#   "allowlist" platforms whose issuer is in REGISTRATION_ALLOWED_ISSUERS, or a one-time link,
#   "token"     only with a one-time registration link made in /admin (production default),
#   "off"       never: register platforms by hand in /admin or with `flask platform add`.
REGISTRATION_MODE = None  # None: "token" in production, "open" otherwise
# Issuers (space or comma separated) allowed to register in "allowlist" mode.
REGISTRATION_ALLOWED_ISSUERS = ""
# Hours a one-time registration link stays usable.
REGISTRATION_LINK_TTL_HOURS = 72
# The tool's name as platforms show it.
TOOL_NAME = "P3 Workshop"
# Password of the administrator area (/admin). Only its hash is kept in memory; a hash made
# with werkzeug.security (e.g. "scrypt:...") is accepted as is. `flask admin set-password`
# stores a hash in the database instead, which then takes precedence.
ADMIN_PASSWORD = None
# Seconds an administrator stays signed in.
ADMIN_SESSION_TTL = 8 * 3600
# Wrong passwords a client (IP address, see PROXY_FIX) may try within the window before it
# must wait; the wait ends when the oldest of those failures leaves the window.
ADMIN_SIGN_IN_MAX_FAILURES = 5
ADMIN_SIGN_IN_WINDOW_SECONDS = 15 * 60

# --- Grade passback (docs/grades.md) ---
# Which grade_passback plugin delivers grades when an activity's settings leave it to the tool:
# "auto" (the available plugin with the highest auto_priority that supports the launch: LTI AGS
# when the launch offers it, otherwise the CSV gradebook export) or a plugin name.
GRADES_PASSBACK = "auto"
# Deliver right after the submission commits, in a background thread of the web process that
# also retries while grades are pending (no extra process needed on one server). Run
# `flask grades work` as well on several servers or to survive restarts.
GRADES_DELIVER_IN_PROCESS = True
# Deliveries in flight at once per worker (a thread pool), and rows claimed per batch.
GRADES_CONCURRENCY = 16
GRADES_BATCH_SIZE = 64
# Seconds a worker owns a claimed grade (must exceed a delivery's HTTP time).
GRADES_LEASE_SECONDS = 300
# Retry delays (seconds): exponential from BASE, capped at MAX, with jitter; Retry-After wins.
GRADES_BACKOFF_BASE = 5
GRADES_BACKOFF_MAX = 3600
# Seconds the worker command sleeps when nothing is due.
GRADES_POLL_SECONDS = 2
# An access token is renewed this many seconds before it expires.
GRADES_TOKEN_MARGIN = 60
# Seconds the course roster (NRPS) fetched for the gradebook page is reused (0: every view
# asks the LMS). The page's "Refresh the roster" link always asks again.
ROSTER_CACHE_SECONDS = 120
# Seconds an activity's points, read from its LMS line item, are trusted before a learner's
# launch reads them again (an instructor's launch and every grade delivery always read them).
GRADES_SCALE_REFRESH_SECONDS = 300
# Demo LMS only: faults its services inject, e.g. "rate_limit:2,server_error:1" (see
# lti_tool/demo/faults.py); also switchable over HTTP at /demo/faults.
DEMO_FAULTS = ""
