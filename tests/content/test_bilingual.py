"""Workshop content in English and French: both required, each language resolved at load."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lti_tool.assessment.instrument import INSTRUMENTS_DIR, get_instrument, instruments_by_version
from lti_tool.content import load_workshops
from lti_tool.content.bilingual import Text, language_of
from lti_tool.content.cli import content_cli

DATA = Path(__file__).parent / "data"
P3 = "p3-art-of-the-possible"


def test_a_missing_french_text_fails_the_content_check(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    text = (DATA / "minimal.yaml").read_text(encoding="utf-8")
    broken = text.replace("title: {en: Wrap-up, fr: Synthèse}", "title: {en: Wrap-up}")
    help_text = 'help_text: {en: "Read, then discuss.", fr: "Lisez, puis discutez."}'
    broken = broken.replace(help_text, "help_text: Read.")
    assert broken.count("fr:") == text.count("fr:") - 2
    (folder / "tiny.yaml").write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(content_cli, ["check", "--dir", str(folder)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "Error: tiny.yaml: sessions[0].title.fr: Missing the French text." in lines
    plain = "Error: tiny.yaml: help_text: Give this text in English and in French, as en: ... and fr: ..."
    assert plain in lines

    shutil.copy(DATA / "minimal.yaml", folder / "tiny.yaml")  # the same file, translated: fine
    assert CliRunner().invoke(content_cli, ["check", "--dir", str(folder)]).exit_code == 0


def test_a_missing_french_text_in_an_instrument_fails_the_content_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (INSTRUMENTS_DIR / "partnership-v2.yaml").read_text(encoding="utf-8")
    french = (
        "        fr: Les partenaires peuvent nommer le problème ou l'occasion commune qui les a réunis.\n"
    )
    assert french in text
    (tmp_path / "partnership-v2.yaml").write_text(text.replace(french, ""), encoding="utf-8")
    monkeypatch.setattr("lti_tool.content.cli.INSTRUMENTS_DIR", tmp_path)
    workshops = tmp_path / "content"
    workshops.mkdir()
    shutil.copy(DATA / "minimal.yaml", workshops)
    result = CliRunner().invoke(content_cli, ["check", "--dir", str(workshops)])
    assert result.exit_code == 1
    assert (
        "Error: partnership-v2.yaml: dimensions[0].statements[0].text.fr: Missing the French text."
        in result.output.splitlines()
    )


def test_every_instrument_version_reads_in_french() -> None:
    for version, en in instruments_by_version().items():
        fr = get_instrument(version, lang="fr")
        assert (en.lang, fr.lang) == ("en", "fr")
        assert fr.statement_ids == en.statement_ids and fr.themes == en.themes
        assert fr.scale.points == en.scale.points
        pairs = [(en.title, fr.title), (en.intro, fr.intro), (en.help, fr.help)]
        pairs += list(zip(en.scale.labels, fr.scale.labels, strict=True))
        pairs += list(zip(en.importance_scale.labels, fr.importance_scale.labels, strict=True))
        for a, b in zip(en.dimensions, fr.dimensions, strict=True):
            pairs += [(a.title, b.title), (a.description, b.description)]
            pairs += [(s.text, t.text) for s, t in zip(a.statements, b.statements, strict=True)]
        assert [p for p in pairs if p[0] == p[1]] == []  # each text translated
    assert get_instrument(2, lang="fr").scale.not_applicable_label == "Je ne sais pas / sans objet"
    assert get_instrument(2).scale.not_applicable_label == "Don't know / not applicable"


def test_the_workshop_reads_in_french_and_english_is_unchanged() -> None:
    en, fr = load_workshops()[P3], load_workshops(lang="fr")[P3]
    assert (en.lang, fr.lang) == ("en", "fr")
    assert en.title == "Private-Public Partnerships: The Art of the Possible"
    assert fr.title == "Partenariats public-privé\u00a0: l'art du possible"
    assert fr.sessions[5].title == "Une reddition de comptes au service de l'apprentissage"
    assert fr.assignment is not None and fr.assignment.title == "Autoévaluation du partenariat"
    assert fr.help_text.startswith("Suivez les séances dans l'ordre.")
    # Every text a reader sees differs from the English one, except names kept as they are.
    for en_session, fr_session in zip(en.sessions, fr.sessions, strict=True):
        assert fr_session.summary != en_session.summary
        for a, b in zip(en_session.discussion_prompts, fr_session.discussion_prompts, strict=True):
            assert a != b
    # Readings stay as published (title, authors, publisher), in English: the page marks them.
    assert [(r.title, r.authors, r.source) for r in fr.bibliography] == [
        (r.title, r.authors, r.source) for r in en.bibliography
    ]
    assert {r.language for r in fr.bibliography} == {"en"}
    roy = fr.sessions[0].required_readings[0]
    assert roy.note == "Introduction et chapitres 1 et 2 de l'ouvrage de référence."
    assert en.sessions[0].required_readings[0].note == "Introduction and chapters 1 and 2 of the text."


def test_language_of_a_locale_and_the_english_fallback() -> None:
    assert [language_of(x) for x in ("fr-CA", "fr_CA", "FR", "en-CA", "", None, "de")] == [
        "fr",
        "fr",
        "fr",
        "en",
        "en",
        "en",
        "en",
    ]
    assert Text("Joint review", None).get("fr") == "Joint review"  # uploads may be English only
    assert Text("Joint review", "Examen conjoint").get("fr-CA") == "Examen conjoint"


def test_the_built_in_catalogue_needs_its_french_texts_and_answers_in_the_instruments_language(
    tmp_path: Path,
) -> None:
    from lti_tool.assessment.catalogue import CatalogueError
    from lti_tool.plugin_api import validate_settings
    from lti_tool_plugins.catalogues.workshop import DATA_FILE, WorkshopCatalogue, load_workshop_data

    text = DATA_FILE.read_text(encoding="utf-8")
    broken = tmp_path / "workshop.yaml"
    broken.write_text(text.replace("\n      fr: Protocole d'entente\n", "\n", 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_workshop_data(broken)
    assert info.value.errors == ["workshop.yaml: mechanisms[0].title.fr: Missing the French text."]

    catalogue = WorkshopCatalogue()
    settings = validate_settings(WorkshopCatalogue, {})
    en = catalogue.mechanisms(get_instrument(2), settings)
    fr = catalogue.mechanisms(get_instrument(2, lang="fr"), settings)
    assert [m.id for m in en] == [m.id for m in fr]
    assert (en[0].title, fr[0].title) == ("Memorandum of understanding", "Protocole d'entente")
    assert all(a.summary != b.summary and a.source != b.source for a, b in zip(en, fr, strict=True))
    notes = catalogue.uncovered_notes(get_instrument(2, lang="fr"), settings)
    assert notes["identity"].startswith("Rien dans les lectures")


def test_a_readings_source_is_a_published_name_and_a_description_is_a_french_note() -> None:
    """`source` is kept as published and spoken in the work's language (decision 0022): only a
    publisher or the work a chapter appears in. What describes a reading ("Results of National
    Survey on Partnering") is a note, {en, fr}, so a French page says it in French. A new source
    here: check it is a published name, else make it a note."""
    en, fr = load_workshops()[P3], load_workshops(lang="fr")[P3]

    def readings(w: Any) -> list[Any]:
        return [
            *w.bibliography,
            *(r for s in w.sessions for r in (*s.required_readings, *s.additional_readings)),
        ]

    assert {r.source for r in readings(en) if r.source} == {
        "Berrett-Koehler Publishers, San Francisco",
        "Cambridge University Press",
        "Comparative Trends in Public Management",  # the book the chapter is in
        "Elsevier Science, Burlington, MA",
        "Jossey-Bass, San Francisco",
        "Palgrave",
        "Penguin Canada, Toronto",
        "Random House Canada, Toronto",
        "University of Ottawa Press",
        "University of Ottawa Press, Ottawa",
    }
    notes = {r.title: r.note for r in readings(fr)}
    assert notes["Bridging Two Solitudes"].startswith("Une enquête du Forum des politiques publiques")
    cbnc = next(t for t in notes if t.startswith("Transformational Changes"))
    assert notes[cbnc] == "Résultats d'une enquête nationale sur les partenariats."
