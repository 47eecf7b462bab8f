"""Translating the tool's texts: one small interface for every layer, Flask-free.

Views, services, domain modules (lti_tool/assessment, lti_tool/content) and plugins all mark
their texts with this module's functions; templates use `_()` / `{% trans %}` (Flask-Babel's).
The language is the context's, not a parameter: during a request it is the one Flask-Babel chose
for the launch (lti_tool/babel.py registers itself here as the provider); elsewhere (a worker
delivering a grade comment, a test, the CLI) `use(lang)` sets it for a block.
See docs/decisions/0019-translations.md.

Formatting is gettext's: `gettext("Saved %(n)s answers", n=3)`; a text that sits in a module
constant (read before any language is known) is `lazy_gettext(...)`, translated when shown.
"""

from __future__ import annotations

import gettext as _gettext
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent, get_decimal_symbol
from babel.support import LazyProxy, Translations

__all__ = [
    "LANGUAGES",
    "TOOL_TEXTS",
    "Catalogue",
    "N_",
    "date_time",
    "decimal",
    "decimal_symbol",
    "gettext",
    "integer",
    "language",
    "language_of",
    "lazy_gettext",
    "lazy_ngettext",
    "locale_of",
    "ngettext",
    "percent",
    "set_provider",
    "terminal_language",
    "translations",
    "use",
]

# The tool's languages ("en" is the source language: no catalogue) and their gettext locales.
LANGUAGES = ("en", "fr")
LOCALES = {"en": "en", "fr": "fr_CA"}
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

Provider = Callable[[], "tuple[str, _gettext.NullTranslations] | None"]

_override: ContextVar[str | None] = ContextVar("lti_tool_language", default=None)
_provider: Provider | None = None


def language_of(locale: str | None) -> str:
    """The tool's language for an LMS or browser locale: any fr* is French, the rest English."""
    return "fr" if (locale or "").strip().lower()[:2] == "fr" else "en"


def terminal_language(env: Mapping[str, str] | None = None) -> str:
    """The language of an administrator at a terminal: LC_ALL, else LC_MESSAGES, else LANG."""
    env = os.environ if env is None else env
    return language_of(env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG"))


def locale_of(lang: str) -> str:
    """The gettext/Babel locale of one of the tool's languages ("fr" -> "fr_CA")."""
    return LOCALES.get(lang, "en")


@cache
def catalogue(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of a language (English: none, texts are written in English)."""
    if lang == "en":
        return _gettext.NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [locale_of(lang)], "messages")


def set_provider(provider: Provider | None) -> None:
    """Where the current language comes from when no `use()` block sets it (the web app)."""
    global _provider
    _provider = provider


def _current() -> tuple[str, _gettext.NullTranslations]:
    lang = _override.get()
    if lang is not None:
        return lang, catalogue(lang)
    if _provider is not None:
        found = _provider()
        if found is not None:
            return found
    return "en", catalogue("en")


def language() -> str:
    """The current language: "en" or "fr"."""
    return _current()[0]


@contextmanager
def use(lang: str) -> Iterator[str]:
    """Texts inside the block are in `lang` (a language or a locale such as "fr-CA")."""
    chosen = lang if lang in LANGUAGES else language_of(lang)
    token = _override.set(chosen)
    try:
        yield chosen
    finally:
        _override.reset(token)


def translations() -> _gettext.NullTranslations:
    """The current language's catalogue (templates format the texts themselves: Jinja's newstyle)."""
    return _current()[1]


class Catalogue:
    """Texts of one gettext catalogue, in the current language (the context's, as above).

    `Catalogue()` is the tool's own (lti_tool/translations; the built-in plugins' texts are in it);
    a plugin with its own texts makes `Catalogue(Path(__file__).parent / "translations")`, a folder
    laid out as Babel makes it (`fr_CA/LC_MESSAGES/messages.po`, or its compiled `.mo`). A `.po`
    without a `.mo` beside it is compiled when first used, so a plugin needs no build step;
    fuzzy entries are left out (English shows), as Babel's compiler does. docs/plugins.md.
    """

    def __init__(self, directory: str | Path | None = None, domain: str = "messages") -> None:
        self.directory = Path(directory) if directory is not None else None
        self.domain = domain

    def translations(self) -> _gettext.NullTranslations:
        if self.directory is None:
            return _current()[1]
        return _own_catalogue(self.directory, self.domain, language())

    def gettext(self, message: str, **variables: Any) -> str:
        text = self.translations().gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return self.translations().ngettext(singular, plural, num) % variables

    def lazy_gettext(self, message: str, **variables: Any) -> Any:
        """A text translated each time it is shown (for module constants and class attributes)."""
        return LazyProxy(self.gettext, message, enable_cache=False, **variables)

    def lazy_ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> Any:
        return LazyProxy(self.ngettext, singular, plural, num, enable_cache=False, **variables)


@cache
def _own_catalogue(directory: Path, domain: str, lang: str) -> _gettext.NullTranslations:
    if lang == "en":
        return _gettext.NullTranslations()
    for locale in dict.fromkeys((locale_of(lang), lang)):
        folder = directory / locale / "LC_MESSAGES"
        compiled, source = folder / f"{domain}.mo", folder / f"{domain}.po"
        if compiled.is_file():
            with compiled.open("rb") as fp:
                return Translations(fp, domain)
        if source.is_file():
            with source.open("rb") as fp:
                catalog = read_po(fp, locale=locale, domain=domain)
            buffer = BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            return Translations(buffer, domain)
    logging.getLogger("lti_tool.i18n").warning("no %s catalogue for %s in %s", domain, lang, directory)
    return _gettext.NullTranslations()


TOOL_TEXTS = Catalogue()
"""The tool's own texts: the functions below are its methods, for the tool's code to import."""

gettext = TOOL_TEXTS.gettext
ngettext = TOOL_TEXTS.ngettext
lazy_gettext = TOOL_TEXTS.lazy_gettext
lazy_ngettext = TOOL_TEXTS.lazy_ngettext


def decimal_symbol() -> str:
    """The current language's decimal separator ("." or ",") for numbers written in texts."""
    return str(get_decimal_symbol(locale_of(language())))


def decimal(value: float) -> str:
    """A number with at most two decimals, in the current language: "62.5" / "62,5" (Babel)."""
    return str(format_decimal(value, format="#,##0.##", locale=locale_of(language())))


def integer(value: int) -> str:
    """A whole number in the current language: "2,000" in English, "2 000" in French (Babel)."""
    return str(format_decimal(value, locale=locale_of(language())))


def percent(fraction: float) -> str:
    """A fraction as a whole percentage: "60%" in English, "60 %" (no-break space) in French."""
    return str(format_percent(fraction, locale=locale_of(language())))


def date_time(value: datetime) -> str:
    """A moment as the tool's pages write dates, with its time and the time zone named:
    "2 Dec 2026, 9:30 PM UTC" / "le 2 déc. 2026 à 21 h 30 UTC". The tool stores UTC (naive) and
    knows no reader's time zone (an LTI launch carries none), so it says UTC rather than guess; the
    time does not break across lines (no-break spaces)."""
    locale = locale_of(language())
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    day = format_date(moment, "d MMM y", locale=locale)
    time = format_time(moment, "short", tzinfo=UTC, locale=locale).replace(" ", "\u00a0")
    return gettext("%(date)s, %(time)s UTC", date=day, time=time)


def N_(message: str) -> str:
    """Marks a text for the catalogue without translating it here (translated where shown)."""
    return message
