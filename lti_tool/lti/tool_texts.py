"""The tool's name, description and labels as the LMS shows them, in each of the tool's
languages, from the catalogue: one source for Dynamic Registration and Canvas's JSON."""

from __future__ import annotations

from collections.abc import Callable

from lti_tool.i18n import LANGUAGES, use
from lti_tool.i18n import gettext as _


def in_each_language(render: Callable[[], str]) -> dict[str, str]:
    """A text rendered from the catalogue once per tool language: {"en": ..., "fr": ...}."""
    texts = {}
    for lang in LANGUAGES:
        with use(lang):
            texts[lang] = str(render())
    return texts


def tool_name(name: str) -> str:
    """The TOOL_NAME setting in the current language: the default name has a catalogue entry;
    a name the administrator chose has none and stays as written."""
    return _(name)


def tool_description() -> str:
    return _("The P3 workshop and the partnership self-assessment.")


def picker_label(name: str) -> str:
    return _("Add %(tool)s content", tool=tool_name(name))


def language_tagged(key: str, texts: dict[str, str]) -> dict[str, str]:
    """OpenID Connect Dynamic Client Registration 1.0 §2.1: the plain member is the default
    (English), `member#<BCP47 tag>` each language's value."""
    return {key: texts["en"], **{f"{key}#{lang}": text for lang, text in texts.items()}}
