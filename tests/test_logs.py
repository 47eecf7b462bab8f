"""Structured logs: one JSON object per line, with the request id and, once known, the
platform and launch ids; the request id comes back as X-Request-Id."""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask

from lti_tool import create_app, logs


def _app(log_format: str) -> Flask:
    app = create_app({"ENV": "testing", "DATABASE_URL": "sqlite://", "LOG_FORMAT": log_format})

    @app.route("/_log-something")
    def log_something() -> str:
        logs.note(platform_id=7, launch_id="launch-1")
        logging.getLogger("lti_tool.test").warning("grade sent for %s", "ben")
        return "ok"

    return app


def _lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_json_lines_carry_the_request_platform_and_launch_ids(capsys: pytest.CaptureFixture[str]) -> None:
    client = _app("json").test_client()
    response = client.get("/_log-something", headers={"X-Request-Id": "proxy-id-123456"})
    assert response.headers["X-Request-Id"] == "proxy-id-123456"  # the proxy's id is kept
    entry = next(e for e in _lines(capsys.readouterr().out) if e["logger"] == "lti_tool.test")
    assert entry["message"] == "grade sent for ben" and entry["level"] == "WARNING"
    assert entry["request_id"] == "proxy-id-123456"
    assert entry["platform_id"] == 7 and entry["launch_id"] == "launch-1"
    assert str(entry["time"]).endswith("+00:00")


def test_an_odd_incoming_request_id_is_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    client = _app("json").test_client()
    first = client.get("/_log-something", headers={"X-Request-Id": "x y\u00e9" * 30})
    second = client.get("/_log-something")
    ids = {first.headers["X-Request-Id"], second.headers["X-Request-Id"]}
    assert len(ids) == 2 and all(len(i) == 32 and i.isalnum() for i in ids)
    logged = {e["request_id"] for e in _lines(capsys.readouterr().out) if e["logger"] == "lti_tool.test"}
    assert logged == ids


def test_text_lines_name_the_ids_too(capsys: pytest.CaptureFixture[str]) -> None:
    response = _app("text").test_client().get("/_log-something")
    line = next(x for x in capsys.readouterr().out.splitlines() if "grade sent for ben" in x)
    assert "WARNING lti_tool.test: grade sent for ben" in line
    assert f"request_id={response.headers['X-Request-Id']} platform_id=7 launch_id=launch-1" in line


def test_a_logged_exception_stays_on_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    _app("json")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("lti_tool.test").exception("it failed")
    entry = next(e for e in _lines(capsys.readouterr().out) if e["logger"] == "lti_tool.test")
    assert "ValueError: boom" in str(entry["exception"]) and "request_id" not in entry
