"""A catalogue the teacher uploads as CSV or YAML, stored in the plugin's settings.

CSV columns: id,title,summary,areas,effort,horizon,source and optionally addresses and the French
texts title_fr, summary_fr, source_fr (English is shown where one is empty) (areas
separated by ``;``; ``dimensions`` is accepted for ``areas``). YAML: a list of mappings with the
same keys (or a mapping with one key, ``mechanisms``). Errors give the line and column; area ids
must exist in the instrument. The settings page offers example files written from the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from lti_tool.assessment.catalogue import (
    CSV_COLUMNS,
    FORMATS,
    CatalogueError,
    parse_catalogue,
)
from lti_tool.assessment.instrument import Instrument
from lti_tool.assessment.model import Mechanism
from lti_tool.plugin_api import TOOL_TEXTS, MechanismCatalogue

# The tool's own catalogue: the door every plugin's texts go through (docs/plugins.md).
_l = TOOL_TEXTS.lazy_gettext

__all__ = ["CSV_COLUMNS", "CatalogueError", "UploadedCatalogue", "parse_catalogue"]

MAX_TEXT = 200_000  # characters; a catalogue of a few hundred mechanisms fits easily


class UploadedCatalogueSettings(Schema):
    class Meta:
        unknown = RAISE

    text = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_TEXT),
        metadata={
            "label": _l("Catalogue file contents"),
            "upload": ".csv,.yaml,.yml,text/csv",
            "help": _l(
                "Paste the file's text here, or upload the file below. Its columns, and what "
                "each takes, are listed with the example files."
            ),
        },
    )
    format = fields.String(
        load_default="csv",
        validate=validate.OneOf(FORMATS),
        metadata={
            "label": _l("Format"),
            "help": _l("The file's format: csv (from a spreadsheet) or yaml."),
        },
    )


class UploadedCatalogue(MechanismCatalogue):
    name = "uploaded"
    label = _l("Uploaded mechanisms")
    description = _l("Mechanisms from a CSV or YAML file the teacher uploads for this activity.")
    version = "1"
    api_version = "1.0"  # the plugin API it was written for
    settings_schema = UploadedCatalogueSettings

    def mechanisms(self, instrument: Instrument, settings: Mapping[str, Any]) -> list[Mechanism]:
        cfg = settings
        if not cfg["text"].strip():
            return []  # nothing uploaded yet: an empty catalogue, not an error
        return parse_catalogue(cfg["text"], cfg["format"], instrument)
