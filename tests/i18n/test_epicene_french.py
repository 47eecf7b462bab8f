"""People are named without gender in French (the learner's walk and the polish, 2026-12-03).

The role names became epicene ("personne enseignante", "personne apprenante") in the teacher's walk;
the phrases about that person follow the same style, one style everywhere: "la personne
enseignante" for the one who teaches the course, "le personnel enseignant" for teachers in general.
Never the masculine-only "votre enseignant", "l'enseignant", "un enseignant", "les enseignants"
(OQLF, rédaction épicène: a neutral wording before a doublet). The same for the other people a user
reads about: « la personne apprenante » (or « la classe », « chaque personne »), never « l'apprenant »
or « les apprenants »; « l'administration de l'outil » (or « de la plateforme »), never « un
administrateur »; « personnes répondantes », never « répondants ». This looks at every French text the
tool can show: the catalogue (every msgstr, plural forms too) and the French content of the data
files (the workshop, the instrument, the mechanism catalogues)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from lti_tool import i18n
from tests.support.grades import text_of

ROOT = Path(__file__).resolve().parents[2]
PO = i18n.TRANSLATIONS_DIR / "fr_CA" / "LC_MESSAGES" / "messages.po"
DATA = [
    p
    for d in ("lti_tool", "plugins")
    for ext in ("yaml", "yml", "csv", "json")
    for p in (ROOT / d).rglob(f"*.{ext}")
]
# The nouns "enseignant(s)", "apprenant(s)", "répondant(s)" and "administrateur(s)" on their own.
# "personnel enseignant" (an epicene collective noun), the feminine adjectives ("personne
# enseignante", "personnes apprenantes") and a full doublet ("les administratrices et
# administrateurs généraux", a title with no neutral form) are fine. And the reader addressed in
# the masculine ("vous êtes invité", "d'être nommé"): "votre nom paraît", "on vous présente".
MASCULINE = re.compile(
    r"(?<!personnel )\benseignants?\b|\bapprenants?\b|\brépondants?\b"
    r"|(?<!administratrices et )\badministrateurs?\b"
    r"|\b(?:être|êtes)(?: \w+)? (?:nommé|présenté|invité)\b",
    re.IGNORECASE,
)


def masculine_in(text: str) -> list[str]:
    return [text[max(0, m.start() - 30) : m.end() + 20] for m in MASCULINE.finditer(" ".join(text.split()))]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Votre enseignant a attribué cette note.", True),
        ("Demandez à l'enseignant", True),
        ("Demandez à l’enseignant", True),
        ("Pour les enseignants :", True),
        ("qu'un enseignant ajoute", True),
        ("La personne enseignante a attribué cette note.", False),
        ("Cette page est réservée au personnel enseignant.", False),
        ("votre équipe enseignante", False),
        ("Aucun apprenant pour l'instant.", True),
        ("Permettre aux apprenants de la refaire", True),
        ("la tentative précédente de l’apprenant", True),
        ("1 apprenant a soumis son autoévaluation.", True),
        ("Un administrateur peut inscrire l'émetteur", True),
        ("montrez ce message à l'administrateur de votre SGA", True),
        ("bloqué par l'administrateur", True),
        ("Mot de passe d'administrateur défini.", True),
        ("%(number)s. %(title)s : aucun répondant", True),
        ("Aucune personne apprenante pour l'instant.", False),
        ("3 personnes apprenantes ont soumis leur autoévaluation.", False),
        ("L'administration de l'outil peut inscrire l'émetteur", False),
        ("Connexion à l'administration", False),
        ("les administratrices et administrateurs généraux", False),
        ("Personnes répondantes", False),
        ("Vous êtes invité", True),
        ("si vous acceptez d’être nommé.", True),
        ("la façon dont vous êtes présenté,", True),
        ("Vous avez reçu une invitation", False),
        ("si vous acceptez que votre nom paraisse.", False),
        ("Les membres qui n’ont pas accepté d’être nommés", False),  # "membres": a plural noun
    ],
)
def test_the_check_tells_masculine_from_epicene(text: str, found: bool) -> None:
    assert bool(masculine_in(text)) is found


def test_the_catalogue_never_names_the_teacher_in_the_masculine_only() -> None:
    with PO.open("rb") as f:
        catalogue = read_po(f, locale="fr_CA")
    found = []
    for message in catalogue:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [(message.id, hit) for form in forms for hit in masculine_in(form or "")]
    assert found == [], "write « la personne enseignante », « la personne apprenante », « l'administration »"


def test_the_french_content_never_names_the_teacher_in_the_masculine_only() -> None:
    assert DATA  # the workshop at least
    found = [
        (str(p.relative_to(ROOT)), hit) for p in DATA for hit in masculine_in(p.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_french_learner_reads_the_epicene_form(launch_as: Any) -> None:
    ben = launch_as("learner", sub="ben", locale="fr-CA")
    overview = text_of(ben.get("/app/w/p3-art-of-the-possible/").get_data(as_text=True))
    assert "la personne enseignante vous expliquera comment il est noté" in overview
    assert "La personne enseignante communiquera cette lecture." in overview  # the reference text
    assert not masculine_in(overview)
    assignment = text_of(ben.get("/app/w/p3-art-of-the-possible/assignment").get_data(as_text=True))
    assert "la personne enseignante" in assignment and not masculine_in(assignment)
