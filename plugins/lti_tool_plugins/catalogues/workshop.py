"""The workshop's own mechanism catalogue, kept as data in workshop.yaml beside this module.

Some dimensions are deliberately left without mechanisms (collective identity) or only thinly
covered (trust: nothing addresses confidence in the partners' motives). The assignment asks
participants to discuss exactly those areas; the YAML's ``uncovered`` notes explain each gap.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE, Schema, fields, validate

from lti_tool.assessment.catalogue import CatalogueError, mechanisms_from_records
from lti_tool.assessment.instrument import Instrument
from lti_tool.assessment.model import EFFORTS, Mechanism
from lti_tool.plugin_api import MechanismCatalogue

DATA_FILE = Path(__file__).with_name("workshop.yaml")


class WorkshopCatalogueSettings(Schema):
    class Meta:
        unknown = RAISE

    max_effort = fields.String(
        load_default="high",
        validate=validate.OneOf(EFFORTS),
        metadata={
            "label": "Largest effort shown",
            "help": "Hide mechanisms that take more effort than this (low, medium or high).",
        },
    )


@functools.cache  # the file ships with the package and does not change at run time
def load_workshop_data(path: Path = DATA_FILE) -> tuple[tuple[Mechanism, ...], Mapping[str, str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or set(raw) != {"mechanisms", "uncovered"}:
        raise CatalogueError([f"{path.name}: expected exactly 'uncovered' and 'mechanisms'"])
    try:
        # Dimension ids are checked against the instrument in use, in mechanisms() below.
        mechanisms = mechanisms_from_records(enumerate(raw["mechanisms"], start=1), None)
    except CatalogueError as exc:
        raise CatalogueError([f"{path.name}: {e}" for e in exc.errors]) from exc
    return tuple(mechanisms), dict(raw["uncovered"])


class WorkshopCatalogue(MechanismCatalogue):
    name = "workshop"
    label = "Workshop mechanisms"
    description = (
        "Mechanisms discussed in the P3 workshop and its readings: agreements, governance "
        "structures, funding arrangements, P3 contract terms, people and learning practices."
    )
    version = "1"
    settings_schema = WorkshopCatalogueSettings

    def mechanisms(self, instrument: Instrument, settings: Mapping[str, Any]) -> list[Mechanism]:
        cfg = self.load_settings(settings)
        limit = EFFORTS.index(cfg["max_effort"])
        known = set(instrument.dimension_ids)
        result = []
        for mechanism in load_workshop_data()[0]:
            # A later instrument version may drop a dimension: keep only the ones it has.
            dims = tuple(d for d in mechanism.dimensions if d in known)
            if dims and EFFORTS.index(mechanism.effort) <= limit:
                result.append(dataclasses.replace(mechanism, dimensions=dims))
        return result

    def uncovered_notes(self, instrument: Instrument, settings: Mapping[str, Any]) -> dict[str, str]:
        notes = load_workshop_data()[1]
        return {d: notes[d] for d in instrument.dimension_ids if d in notes}
