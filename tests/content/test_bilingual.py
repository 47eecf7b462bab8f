"""Workshop content in English and French: both required, each language resolved at load."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

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


def test_the_workshop_reads_in_french_and_english_is_unchanged() -> None:
    en, fr = load_workshops()[P3], load_workshops(lang="fr")[P3]
    assert (en.lang, fr.lang) == ("en", "fr")
    assert en.title == "Private-Public Partnerships: The Art of the Possible"
    assert fr.title == "Les partenariats public-privé\u00a0: l'art du possible"
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
