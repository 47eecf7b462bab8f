"""The app factory and its settings."""

from __future__ import annotations

import pytest

from lti_tool import SettingsError, create_app
from lti_tool.settings import load_settings

PROD = {"ENV": "production", "BASE_URL": "https://tool.example", "DATABASE_URL": "sqlite://"}


def test_testing_config_is_applied() -> None:
    app = create_app({"ENV": "testing", "DATABASE_URL": "sqlite://", "JWT_LEEWAY": 5})
    assert app.config["JWT_LEEWAY"] == 5 and app.testing


def test_environment_variables_override_defaults() -> None:
    settings = load_settings({"LTI_TOOL_JWT_LEEWAY": "90", "LTI_TOOL_DEMO": "1"})
    assert settings["JWT_LEEWAY"] == 90 and settings["DEMO"] is True


def test_bad_number_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="LTI_TOOL_JWT_LEEWAY"):
        load_settings({"LTI_TOOL_JWT_LEEWAY": "soon"})


def test_production_needs_a_secret_key() -> None:
    with pytest.raises(SettingsError, match="LTI_TOOL_SECRET_KEY"):
        create_app(PROD)


def test_production_refuses_the_demo() -> None:
    with pytest.raises(SettingsError, match="LTI_TOOL_DEMO"):
        create_app({**PROD, "SECRET_KEY": "x" * 40, "DEMO": True})


def test_production_with_safe_settings_starts() -> None:
    app = create_app({**PROD, "SECRET_KEY": "x" * 40})
    assert app.config["SESSION_COOKIE_SAMESITE"] == "None"
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_PARTITIONED"]
    assert "demo" not in app.blueprints


def test_demo_lms_is_on_another_site() -> None:
    settings = load_settings({}, {"BASE_URL": "http://127.0.0.1:5000"})
    assert settings["DEMO_URL"] == "http://localhost:5000"


def test_a_required_plugin_that_is_missing_stops_start_up() -> None:
    from lti_tool.plugin_manager import PluginConfigError

    with pytest.raises(PluginConfigError, match="no_such_model"):
        create_app({"ENV": "testing", "DATABASE_URL": "sqlite://", "PLUGINS_REQUIRED": "no_such_model"})


def test_blocked_plugin_is_listed_as_blocked() -> None:
    app = create_app({"ENV": "testing", "DATABASE_URL": "sqlite://", "PLUGINS_BLOCKED": "importance_gap"})
    from lti_tool.plugin_manager import plugins

    status = {i.name: i.status for i in plugins(app).describe()}
    assert status["importance_gap"] == "blocked" and status["threshold_bands"] == "available"


def test_html_pages_allow_only_their_own_scripts(app) -> None:  # type: ignore[no-untyped-def]
    import re

    client = app.test_client()
    first = client.post("/lti/launch/confirm", data={"pending": "x"})  # any HTML page
    second = client.get("/admin/login")
    policies = [r.headers["Content-Security-Policy"] for r in (first, second)]
    nonces = [re.search(r"'nonce-([^']+)'", p).group(1) for p in policies]  # type: ignore[union-attr]
    assert nonces[0] != nonces[1]  # a new nonce each response
    assert all("object-src 'none'" in p and "base-uri 'none'" in p for p in policies)
    assert "unsafe-inline" not in policies[0].split("script-src")[1].split(";")[0]
    jwks = client.get("/lti/jwks")
    assert "Content-Security-Policy" not in jwks.headers  # JSON runs no script


def test_health_check_says_whether_the_database_answers(make_app) -> None:  # type: ignore[no-untyped-def]
    import requests

    app = make_app()
    ok = requests.get(app.config["BASE_URL"] + "/healthz", timeout=5)
    assert ok.status_code == 200 and ok.json() == {"status": "ok"}
    broken = make_app(DATABASE_URL="sqlite:////nonexistent-dir/nowhere.sqlite")
    down = requests.get(broken.config["BASE_URL"] + "/healthz", timeout=5)
    assert down.status_code == 503 and down.json()["reason"] == "database"
