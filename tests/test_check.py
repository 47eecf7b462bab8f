"""`flask check [--deploy]`: each problem of a bad configuration on one line with its fix,
nothing on a good one, a non-zero exit on errors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade

from lti_tool import create_app
from lti_tool.extensions import db
from lti_tool.models import (
    CourseContext,
    Deployment,
    Grade,
    LtiUser,
    Platform,
    ResourceLink,
    WorkerHeartbeat,
)
from lti_tool.models.base import utcnow
from tests.conftest import TEST_SECRET

GOOD_PRODUCTION = {
    "ENV": "production",
    "BASE_URL": "https://tool.example.org",
    "SECRET_KEY": TEST_SECRET,
    "REGISTRATION_MODE": "token",
    "OUTBOUND_ALLOWLIST": "",
    "PROXY_FIX": 1,
}


def _app(database_url: str, **settings: Any) -> Flask:
    return create_app({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", **settings})


def _run(app: Flask, *args: str) -> tuple[int, list[str]]:
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output.splitlines()


def _pending_grade(graded_at: datetime) -> None:
    platform = Platform(
        issuer="https://lms.example",
        client_id="c",
        auth_login_url="https://lms.example/a",
        auth_token_url="https://lms.example/t",
        key_set_url="https://lms.example/k",
    )
    platform.deployments.append(Deployment(deployment_id="1"))
    db.session.add(platform)
    db.session.flush()
    user = LtiUser(platform_id=platform.id, sub="learner")
    context = CourseContext(
        platform_id=platform.id, deployment_pk=platform.deployments[0].id, context_id="c1"
    )
    db.session.add_all([user, context])
    db.session.flush()
    link = ResourceLink(context_pk=context.id, resource_link_id="r1")
    db.session.add(link)
    db.session.flush()
    db.session.add(
        Grade(
            platform_id=platform.id,
            user_pk=user.id,
            resource_link_pk=link.id,
            plugin="lti_ags",
            score_given=1,
            score_maximum=2,
            graded_at=graded_at,
        )
    )
    db.session.commit()


def _make_ready(app: Flask) -> None:
    """What docs/deploy.md asks of an operator: a key, an admin password, a grade worker."""
    assert _run(app, "keys", "rotate")[0] == 0
    assert _run(app, "admin", "set-password", "--password", "a-long-admin-password")[0] == 0
    assert _run(app, "grades", "work", "--once")[0] == 0  # writes the worker's heartbeat


@pytest.mark.both_dbs
def test_a_good_production_configuration_reports_nothing(database_url: str) -> None:
    app = _app(database_url, **GOOD_PRODUCTION)
    _make_ready(app)
    code, lines = _run(app, "check", "--deploy")
    if database_url.startswith("sqlite"):  # the one thing left to say about it
        assert lines[0].startswith("WARNING: the database is SQLite. Fix: use PostgreSQL")
        assert len(lines) == 2 and code == 0
    else:
        assert lines == ["OK: no problems found (production rules included)."] and code == 0


def test_a_bad_configuration_reports_each_problem_with_its_fix(database_url: str) -> None:
    # Starts (development allows it) but is wrong for production in every way we check.
    app = _app(database_url, ENV="development", BASE_URL="http://tool.example.org", DEMO=True)
    with app.app_context():
        _pending_grade(graded_at=utcnow() - timedelta(hours=2))
    code, lines = _run(app, "check", "--deploy")
    expected = [
        "ERROR: LTI_TOOL_ENV is 'development'. Fix: set LTI_TOOL_ENV=production.",
        "ERROR: LTI_TOOL_BASE_URL is not https (http://tool.example.org)",
        "ERROR: LTI_TOOL_SECRET_KEY is not set in the environment. Fix: set LTI_TOOL_SECRET_KEY",
        "ERROR: LTI_TOOL_DEMO is on. Fix: unset LTI_TOOL_DEMO",
        "ERROR: LTI_TOOL_REGISTRATION_MODE is not stated (now 'open'). Fix: choose who may register",
        "ERROR: LTI_TOOL_OUTBOUND_ALLOWLIST is not stated. Fix: set LTI_TOOL_OUTBOUND_ALLOWLIST",
        "ERROR: the tool has no signing key yet (one would be made on first use). Fix: run `flask",
        "ERROR: no administrator password: /admin cannot be used. Fix: run `flask --app lti_tool admin",
        "ERROR: no grade worker has ever run. Fix: run `flask --app lti_tool grades work` as a service",
        "ERROR: 1 grade(s) pending for more than an hour. Fix: see `flask --app lti_tool grades status`",
        "WARNING: LTI_TOOL_PROXY_FIX is 0",
        "WARNING: the database is SQLite",
    ]
    for start in expected:
        assert sum(line.startswith(start) for line in lines) == 1, (start, lines)
    assert lines[-1] == "10 error(s), 2 warning(s) (production rules included)."
    assert len(lines) == len(expected) + 1 and code == 1


def test_without_deploy_only_what_breaks_the_tool_is_an_error(database_url: str) -> None:
    app = _app(database_url, ENV="development")
    code, lines = _run(app, "check")
    assert code == 0 and all(line.startswith("WARNING") for line in lines[:-1])
    assert lines[-1] == "0 error(s), 3 warning(s) (add --deploy for the production rules)."


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"REGISTRATION_MODE": "open"}, "LTI_TOOL_REGISTRATION_MODE is open: anyone with the URL"),
        ({"REGISTRATION_MODE": "allowlist"}, "LTI_TOOL_REGISTRATION_MODE is allowlist but no issuer"),
        ({"SECRET_KEY": "ab" * 20}, "LTI_TOOL_SECRET_KEY is weak"),
        ({"COOKIE_SECURE": False}, "LTI_TOOL_COOKIE_SECURE is off"),
    ],
)
def test_unsafe_production_settings_are_errors(
    database_url: str, settings: dict[str, Any], says: str
) -> None:
    app = _app(database_url, **{**GOOD_PRODUCTION, **settings})
    _make_ready(app)
    code, lines = _run(app, "check", "--deploy")
    assert code == 1 and any(line.startswith(f"ERROR: {says}") for line in lines), lines


def test_a_setting_with_what_looks_like_an_inline_comment_is_named_not_shown(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """systemd's EnvironmentFile keeps `VALUE   # comment` whole: accepted, but not what was meant."""
    secret = TEST_SECRET + "-kept-secret"
    monkeypatch.setenv("LTI_TOOL_SECRET_KEY", secret + "   # made on 4 December")
    monkeypatch.setenv("LTI_TOOL_OUTBOUND_ALLOWLIST", "10.0.0.5  # the Moodle server")
    monkeypatch.setenv("LTI_TOOL_REGISTRATION_ALLOWED_ISSUERS", "https://moodle.example.org #ours")
    production = {k: v for k, v in GOOD_PRODUCTION.items() if k not in ("SECRET_KEY", "OUTBOUND_ALLOWLIST")}
    app = _app(database_url, **production)
    _make_ready(app)
    code, lines = _run(app, "check", "--deploy")
    for name in ("SECRET_KEY", "OUTBOUND_ALLOWLIST", "REGISTRATION_ALLOWED_ISSUERS"):
        assert (
            f"WARNING: the value of LTI_TOOL_{name} has what looks like an inline comment (a space, "
            "then #): the settings file (systemd's EnvironmentFile) keeps it as part of the value. "
            "Fix: put the comment on a line of its own in the settings file."
        ) in lines, lines
    assert not any(secret in line or "December" in line or "Moodle server" in line for line in lines)
    assert code == 0  # a warning: the values work, they are only not what was meant
    assert sum("inline comment" in line for line in _run(app, "check")[1]) == 3  # without --deploy too
    french = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "fr_CA.UTF-8"}
    said = app.test_cli_runner().invoke(args=["check"], env=french).output  # type: ignore[arg-type]
    assert (
        "la valeur de LTI_TOOL_OUTBOUND_ALLOWLIST contient ce qui ressemble à un commentaire en fin de "
        "ligne (un espace, puis #)\u00a0: le fichier de paramètres (EnvironmentFile de systemd) le "
        "garde dans la valeur. Correctif\u00a0: mettez le commentaire sur une ligne à part dans le "
        "fichier de paramètres."
    ) in said, said


