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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal, format_percent, get_decimal_symbol
from babel.support import LazyProxy, Translations

__all__ = [
    "LANGUAGES",
    "N_",
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


def gettext(message: str, **variables: Any) -> str:
    text = _current()[1].gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _current()[1].ngettext(singular, plural, num) % variables


def lazy_gettext(message: str, **variables: Any) -> Any:
    """A text translated each time it is shown (for module constants and class attributes)."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables: Any) -> Any:
    return LazyProxy(ngettext, singular, plural, num, enable_cache=False, **variables)


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


def N_(message: str) -> str:
    """Marks a text for the catalogue without translating it here (translated where shown)."""
    return message
