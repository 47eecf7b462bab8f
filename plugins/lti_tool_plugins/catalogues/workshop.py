"""The workshop's own mechanism catalogue, kept as data in workshop.yaml beside this module.

Each mechanism names the themes it addresses; its dimensions follow from the instrument in use,
so the same data serves every instrument version. Some areas are deliberately left without a
mechanism (collective identity, legitimacy) and some statements too (confidence in partners'
motives, the sectors' different logics, answering to several principals): the assignment asks
participants to discuss exactly those; the YAML's ``uncovered`` notes say why each is hard.

Titles, summaries, sources and notes are written in English and French (``{en: ..., fr: ...}``,
both required); the catalogue answers in the language of the instrument it is given
(``Instrument.lang``), so a French report lists French mechanisms.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from lti_tool.assessment.catalogue import CatalogueError, mechanisms_from_records, resolve
from lti_tool.assessment.instrument import Instrument, flatten_errors
from lti_tool.assessment.model import EFFORT_LABELS, EFFORTS, Mechanism
from lti_tool.content.bilingual import DEFAULT_LANGUAGE, Bilingual, language_of, localize
from lti_tool.plugin_api import TOOL_TEXTS, MechanismCatalogue

# The tool's own catalogue: the door every plugin's texts go through (docs/plugins.md).
_l = TOOL_TEXTS.lazy_gettext

DATA_FILE = Path(__file__).with_name("workshop.yaml")


class WorkshopCatalogueSettings(Schema):
    class Meta:
        unknown = RAISE

    max_effort = fields.String(
        load_default="high",
        # The labels are what the settings page shows for each code (translated there).
        validate=validate.OneOf(EFFORTS, labels=[EFFORT_LABELS[e] for e in EFFORTS]),
        metadata={
            "label": _l("Largest effort shown"),
            "help": _l("Hide mechanisms that take more effort than this."),
        },
    )


class _Texts(Schema):
    """The texts of one mechanism, in both languages (the rest: MechanismSchema, shared with uploads)."""

    class Meta:
        unknown = EXCLUDE

    title = Bilingual(required=True)
    summary = Bilingual(required=True)
    source = Bilingual(required=True)


class _Notes(Schema):
    class Meta:
        unknown = RAISE

    uncovered = fields.Dict(keys=fields.String(), values=Bilingual(), required=True)
    mechanisms = fields.List(fields.Raw(), required=True)


@functools.cache  # the file ships with the package and does not change at run time
def load_workshop_data(
    path: Path = DATA_FILE, lang: str = DEFAULT_LANGUAGE
) -> tuple[tuple[Mechanism, ...], Mapping[str, str]]:
    """The catalogue's mechanisms and notes, in ``lang`` (both languages are checked)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or set(raw) != {"mechanisms", "uncovered"}:
        raise CatalogueError([f"{path.name}: expected exactly 'uncovered' and 'mechanisms'"])
    errors: dict[Any, Any] = {}
    try:
        notes = _Notes().load(raw)["uncovered"]
    except ValidationError as exc:
        errors.update(exc.messages if isinstance(exc.messages, dict) else {})
        notes = {}
    records = []
    for number, record in enumerate(raw["mechanisms"], start=1):
        try:
            texts = _Texts().load(record) if isinstance(record, dict) else {}
        except ValidationError as exc:
            errors.setdefault("mechanisms", {})[number - 1] = exc.messages
            continue
        records.append((number, {**record, **localize(texts, language_of(lang))}))
    if errors:
        raise CatalogueError([f"{path.name}: {line}" for line in flatten_errors(errors)])
    try:
        # Addresses are resolved against the instrument in use, in mechanisms() below.
        mechanisms = mechanisms_from_records(records, None)
    except CatalogueError as exc:
        raise CatalogueError([f"{path.name}: {e}" for e in exc.errors]) from exc
    return tuple(mechanisms), localize(notes, language_of(lang))


class WorkshopCatalogue(MechanismCatalogue):
    name = "workshop"
    label = _l("Workshop mechanisms")
    description = _l(
        "Agreements, governance structures, funding arrangements, P3 contract terms, people and "
        "learning practices, from the workshop's readings and outline, Canadian federal practice "
        "and a few outside studies; each says where it comes from."
    )
    version = "1"
    api_version = "1.0"  # the plugin API it was written for
    settings_schema = WorkshopCatalogueSettings

    def mechanisms(self, instrument: Instrument, settings: Mapping[str, Any]) -> list[Mechanism]:
        cfg = settings
        limit = EFFORTS.index(cfg["max_effort"])
        result = []
        for mechanism in load_workshop_data(lang=instrument.lang)[0]:
            resolved = resolve(mechanism, instrument)
            if resolved is not None and EFFORTS.index(mechanism.effort) <= limit:
                result.append(resolved)
        return result

    def uncovered_notes(self, instrument: Instrument, settings: Mapping[str, Any]) -> dict[str, str]:
        notes = load_workshop_data(lang=instrument.lang)[1]
        known = set(instrument.dimension_ids) | instrument.themes | set(instrument.statement_ids)
        return {key: note for key, note in notes.items() if key in known}
