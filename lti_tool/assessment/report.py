"""The participant's report: scores, priorities with matching mechanisms, and the areas that need
attention but have no mechanism (the assignment's discussion material).

Pure function of its inputs; plugin calls go through ``call_safely`` so a failing scoring model
raises ``PluginRuntimeError`` and a failing catalogue becomes a warning on the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lti_tool.assessment.instrument import Instrument
from lti_tool.assessment.model import (
    DimensionScore,
    Mechanism,
    Responses,
    ScoringResult,
    missing_answers,
)
from lti_tool.plugin_api import (
    MechanismCatalogue,
    PluginRuntimeError,
    ScoringModel,
    SettingsError,
    call_safely,
    validate_settings,
)


@dataclass(frozen=True)
class DimensionRow:
    dimension_id: str
    title: str
    description: str
    score: DimensionScore


@dataclass(frozen=True)
class Priority:
    rank: int
    dimension_id: str
    title: str
    reason: str
    score: DimensionScore
    details: Mapping[str, Any]
    mechanisms: tuple[Mechanism, ...]  # from every enabled catalogue, quick wins first
    note: str | None = None  # a catalogue's note on what its mechanisms leave uncovered


@dataclass(frozen=True)
class NoMechanismArea:
    rank: int
    dimension_id: str
    title: str
    reason: str
    note: str | None = None


@dataclass(frozen=True)
class Report:
    instrument_id: str
    instrument_version: int
    scoring_model: str
    scoring_label: str
    dimensions: tuple[DimensionRow, ...]
    priorities: tuple[Priority, ...]
    no_mechanism_areas: tuple[NoMechanismArea, ...]
    not_applicable: Mapping[str, int]  # dimension id -> statements answered N/A
    not_applicable_total: int
    unanswered_total: int
    overall: float | None
    summary: str
    catalogues: tuple[str, ...] = ()  # labels of the catalogues that contributed
    warnings: tuple[str, ...] = field(default_factory=tuple)


def build_report(
    instrument: Instrument,
    responses: Responses,
    scoring_model: ScoringModel,
    scoring_settings: Mapping[str, Any],
    catalogues: Sequence[tuple[MechanismCatalogue, Mapping[str, Any]]],
) -> Report:
    settings = validate_settings(type(scoring_model), scoring_settings)
    result = call_safely(scoring_model.score, instrument, responses, settings)
    _check_result(scoring_model, instrument, result)
    mechanisms, notes, used, warnings = _collect_mechanisms(instrument, catalogues)
    titles = {d.id: d.title for d in instrument.dimensions}
    priorities = tuple(
        Priority(
            area.rank,
            area.dimension_id,
            titles[area.dimension_id],
            area.reason,
            area.score,
            area.details,
            tuple(sorted(mechanisms.get(area.dimension_id, []), key=lambda m: m.sort_key)),
            notes.get(area.dimension_id),
        )
        for area in result.ranked_areas
    )
    return Report(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        scoring_model=scoring_model.name,
        scoring_label=scoring_model.label,
        dimensions=tuple(
            DimensionRow(d.id, d.title, d.description, result.score_for(d.id)) for d in instrument.dimensions
        ),
        priorities=priorities,
        no_mechanism_areas=tuple(
            NoMechanismArea(p.rank, p.dimension_id, p.title, p.reason, p.note)
            for p in priorities
            if not p.mechanisms
        ),
        not_applicable={s.dimension_id: s.not_applicable for s in result.dimension_scores},
        not_applicable_total=sum(s.not_applicable for s in result.dimension_scores),
        unanswered_total=len(missing_answers(instrument, responses)),
        overall=result.overall,
        summary=result.summary,
        catalogues=tuple(used),
        warnings=tuple(warnings),
    )


def _check_result(model: ScoringModel, instrument: Instrument, result: ScoringResult) -> None:
    """A third-party model must score exactly the instrument's dimensions."""
    scored = [s.dimension_id for s in result.dimension_scores]
    ranked = {a.dimension_id for a in result.ranked_areas}
    if sorted(scored) != sorted(instrument.dimension_ids) or not ranked <= set(scored):
        raise PluginRuntimeError(
            model.name, "score", "returned scores that do not match the instrument's dimensions"
        )


def _collect_mechanisms(
    instrument: Instrument, catalogues: Sequence[tuple[MechanismCatalogue, Mapping[str, Any]]]
) -> tuple[dict[str, list[Mechanism]], dict[str, str], list[str], list[str]]:
    by_dimension: dict[str, list[Mechanism]] = {}
    notes: dict[str, str] = {}
    seen: set[str] = set()
    used: list[str] = []
    warnings: list[str] = []
    for catalogue, raw_settings in catalogues:
        try:
            settings = validate_settings(type(catalogue), raw_settings)
            found = call_safely(catalogue.mechanisms, instrument, settings)
            gaps = call_safely(catalogue.uncovered_notes, instrument, settings)
        except (PluginRuntimeError, SettingsError) as exc:
            # One broken catalogue must not hide the rest of the report.
            warnings.append(f"The catalogue {catalogue.label!r} could not be used: {exc}")
            continue
        used.append(catalogue.label)
        for note_dim, note in gaps.items():
            notes.setdefault(note_dim, note)
        for mechanism in found:
            if mechanism.id in seen:  # the first enabled catalogue wins
                continue
            seen.add(mechanism.id)
            for dim in mechanism.dimensions:
                by_dimension.setdefault(dim, []).append(mechanism)
    return by_dimension, notes, used, warnings
