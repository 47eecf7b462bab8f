"""Logging: plain text or one JSON object per line (LOG_FORMAT), to stdout, with request ids.

Every request gets an id (a sane incoming X-Request-Id from the proxy is kept, otherwise a new
one), returned in the X-Request-Id response header. Each log line written while a request is
handled carries it, and the platform and launch ids once the request knows them (``note`` sets
them; the launch of a request is noted when it is loaded). The gunicorn access log uses the
same formatter (lti_tool/deploy/gunicorn_conf.py).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# Fields a record may carry, in the order they are written.
CONTEXT_FIELDS = ("request_id", "platform_id", "launch_id")
_HANDLER_NAME = "lti_tool"


def note(**ids: Any) -> None:
    """Remember ids of this request for its log lines (platform_id=..., launch_id=...)."""
    if has_request_context():
        for key, value in ids.items():
            if value is not None:
                setattr(g, f"log_{key}", value)


class ContextFilter(logging.Filter):
    """Adds the request, platform and launch ids of the current request to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            for key in CONTEXT_FIELDS:
                if getattr(record, key, None) is None:
                    setattr(record, key, g.get(f"log_{key}"))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry.update(_access_fields(record.args))
        else:
            entry["message"] = record.getMessage()
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = " ".join(f"{k}={getattr(record, k)}" for k in CONTEXT_FIELDS if getattr(record, k, None))
        return f"{text} [{ids}]" if ids else text


def _access_fields(atoms: dict[str, Any]) -> dict[str, Any]:
    """gunicorn's access atoms, without the query string (launch tokens ride in URLs)."""
    return {
        "message": f"{atoms.get('m')} {atoms.get('U')} {atoms.get('s')}",
        "method": atoms.get("m"),
        "path": atoms.get("U"),
        "status": atoms.get("s"),
        "bytes": atoms.get("B"),
        "duration_ms": round(int(atoms.get("D") or 0) / 1000, 1),
        "remote": atoms.get("h"),
        "request_id": atoms.get("{x-request-id}o") or None,
    }


class _StdoutHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stdout is at the time (test runners swap it)."""

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(log_format: str, level: str) -> None:
    """One handler on the root logger, writing to stdout (replaced, never duplicated)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = _StdoutHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter(log_format))
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic chatters at INFO whenever it looks at a database (`flask db ...` set their own
    # levels from alembic.ini, so their "Running upgrade" lines still show).
    logging.getLogger("alembic").setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.before_request(_start_request)
    app.after_request(_tag_response)


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.log_request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex


def _tag_response(response: Response) -> Response:
    request_id = g.get("log_request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response
