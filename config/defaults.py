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
# Days a rotated-out tool key stays published in the JWKS.
KEY_ROTATION_OVERLAP_DAYS = 7
# HTTP timeout (seconds) for calls to platforms.
HTTP_TIMEOUT = 10

# Trust X-Forwarded-* headers from this many proxies (0: none).
PROXY_FIX = 0
# Serve cookies with SameSite=None; Secure; Partitioned (needed inside an LMS iframe over HTTPS).
COOKIE_SECURE = None  # None: derived from BASE_URL's scheme

# Plugin names (or "kind:name") that are never loaded.
PLUGINS_BLOCKED = ""
LOG_LEVEL = "INFO"

# --- Grade passback (docs/grades.md) ---
# Which grade_passback plugin delivers grades: "auto" (LTI AGS when the launch offers it,
# otherwise the CSV gradebook export) or a plugin name.
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
# Demo LMS only: faults its services inject, e.g. "rate_limit:2,server_error:1" (see
# lti_tool/demo/faults.py); also switchable over HTTP at /demo/faults.
DEMO_FAULTS = ""
