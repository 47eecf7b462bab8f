"""P3 Workshop LTI: an LTI 1.3 tool for the P3 workshop and its partnership self-assessment."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from lti_tool import logs
from lti_tool.settings import SettingsError, instance_secret_key, load_settings

__version__ = "0.1.0"  # the only place the version is written (pyproject.toml reads it)

__all__ = ["create_app", "SettingsError", "__version__"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: declared defaults, then LTI_TOOL_* environment, then test_config."""
    app = Flask(__name__, instance_relative_config=True)
    settings = load_settings(overrides=test_config)
    if not settings.get("SECRET_KEY"):  # never in production: check_settings refused that
        settings["SECRET_KEY"] = instance_secret_key(app.instance_path)
    app.config.update(settings)
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_uri(settings["DATABASE_URL"], app)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(settings["DATABASE_URL"]))
    app.config["TESTING"] = settings["ENV"] == "testing" or bool(settings.get("TESTING"))
    _configure_cookies(app)
    logs.init_app(app)  # first, so that every later before_request logs with the request id

    if settings["PROXY_FIX"]:
        n = int(settings["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]

    from lti_tool import cli, db_setup, items, languages, outbound, plugin_manager, security
    from lti_tool import models as _models  # noqa: F401  (tables known to migrations)
    from lti_tool.extensions import db, migrate

    db.init_app(app)
    languages.init_app(app)
    outbound.init_app(app)
    migrate.init_app(
        app, db, directory=_migrations_dir(), render_as_batch=True, include_name=migration_include_name
    )
    db_setup.register(app)
    items.init_app(app)  # workshop content: a ContentError here stops start-up
    plugin_manager.init_app(app)  # a PluginConfigError here stops start-up, naming the plugin

    from lti_tool.services import grades as grade_service
    from lti_tool.views import deep_linking, errors, grades, lti, pages
    from lti_tool.views.params import RecordIdConverter

    app.url_map.converters["int"] = RecordIdConverter  # before any route is added

    app.register_blueprint(lti.bp)
    app.register_blueprint(grades.bp)
    grade_service.register(app)
    app.register_blueprint(pages.bp)
    from lti_tool.views import readings

    app.register_blueprint(readings.bp)
    from lti_tool.views import language

    app.register_blueprint(language.bp)
    app.register_blueprint(deep_linking.bp)
    from lti_tool.views import assessment as assessment_views

    app.register_blueprint(assessment_views.bp)
    from lti_tool.views import assessment_class, assessment_settings

    app.register_blueprint(assessment_settings.bp)
    app.register_blueprint(assessment_class.bp)
    from lti_tool.views import partnership

    app.register_blueprint(partnership.bp)
    # admin_grades adds its routes to admin.bp, before the blueprint is registered.
    from lti_tool.views import admin, admin_grades, docs, health, registration  # noqa: F401

    app.register_blueprint(docs.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(registration.bp)
    app.register_blueprint(admin.bp)
    errors.register_error_handlers(app)
    app.before_request(_start_timer)
    app.after_request(_security_headers)
    security.init_app(app)
    app.add_url_rule("/", "index", _index)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)

    if settings["DEMO"]:
        from lti_tool.demo import views as demo_views

        app.register_blueprint(demo_views.bp)
        from lti_tool.demo import services_api

        app.register_blueprint(services_api.bp)

    cli.register(app)
    _register_template_helpers(app)
    return app


def _database_uri(url: str, app: Flask) -> str:
    # A relative SQLite path lives in the instance folder, like the Flask tutorial's.
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        import os

        os.makedirs(app.instance_path, exist_ok=True)
        return "sqlite:///" + os.path.join(app.instance_path, url[len("sqlite:///") :])
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def _configure_cookies(app: Flask) -> None:
    # Inside an LMS iframe the tool is third-party: cookies need SameSite=None; Secure,
    # and Partitioned (CHIPS) lets browsers that block third-party cookies keep them.
    # On plain http (local development) browsers refuse that, so Lax is used there.
    secure = bool(app.config["COOKIE_SECURE"])
    options = {"secure": secure, "samesite": "None" if secure else "Lax"}
    if secure:
        options["partitioned"] = True
    app.extensions["lti_tool.cookie_options"] = options
    app.config.update(
        SESSION_COOKIE_NAME="p3_session",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_SAMESITE=options["samesite"],
        SESSION_COOKIE_PARTITIONED=secure,
        SESSION_COOKIE_HTTPONLY=True,
    )


def _migrations_dir() -> str:
    from pathlib import Path

    # Inside the package, so an installed wheel carries its migrations.
    return str(Path(__file__).resolve().parent / "migrations")


def migration_include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """Autogenerate ignores the demo LMS's tables: they are not the tool's schema."""
    from lti_tool.demo.models import is_demo_table

    return not (type_ == "table" and is_demo_table(name))


def _start_timer() -> None:
    from flask import g

    g.request_started = time.perf_counter()


def _security_headers(response: Response) -> Response:
    from flask import g

    # Server time of each response, for benchmarks/ and browser dev tools.
    started = g.get("request_started")
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    # Launch tokens ride in URLs: never send them to another site as a Referer.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    # Anything answered inside a launch is someone's (reflections, answers, reports, grades,
    # a class's roster) and carries a launch token in its links: never kept by any cache.
    if g.get("launch") is not None:
        response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def _index() -> str:
    from flask import render_template

    return render_template("index.html")


def _favicon() -> Response:
    # Pages name the icon (<link rel="icon">); this answers the browsers and tools that ask anyway.
    from flask import current_app, send_from_directory

    folder = current_app.static_folder or ""
    return send_from_directory(folder, "logo.svg", mimetype="image/svg+xml", max_age=86400)


def _register_template_helpers(app: Flask) -> None:
    from lti_tool.lti import session as launch_session
    from lti_tool.views.docs import doc_url
    from lti_tool.views.skeleton import page_back_url

    app.jinja_env.globals.update(
        doc_url=doc_url,
        version=__version__,
        launch_url=launch_session.launch_url,
        csrf_token=launch_session.csrf_token,
        page_back_url=page_back_url,
        launch_token=launch_session.launch_token,
        TOKEN_PARAM=launch_session.TOKEN_PARAM,
    )
