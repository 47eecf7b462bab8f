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

# Folder of workshop YAML files (None: the workshops shipped with the tool).
# Checked at start-up; `flask content check` names any problem's file, entry and field.
CONTENT_DIR = None

# Plugin names (or "kind:name") that are never loaded.
PLUGINS_BLOCKED = ""
LOG_LEVEL = "INFO"
