"""French (Canada) typography in the catalogue (docs/decisions/0039-french-spaces.md).

Every msgstr, plural forms included: a no-break space (U+00A0) before a colon and inside « »,
never a plain space (the line could break there, leaving the colon or the » alone at the start of
a line) nor none; nothing before ; ! ? (the Translation Bureau's usage, decision 0019); the
straight apostrophe ('), never the curly one (’), as the catalogue writes it. English
msgids, URLs (https://), JSON keys, times (14:30) and HTML tags are not French prose and are left
alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lti_tool import i18n

PO = i18n.TRANSLATIONS_DIR / "fr_CA" / "LC_MESSAGES" / "messages.po"
NBSP = "\u00a0"

# A tag and its attributes (style="a: b", title="« x »") are checked where they are shown, if ever.
TAG = re.compile(r"<[^>]*>")
# A punctuation mark quoted for itself: « ; » (a separator the person types).
QUOTED_MARK = re.compile("«" + NBSP + "[:;!?]" + NBSP + "»")
RULES = [
    # A colon ending a phrase (followed by a space or the end): U+00A0 before it, not a plain or
    # narrow space, not nothing. A colon inside a word (https://, 14:30, "keys": [) is not one.
    ("a colon needs U+00A0 before it", re.compile(r'(?:[^\s"]|^):(?=\s|$)')),
    ("space before a colon must be U+00A0", re.compile(r"[^\S\u00a0]:")),
    ("no space before ; ! ?", re.compile(r"\s[;!?]")),
    ("space after « must be U+00A0", re.compile(r"«(?!\u00a0\S)")),
    ("space before » must be U+00A0", re.compile(r"(?<!\S\u00a0)»")),
    # One apostrophe, the straight one, as 367 of 409 entries had it (2026-12-03; the rest now too).
    ("the apostrophe is the straight one (')", re.compile("\u2019")),
]


def problems_in(text: str) -> list[str]:
    """The typography problems of one French text, each with its surroundings."""
    text = QUOTED_MARK.sub("«" + NBSP + "x" + NBSP + "»", TAG.sub("", text))
    found = []
    for rule, pattern in RULES:
        for match in pattern.finditer(text):
            around = text[max(0, match.start() - 25) : match.end() + 10].replace(NBSP, "⍽")
            found.append(f"{rule}: …{around}…")
    return found


def catalogue_problems(path: Path) -> list[tuple[str, str]]:
    with path.open("rb") as f:
        catalogue = read_po(f, locale="fr_CA")
    found = []
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [(msgid, problem) for form in forms for problem in problems_in(form or "")]
    return found


def test_the_french_catalogue_puts_no_break_spaces_where_french_wants_them() -> None:
    assert catalogue_problems(PO) == [], "use U+00A0 (docs/decisions/0039-french-spaces.md)"


@pytest.mark.parametrize(
    "text",
    [
        "Travail\u00a0: Autoévaluation",
        "l'activité <strong>«\u00a0%(title)s\u00a0»</strong>; notée",
        "séparés par «\u00a0;\u00a0» ou «\u00a0,\u00a0»\u00a0: %(areas)s",
        "commençant par https:// (ou http://).",
        'doit répondre {"keys": [...]}.',
        "à 14:30\u00a0: ouvert",
        "Supprimer la plateforme no %(id)s?",
        '<span style="color: red">rouge</span>',
        "Fin\u00a0:",
    ],
)
def test_good_french_passes(text: str) -> None:
    assert problems_in(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Travail : Autoévaluation",  # plain space
        "Travail: Autoévaluation",  # none
        "Travail\u202f: Autoévaluation",  # narrow: not this catalogue's convention
        "Fin :",
        "l'activité « %(title)s » de votre cours",
        "l'activité «\u00a0%(title)s » de votre cours",
        "l'activité «%(title)s\u00a0» de votre cours",
        "une étude ; chacun",
        "Supprimer ?",
        "Enfin !",
        "Des partenaires de l’autre côté",
    ],
)
def test_bad_french_fails(text: str) -> None:
    assert problems_in(text) != []
