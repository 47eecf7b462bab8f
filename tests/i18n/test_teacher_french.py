"""A teacher launched in French (locale fr-CA) reads the class view, the discussion view, the
settings page (its validation messages too, marshmallow's included) and the gradebook in French;
an English launch reads them in English (issue 15, teacher side)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from marshmallow import Schema, ValidationError, fields, validate

from lti_tool import i18n
from lti_tool.validation_messages import MESSAGES, translated
from tests.assessment_app.conftest import ITEM, Taker

SETTINGS = {"scoring_model": "threshold_bands", "catalogues": "workshop", "grading": "completion"}


def text(page: Any) -> str:
    body = page.get_data(as_text=True) if hasattr(page, "get_data") else page.text
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split())).replace("\u00a0", " ")


@pytest.fixture
def teachers(launch_as: Any) -> dict[str, Taker]:
    ana = Taker(launch_as("learner", sub="ana", item=ITEM, locale="fr-CA"))
    ana.answer_all()
    assert ana.post("/app/assessment/submit", allow_redirects=False).status_code == 303
    return {
        "fr": Taker(launch_as("instructor", sub="prof", item=ITEM, locale="fr-CA")),
        "en": Taker(launch_as("instructor", sub="teacher", item=ITEM, locale="en-CA")),
    }


def test_the_class_view_and_the_discussion_view_are_french(teachers: dict[str, Taker]) -> None:
    words = text(teachers["fr"].get("/app/assessment/"))
    assert "Autoévaluation du partenariat : votre classe" in words
    assert "Modèle de notation :" in words and "sur 100 points" in words
    assert "Soumises : 1 · en cours : 0" in words and "in progress" not in words
    assert "La classe par domaine" in words and "Moitié centrale" in words
    assert "Personnes répondantes" in words
    assert "Vue de discussion (sans noms, pour projection)" in words
    assert "Le profil de la classe" in words  # the chart's title
    assert "Modifier les paramètres" in words
    assert "Change the settings" not in words and "The class by area" not in words

    discussion = text(teachers["fr"].get("/app/assessment/class/discussion"))
    assert "Nos partenariats, par domaine" in discussion
    assert "1 personne apprenante a soumis son autoévaluation." in discussion
    assert "Cette vue s'ouvre dès que 3 personnes apprenantes ont soumis leur autoévaluation" in discussion

    english = text(teachers["en"].get("/app/assessment/"))
    assert "Partnership self-assessment: your class" in english and "1 submitted · 0 in progress" in english
    assert "Change the settings" in english and "Modifier les paramètres" not in english
    assert "1 learner has submitted." in text(teachers["en"].get("/app/assessment/class/discussion"))


def test_the_settings_page_and_its_validation_messages_are_french(teachers: dict[str, Taker]) -> None:
    words = text(teachers["fr"].get("/app/assessment/settings"))
    assert "Paramètres de l'autoévaluation" in words and "Catalogues de mécanismes" in words
    assert "Mécanismes de l'atelier" in words and "Mécanismes téléversés" in words  # plugin labels
    assert "Un nombre de 1 à 5." in words  # a field's values, from its validators
    assert "Contenu du fichier de catalogue" in words  # a field's label (plugin metadata)
    assert "Enregistrer les paramètres" in words and "Save settings" not in words
    # A choice's words, not its code: the workshop catalogue's largest effort.
    page = teachers["fr"].get("/app/assessment/settings").get_data(as_text=True)
    efforts = re.search(r'<select[^>]*name="catalogue\.workshop\.max_effort".*?</select>', page, re.S)
    assert efforts is not None
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]*)</option>', efforts.group(0))
    assert options == [("low", "Faible"), ("medium", "Moyen"), ("high", "Élevé")]
    assert "low :" not in words
    english = teachers["en"].get("/app/assessment/settings").get_data(as_text=True)
    assert '<option value="low">Low</option>' in english

    bad = {**SETTINGS, "scoring.threshold_bands.strength_min": "9", "discussion_minimum": "0"}
    refused = teachers["fr"].post("/app/assessment/settings", bad)
    assert refused.status_code == 400
    words = text(refused)
    assert "Rien n'a été enregistré : 2 problèmes à corriger" in words
    assert "Doit être supérieur ou égal à 1 et inférieur ou égal à 5." in words  # marshmallow's
    assert "Entrez un nombre entier de personnes apprenantes de 1 à 100." in words
    assert "Must be greater than or equal to" not in words

    refused = teachers["en"].post("/app/assessment/settings", bad)
    words = text(refused)
    assert "Nothing was saved: 2 problems to correct" in words
    assert "Must be greater than or equal to 1 and less than or equal to 5." in words


def test_the_gradebook_is_french(teachers: dict[str, Taker]) -> None:
    words = text(teachers["fr"].get("/app/grades/"))
    assert "Carnet de notes" in words and "Actualiser la liste" in words
    assert "Le SGA n'a pas offert la liste de son cours" in words  # the launch has no roster service
    assert "Dans le SGA" in words and "Gradebook" not in words
    english = text(teachers["en"].get("/app/grades/"))
    assert "Gradebook" in english and "The LMS did not offer its course roster" in english


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (fields.Float(validate=validate.Range(min=1, max=5)), 9),
        (fields.Float(validate=validate.Range(min=1)), 0),
        (fields.Integer(strict=True), 2.5),
        (fields.Float(), "x"),
        (fields.String(validate=validate.OneOf(["csv", "yaml"])), "xls"),
        (fields.String(validate=validate.Length(max=3)), "long"),
        (fields.String(required=True), None),
    ],
)
def test_marshmallows_own_messages_are_all_known(field: fields.Field, value: Any) -> None:
    # A marshmallow upgrade that rewords a message fails here, not silently in English on a French page.
    schema = Schema.from_dict({"f": field})()
    with pytest.raises(ValidationError) as refused:
        schema.load({} if value is None else {"f": value})
    (message,) = refused.value.messages["f"]  # type: ignore[call-overload,index]
    with i18n.use("fr"):
        french = translated(message)
    assert french != message, message
    with i18n.use("en"):
        assert translated(message) == message
    assert translated("A plugin's own words.") == "A plugin's own words."
    assert len({english for english, _ in MESSAGES}) == len(MESSAGES)