def test_a_stale_worker_and_a_changed_secret_are_reported(database_url: str) -> None:
    app = _app(database_url, **GOOD_PRODUCTION)
    _make_ready(app)
    with app.app_context():
        db.session.query(WorkerHeartbeat).update({"seen_at": utcnow() - timedelta(minutes=42)})
        db.session.commit()
    other = _app(database_url, **{**GOOD_PRODUCTION, "SECRET_KEY": "another-" + TEST_SECRET})
    code, lines = _run(other, "check")
    assert code == 1
    assert any(
        line.startswith("ERROR: the signing key cannot be decrypted with this LTI_TOOL_SECRET_KEY")
        for line in lines
    )
    assert "WARNING: the grade worker was last seen 42 minutes ago." in " ".join(lines)


def test_an_unreachable_or_unmigrated_database_is_an_error(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gone = _app(f"sqlite:///{tmp_path}/missing-dir/x.sqlite")
    code, lines = _run(gone, "check")
    assert code == 1 and lines[0].startswith("ERROR: the database does not answer")
    assert "Fix: check LTI_TOOL_DATABASE_URL and that the database server runs." in lines[0]

    app = _app(database_url)
    with app.app_context():
        downgrade(revision="-1")  # one migration behind this release's head
        with db.engine.connect() as conn:
            behind = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        db.engine.dispose()
    head = f"{int(behind) + 1:04d}"
    code, lines = _run(app, "check")
    assert code == 1 and lines[0] == (
        f"ERROR: the database is not migrated to this release's schema (at {behind}, needs {head}). "
        "Fix: run `flask --app lti_tool db upgrade` (back up the database first)."
    )


@pytest.mark.both_dbs
def test_grades_held_for_a_disabled_platform_are_counted_not_reported_as_stuck(database_url: str) -> None:
    """A disabled platform's grades wait on purpose (decision 0043): `flask check` does not call
    them stuck, and `flask grades status` says how many of the pending ones are held."""
    app = _app(database_url, **GOOD_PRODUCTION)
    _make_ready(app)
    with app.app_context():
        _pending_grade(graded_at=utcnow() - timedelta(hours=2))
        db.session.execute(sa.update(Platform).values(enabled=False))
        db.session.commit()
    lines = _run(app, "check", "--deploy")[1]
    assert not any("pending for more than an hour" in line for line in lines), lines
    assert _run(app, "grades", "status")[1] == [
        "pending\t1",
        "delivered\t0",
        "failed\t0",
        "held (platform disabled)\t1",
    ]
    with app.app_context():  # refused, then sent again from the command: held with the others
        db.session.execute(sa.update(Grade).values(status="failed"))
        db.session.commit()
    resent = _run(app, "grades", "resend", "--failed")[1]
    assert resent[0] == "#1 https://lms.example (c): 1 grade will be sent again once the platform is enabled"
    with app.app_context():
        db.session.execute(sa.update(Platform).values(enabled=True))
        db.session.commit()
    assert any("1 grade(s) pending for more than an hour" in line for line in _run(app, "check")[1])
    assert _run(app, "grades", "status")[1] == ["pending\t1", "delivered\t0", "failed\t0"]
