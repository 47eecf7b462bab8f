"""gunicorn settings for the tool: ``gunicorn -c python:lti_tool.deploy.gunicorn_conf``.

Also copied as gunicorn.conf.py by ``flask --app lti_tool deploy files``. Command-line options
(``-b``, ``-w``...) and GUNICORN_CMD_ARGS override what is here. The tool's own settings
(LTI_TOOL_*) are read and checked once in the master process, so a bad one stops gunicorn at once.
"""

import os
from typing import Any

from lti_tool.settings import load_settings

_settings = load_settings()

wsgi_app = "lti_tool:create_app()"
bind = "127.0.0.1:8000"  # behind a TLS-terminating proxy (LTI_TOOL_PROXY_FIX=1)

# Threads absorb the waits on the database and on platforms; processes use the cores.
_cpus = os.cpu_count() or 1
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", _cpus + 1))
threads = 4
# A request may wait on a platform (HTTP_TIMEOUT) more than once; give it room, then recycle.
timeout = max(30, int(_settings["HTTP_TIMEOUT"] * 3))
graceful_timeout = 30
keepalive = 5
# Each worker loads the app itself: its database pool and grade thread are its own.
preload_app = False
# Recycle workers now and then (jitter spreads the restarts). Not every 2,000 requests: a class
# makes ~70 each (autosave), so a worker restarted every minute of a class, booting the app
# again and closing its idle keep-alive connections (connection resets in `make load`).
max_requests = 20000
max_requests_jitter = 2000
forwarded_allow_ips = "127.0.0.1,::1"
# systemd (or docker) signals the master; no control socket in the service user's home.
control_socket_disable = True

# Logs go to stdout (journald, docker...), formatted like the tool's own (LTI_TOOL_LOG_FORMAT).
# The access log has the path without its query string: launch tokens ride in query strings.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'
loglevel = str(_settings["LOG_LEVEL"]).lower()
_formatter = (
    "lti_tool.logs.JsonFormatter" if _settings["LOG_FORMAT"] == "json" else "lti_tool.logs.TextFormatter"
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": _settings["LOG_LEVEL"], "handlers": []},  # the app adds its own handler
    "loggers": {
        "gunicorn.error": {"level": _settings["LOG_LEVEL"], "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "tool"}
    },
    "formatters": {"tool": {"()": _formatter}},
}


def post_worker_init(worker: Any) -> None:
    """Each worker compiles its templates and parses the instruments before it takes a request
    (lti_tool/warmup.py): the first learners of a class do not wait for it."""
    from flask import Flask

    from lti_tool.warmup import warm_up

    if isinstance(worker.wsgi, Flask):
        warm_up(worker.wsgi)
