"""A plugin's own texts follow the reader's language (issue 15): the third-party sample plugin
(tests/sample_plugin) brings its French in its own gettext catalogue, read through
`lti_tool.plugin_api.Catalogue`; a teacher in fr-CA reads its labels, descriptions and settings in
French on the settings page, a learner its readings and mechanisms in the report; en-CA, English."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from lti_tool import i18n
from lti_tool.plugin_api import Catalogue
from tests.assessment_app.conftest import ITEM, Taker
from tests.i18n.test_teacher_french import text

pytest.importorskip("p3_sample_plugin", reason="pip install -e tests/sample_plugin (make install-dev)")

SAMPLE = {"scoring_model": "weakest_link", "catalogues": "sample_tips", "grading": "completion"}


def people(launch_as: Any, locale: str, suffix: str) -> tuple[Taker, Taker]:
    teacher = Taker(launch_as("instructor", sub="prof-" + suffix, item=ITEM, locale=locale))
    learner = Taker(launch_as("learner", sub="ana-" + suffix, item=ITEM, locale=locale))
    return teacher, learner


def test_the_sample_plugins_texts_are_french_for_a_french_teacher(launch_as: Any) -> None:
    fr, _ = people(launch_as, "fr-CA", "fr")
    en, _ = people(launch_as, "en-CA", "en")
    words = text(fr.get("/app/assessment/settings"))
    assert "Maillon faible" in words and "Lit chaque domaine d'après son énoncé le moins bien noté." in words
    assert "Préoccupation dès qu'une note est inférieure à" in words  # its settings' label
    assert "Conseils d'exemple" in words and "Webhook signé" in words and "Secret de signature" in words
    assert "Weakest link" not in words and "Signing secret" not in words
    english = text(en.get("/app/assessment/settings"))
    assert "Weakest link" in english and "Reads each area by its lowest-rated statement." in english
    assert "Sample tips" in english and "Signing secret" in english and "Maillon faible" not in english

    refused = fr.post("/app/assessment/settings", {**SAMPLE, "passback.signed_webhook.url": "ftp://x"})
    assert refused.status_code == 400
    assert "Entrez une URL http:// ou https://." in text(refused)  # its own validation message


@pytest.mark.parametrize(
    ("locale", "expected", "absent"),
    [
        (
            "fr-CA",
            ["Note la plus basse : 1", "Calendrier commun", "Module d'extension d'exemple"],
            "Lowest rating",
        ),
        ("en-CA", ["Lowest rating: 1", "Shared calendar", "Sample plugin"], "Note la plus basse"),
    ],
)
def test_the_report_shows_the_sample_plugins_texts_in_the_learners_language(
    launch_as: Any, locale: str, expected: list[str], absent: str
) -> None:
    teacher, learner = people(launch_as, locale, locale)
    assert teacher.post("/app/assessment/settings", SAMPLE, allow_redirects=False).status_code == 303
    assert learner.begin().status_code == 303
    learner.answer_all(rating=1)
    submitted = learner.post("/app/assessment/submit", allow_redirects=False)
    assert submitted.status_code == 303
    words = text(learner.get(urlsplit(submitted.headers["Location"]).path, follow_redirects=True))
    for found in expected:
        assert found in words, found
    assert absent not in words


def test_a_plugin_catalogue_reads_its_po_and_falls_back_to_english(tmp_path: Path) -> None:
    folder = tmp_path / "fr_CA" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Hello %(name)s"\nmsgstr "Bonjour %(name)s"\n\n'
        '#, fuzzy\nmsgid "Unsure"\nmsgstr "Pas sûr"\n',
        encoding="utf-8",
    )
    texts = Catalogue(tmp_path)
    label = texts.lazy_gettext("Hello %(name)s", name="Ana")
    with i18n.use("fr-CA"):
        assert texts.gettext("Hello %(name)s", name="Ana") == "Bonjour Ana" == str(label)
        assert texts.gettext("Unsure") == "Unsure"  # fuzzy: left out, as Babel's compiler does
        assert texts.gettext("Not in it") == "Not in it"
    with i18n.use("en-CA"):
        assert str(label) == "Hello Ana"
    with i18n.use("fr"):
        assert Catalogue(tmp_path / "none").gettext("Hello") == "Hello"  # no catalogue: English
