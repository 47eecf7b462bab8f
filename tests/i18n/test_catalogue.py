"""The French (Canada) catalogue: complete, never fuzzy, and up to date with the code.

Extraction is Babel's, with babel.cfg and the keywords of `make translations`: a text marked in
a template, a view, a service, a domain module or a plugin that the catalogue lacks fails here,
and so does a catalogue entry no code uses any more (run `make translations`, fill the msgstr).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from lti_tool import i18n

ROOT = Path(__file__).resolve().parents[2]
PO = i18n.TRANSLATIONS_DIR / "fr_CA" / "LC_MESSAGES" / "messages.po"
# The same command as the Makefile's `translations` target.
KEYWORDS = ["-k", "lazy_gettext", "-k", "_l", "-k", "lazy_ngettext:1,2"]


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale="fr_CA")


def _extracted(tmp_path: Path) -> Catalog:
    pot = tmp_path / "messages.pot"
    args = ["pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"), *KEYWORDS]
    CommandLineInterface().run([*args, "-o", str(pot), str(ROOT / "lti_tool"), str(ROOT / "plugins")])
    return _read(pot)


def _translated(message: object) -> bool:
    string = message.string  # type: ignore[attr-defined]
    return all(string) if isinstance(string, tuple) else bool(string)


def test_every_french_entry_is_translated_and_none_is_fuzzy() -> None:
    catalogue = _read(PO)
    entries = [m for m in catalogue if m.id]
    assert len(entries) > 20
    assert [m.id for m in entries if not _translated(m)] == [], "translate these in messages.po"
    assert [m.id for m in entries if m.fuzzy] == [], "check these and remove their fuzzy flag"
    assert catalogue.num_plurals == 2 and catalogue.plural_expr == "(n > 1)"


def test_translations_keep_their_placeholders() -> None:
    # Babel's checks: python-format placeholders the same in msgid and msgstr, plural forms all given.
    problems = [(m.id, [str(e) for e in errors]) for m, errors in _read(PO).check()]
    assert problems == []


def test_the_catalogue_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    code = {m.id if isinstance(m.id, str) else m.id[0] for m in _extracted(tmp_path) if m.id}
    catalogue = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(PO) if m.id}
    assert sorted(code - catalogue) == [], "new texts: run `make translations` and translate them"
    assert sorted(catalogue - code) == [], "texts no code uses: run `make translations`"


def test_the_compiled_catalogue_is_the_po_file() -> None:
    # tests/conftest.py compiles before the session; a wheel compiles in setup.py.
    compiled = i18n.catalogue.__wrapped__("fr")  # type: ignore[attr-defined]
    for message in _read(PO):
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, message.id
