"""The last English texts an administrator, teacher or learner could meet in a French tool
(issue 15): the report's problem line, `flask content check`, `flask grades`, and the platform form's
validation messages (marshmallow's own included). The fixed words are translated; details (file
names, places, a plugin's error) stay as they are."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from lti_tool.content.cli import content_cli
from lti_tool.extensions import db
from lti_tool.models import Platform
from lti_tool.services import activity_settings
from tests.assessment_app.conftest import ITEM, Taker
from tests.content.test_content_check import bad_dir
from tests.i18n.test_admin_french import admin_app, french_admin  # noqa: F401 - a fixture
from tests.i18n.test_cli_french import ENGLISH, FRENCH, run
from tests.i18n.test_teacher_french import text

SETTINGS = {"scoring_model": "threshold_bands", "catalogues": "workshop", "grading": "completion"}


def test_content_check_speaks_french_to_a_french_administrator(tmp_path: Path) -> None:
    french = CliRunner().invoke(content_cli, ["check"], env=FRENCH)  # type: ignore[arg-type]
    assert french.exit_code == 0, french.output
    assert "OK\u00a0: p3-art-of-the-possible (en, fr)\u00a0: 6 séances" in french.output
    assert "énoncés dans" in french.output and "statements in" not in french.output

    folder = bad_dir(tmp_path, "missing_title.yaml", "syntax_error.yaml")
    refused = CliRunner().invoke(content_cli, ["check", "--dir", str(folder)], env=FRENCH)  # type: ignore[arg-type]
    assert refused.exit_code == 1
    lines = refused.output.splitlines()
    assert (
        "Erreur\u00a0: missing_title.yaml: sessions[0].additional_readings[1].title\u00a0: "
        "Donnée manquante pour un champ obligatoire."
    ) in lines
    syntax = "Erreur\u00a0: syntax_error.yaml: ligne 4\u00a0: YAML syntax error"
    assert any(line.startswith(syntax) for line in lines)
    assert "a 2 problème(s) à corriger" in refused.output

    english = CliRunner().invoke(content_cli, ["check", "--dir", str(folder)], env=ENGLISH)  # type: ignore[arg-type]
    assert "has 2 problem(s) to fix" in english.output and "Erreur" not in english.output


def test_grades_commands_speak_french_to_a_french_administrator(app: Flask) -> None:
    assert run(app, FRENCH, "grades", "status").splitlines() == [
        "en attente\t0",
        "transmises\t0",
        "en échec\t0",
    ]
    assert run(app, FRENCH, "grades", "work", "--once").strip() == "transmises 0, à réessayer 0, en échec 0"
    assert run(app, ENGLISH, "grades", "status").splitlines() == ["pending\t0", "delivered\t0", "failed\t0"]
    assert run(app, ENGLISH, "grades", "work", "--once").strip() == "delivered 0, retrying 0, failed 0"
    assert run(app, FRENCH, "grades", "resend", "--failed").strip() == "Aucune note refusée à renvoyer."
    assert run(app, ENGLISH, "grades", "resend", "--failed").strip() == "No refused grades to send again."


def test_the_reports_problem_line_is_french_with_its_detail(launch_as: Any) -> None:
    teacher = Taker(launch_as("instructor", sub="prof", item=ITEM, locale="fr-CA"))
    learner = Taker(launch_as("learner", sub="ana", item=ITEM, locale="fr-CA"))
    assert teacher.post("/app/assessment/settings", SETTINGS, allow_redirects=False).status_code == 303
    assert learner.begin().status_code == 303
    learner.answer_all()
    submitted = learner.post("/app/assessment/submit", allow_redirects=False)
    report = urlsplit(submitted.headers["Location"]).path
    with learner.app.app_context():
        (pk,) = db.session.scalars(select(activity_settings.ActivitySettings.resource_link_pk)).all()
        stored = activity_settings.load(pk)
        activity_settings.save(pk, {**stored, "scoring_model": "no_such_model"})
    words = text(learner.get(report))
    assert "Le modèle de notation choisi pour cette activité ne peut pas être utilisé : " in words
    assert "no_such_model" in words  # the detail, as it is

    with learner.app.app_context():
        activity_settings.save(pk, {**stored, "scoring_settings": {"not_a_setting": 1}})
    words = text(learner.get(report))
    assert "a échoué sur ces réponses : " in words and "not_a_setting" in words
    assert "failed on these answers" not in words


def test_the_platform_forms_messages_are_french(admin_app: Flask) -> None:  # noqa: F811
    admin = french_admin(admin_app)
    assert admin.login().status_code == 200
    form = {
        "issuer": "https://moodle.example",
        "client_id": "",
        "auth_login_url": "not a url",
        "auth_token_url": "https://moodle.example/t",
        "key_set_url": "https://moodle.example/k",
        "name": "x" * 201,
    }
    bad = admin.post("/admin/platforms/new", **form)
    assert bad.status_code == 400
    top = html.unescape(bad.text.split('id="form-problems"')[1].split("</div>")[0]).replace("\xa0", " ")
    assert "Identifiant client : Obligatoire : ce champ ne peut pas être vide." in top
    assert "URL d'autorisation OIDC : URL non valide." in top or ": URL non valide." in top  # marshmallow's
    assert "Au plus 200 caractères." in top
    assert "Not a valid URL." not in top and "At most" not in top

    ok = {**form, "client_id": "abc", "auth_login_url": "https://moodle.example/a", "name": "Moodle"}
    assert admin.post("/admin/platforms/new", **ok).status_code == 200
    with admin_app.app_context():
        assert db.session.scalars(select(Platform)).one().client_id == "abc"
    taken = html.unescape(admin.post("/admin/platforms/new", **ok).text).replace("\xa0", " ")
    assert "l'émetteur 'https://moodle.example' a déjà l'identifiant client 'abc' (plateforme nº 1)" in taken
