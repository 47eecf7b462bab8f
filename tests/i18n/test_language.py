"""The launch locale chooses the language of every page of that launch; English stays English.

Moodle and Canvas send the person's language in launch_presentation.locale (e.g. "fr-CA"): any
fr* is French, anything else English. Outside a launch, the browser's Accept-Language decides.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from lti_tool import i18n


@pytest.mark.parametrize(
    ("locale", "lang", "skip_link"),
    [
        ("fr-CA", "fr-CA", "Passer au contenu"),
        ("fr", "fr-CA", "Passer au contenu"),
        ("en-CA", "en", "Skip to content"),
    ],
)
def test_the_launch_locale_chooses_the_language_of_its_pages(
    launch_as: Any, locale: str, lang: str, skip_link: str
) -> None:
    ben = launch_as("learner", sub="ben", locale=locale)
    page = ben.get("/app/", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in html
    assert skip_link in html


def test_every_page_of_a_french_launch_stays_french_without_a_cookie(launch_as: Any) -> None:
    lea = launch_as("learner", sub="lea", locale="fr-CA")
    lea.client.delete_cookie("p3_session")
    missing = lea.get("/app/w/no-such-workshop/")
    assert missing.status_code == 404
    html = missing.get_data(as_text=True)
    assert '<html lang="fr-CA">' in html and "Retour au début de cette activité" in html


def test_a_launch_without_a_locale_is_english(launch_as: Any) -> None:
    page = launch_as("learner", sub="ben").get("/app/", follow_redirects=True)
    assert '<html lang="en">' in page.get_data(as_text=True)


def test_json_errors_speak_the_launch_language(launch_as: Any) -> None:
    lea = launch_as("instructor", sub="lea", locale="fr-CA")
    answer = lea.client.post(
        "/app/session/renew",
        data={"lt": lea.token, "reflection": "x"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.get_json()["message"] == (
        "Le jeton de sécurité du formulaire est absent ou erroné. Rechargez la page et réessayez."
    )


def test_outside_a_launch_the_browser_language_decides(tool_app: Flask) -> None:
    client = tool_app.test_client()
    french = client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}).get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-CA"}).get_data(as_text=True)
    assert '<html lang="fr-CA">' in french and "À propos" in french
    assert '<html lang="en">' in english and "About" in english


def test_code_without_flask_translates_in_the_language_it_is_given() -> None:
    # Domain modules and plugins import lti_tool.i18n only; a worker or the CLI sets the language.
    assert i18n.language() == "en"
    assert i18n.gettext("Not found") == "Not found"
    with i18n.use("fr-CA") as lang:
        assert lang == "fr" and i18n.language() == "fr"
        assert i18n.gettext("Not found") == "Introuvable"
        assert str(i18n.lazy_gettext("Too large")) == "Trop volumineux"
    assert i18n.gettext("Not found") == "Not found"


@pytest.mark.parametrize(
    ("locale", "lang"),
    [("fr-CA", "fr"), ("FR_ca", "fr"), ("fr", "fr"), ("en-CA", "en"), ("", "en"), (None, "en"), ("de", "en")],
)
def test_any_french_locale_is_french_and_everything_else_english(locale: str | None, lang: str) -> None:
    assert i18n.language_of(locale) == lang


def test_a_plural_block_with_more_variables_than_its_count(tool_app: Flask) -> None:
    # Jinja substitutes the block's variables itself; the translation callable must only translate.
    template = tool_app.jinja_env.from_string(
        "{% trans count=n, what=w %}{{ count }} {{ what }} day"
        "{% pluralize %}{{ count }} {{ what }} days{% endtrans %}"
    )
    with tool_app.test_request_context():
        assert template.render(n=2, w="sunny") == "2 sunny days"
        assert template.render(n=1, w="rainy") == "1 rainy day"


def test_gradebook_status_texts_are_shown_in_the_readers_language() -> None:
    # A plugin's words are stored as written (a worker sends the grade) and translated when shown.
    from lti_tool.models.grades import FAILED, Grade
    from lti_tool.services.grades.gradebook import status_of
    from lti_tool_plugins.passback.lti_ags import NO_COLUMN

    grade = Grade(status=FAILED, last_error=NO_COLUMN, attempts=1)
    with i18n.use("fr"):
        assert status_of(None) == ("none", "Pas encore de note")
        assert status_of(grade)[1].startswith("Refusée par le SGA\u00a0: Le SGA n'a pas de colonne de notes")
    assert status_of(grade)[1].startswith("Not accepted by the LMS: The LMS has no grade column")
