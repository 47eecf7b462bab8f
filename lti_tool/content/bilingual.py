"""Texts written in English and French side by side in the tool's own content files.

In a workshop, instrument or built-in catalogue file, every text a reader sees is a mapping
``{en: ..., fr: ...}``; both are required (a missing French text fails ``flask content check``).
Loading validates both, then ``localize`` resolves the validated data to one language, so the
domain objects (Workshop, Instrument, Mechanism) hold plain strings: callers that never name a
language get English, as before. See docs/decisions (bilingual content).

Files teachers upload (mechanism catalogues) may be English only: there, a missing French text
falls back to the English one (``Text.get``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, fields

from lti_tool.i18n import LANGUAGES, language, language_of

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Bilingual", "Text", "language_of", "localize", "resolve"]

DEFAULT_LANGUAGE = "en"
_NAMES = {"en": "English", "fr": "French"}


def resolve(lang: str | None) -> str:
    """``lang`` as one of the tool's languages; None: the current one (lti_tool.i18n)."""
    return language() if lang is None else language_of(lang)


@dataclass(frozen=True)
class Text:
    """One text in both languages; ``fr`` is None only where French is optional (uploads)."""

    en: str
    fr: str | None = None

    def get(self, lang: str) -> str:
        """The text in ``lang``; English when there is no French text."""
        return self.fr if language_of(lang) == "fr" and self.fr else self.en


class Bilingual(fields.Field):  # type: ignore[type-arg]
    """``{en: ..., fr: ...}``: both texts required, each checked by the ``each`` validators."""

    def __init__(self, *, each: tuple[Callable[[str], Any], ...] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.each = each

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Text:
        if isinstance(value, str):
            raise ValidationError("Give this text in English and in French, as en: ... and fr: ...")
        if not isinstance(value, Mapping):
            raise ValidationError("Expected the English and French texts, as en: ... and fr: ...")
        errors: dict[str, list[str]] = {
            str(key): ["Unknown language: use en and fr."] for key in value if key not in LANGUAGES
        }
        for lang in LANGUAGES:
            text = value.get(lang)
            if text is None:
                errors[lang] = [f"Missing the {_NAMES[lang]} text."]
            elif not isinstance(text, str):
                errors[lang] = ["Not a valid string."]
            else:
                problems = []
                for check in self.each:
                    try:
                        check(text)
                    except ValidationError as exc:
                        problems += [str(m) for m in exc.messages] if isinstance(exc.messages, list) else []
                if problems:
                    errors[lang] = problems
        if errors:
            raise ValidationError(errors)
        return Text(value["en"], value["fr"])


def localize(tree: Any, lang: str) -> Any:
    """The validated data with every ``Text`` replaced by its text in ``lang``."""
    if isinstance(tree, Text):
        return tree.get(lang)
    if isinstance(tree, Mapping):
        return {key: localize(value, lang) for key, value in tree.items()}
    if isinstance(tree, list | tuple):
        return type(tree)(localize(value, lang) for value in tree)
    return tree
