"""Marshmallow's own validation messages, in the reader's language.

A plugin's settings schema is marshmallow's: its fields and validators answer in English
("Not a valid number.", "Must be greater than or equal to 1 and less than or equal to 5.").
Marshmallow has no catalogue of its own, so the messages a teacher can meet on the settings page
are marked here, each beside the English it replaces; a message that matches none of them (a
plugin's own words, already translated by the plugin) is shown as it is.
"""

from __future__ import annotations

import re
from functools import cache

from lti_tool.i18n import N_, gettext

# (marshmallow's English, with its placeholders as {name}; the same text marked for the catalogue)
MESSAGES = (
    ("Missing data for required field.", N_("Missing data for required field.")),
    ("Field may not be null.", N_("Field may not be null.")),
    ("Invalid value.", N_("Invalid value.")),
    ("Unknown field.", N_("Unknown field.")),
    ("Invalid input type.", N_("Invalid input type.")),
    ("Not a valid number.", N_("Not a valid number.")),
    ("Not a valid integer.", N_("Not a valid integer.")),
    ("Number too large.", N_("Number too large.")),
    (
        "Special numeric values (nan or infinity) are not permitted.",
        N_("Special numeric values (nan or infinity) are not permitted."),
    ),
    ("Not a valid boolean.", N_("Not a valid boolean.")),
    ("Not a valid string.", N_("Not a valid string.")),
    ("Not a valid utf-8 string.", N_("Not a valid utf-8 string.")),
    ("Not a valid URL.", N_("Not a valid URL.")),
    ("Not a valid email address.", N_("Not a valid email address.")),
    ("String does not match expected pattern.", N_("String does not match expected pattern.")),
    ("Must be one of: {choices}.", N_("Must be one of: %(choices)s.")),
    (
        "Must be greater than or equal to {min} and less than or equal to {max}.",
        N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    ),
    ("Must be greater than or equal to {min}.", N_("Must be greater than or equal to %(min)s.")),
    ("Must be less than or equal to {max}.", N_("Must be less than or equal to %(max)s.")),
    ("Must be greater than {min}.", N_("Must be greater than %(min)s.")),
    ("Must be less than {max}.", N_("Must be less than %(max)s.")),
    ("Length must be between {min} and {max}.", N_("Length must be between %(min)s and %(max)s.")),
    ("Length must be {equal}.", N_("Length must be %(equal)s.")),
    ("Longer than maximum length {max}.", N_("Longer than maximum length %(max)s.")),
    ("Shorter than minimum length {min}.", N_("Shorter than minimum length %(min)s.")),
)


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    def pattern(english: str) -> re.Pattern[str]:
        parts = re.split(r"\{(\w+)\}", english)  # text, name, text, name, ..., text
        body = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        return re.compile(f"^{body}$", re.DOTALL)

    return tuple((pattern(english), marked) for english, marked in MESSAGES)


def translated(message: str) -> str:
    """A marshmallow message in the current language (others unchanged)."""
    for pattern, marked in _patterns():
        found = pattern.match(message)
        if found:
            return gettext(marked, **found.groupdict())
    return message
