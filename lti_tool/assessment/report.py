"""The participant's report, shaped by the assignment's four asks:

1. the profile of the partnership assessed (scores per area, not-assessed areas);
2. the areas needing attention, in priority order (from the scoring model);
3. the mechanisms that might be applied (each once, with the areas it helps, best first);
4. what needs attention and has no obvious mechanism (from coverage: lti_tool.assessment.coverage).

Pure function of its inputs; plugin calls go through ``call_safely`` so a failing scoring model
raises ``PluginRuntimeError`` and a failing catalogue becomes a warning on the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lti_tool.assessment.coverage import (
    Gap,
    NotAssessed,
    WeakStatement,
    find_gaps,
    helps,
    not_assessed,
    note_for,
    rank_for_area,
    weak_statements,
)
from lti_tool.assessment.instrument import Instrument, Statement
from lti_tool.assessment.model import (
    DimensionScore,
    Guide,
    Mechanism,
    Responses,
    ScoringResult,
    missing_answers,
    rating_counts,
)
from lti_tool.plugin_api import (
    MechanismCatalogue,
    PluginRuntimeError,
    ScoringModel,
    SettingsError,
    call_safely,
    validate_settings,
)

SUMMARY_PRIORITIES = 5  # the summary shows the three to five first priorities
BEST_PER_PRIORITY = 2  # and the one or two best mechanisms of each,
SUMMARY_MECHANISMS = 6  # at most this many in all (it must read in one screen)


@dataclass(frozen=True)
class Answer:
    statement: Statement
    rating: int | None  # None: "don't know / not applicable"
    answered: bool


@dataclass(frozen=True)
class DimensionRow:
    number: int  # the area's position in the instrument, its label on narrow charts
    dimension_id: str
    title: str
    description: str
    score: DimensionScore
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class Priority:
    rank: int
    dimension_id: str
    title: str
    reason: str
    score: DimensionScore
    details: Mapping[str, Any]
    mechanisms: tuple[Mechanism, ...]  # every enabled mechanism that helps, best first
    weak: tuple[Statement, ...] = ()  # the area's statements rated low
    note: str | None = None  # a catalogue's note on what its mechanisms leave uncovered

    @property
    def best(self) -> tuple[Mechanism, ...]:
        return self.mechanisms[:BEST_PER_PRIORITY]


@dataclass(frozen=True)
class MechanismUse:
    """A mechanism listed once, with the areas needing attention it helps (priority order)."""

    mechanism: Mechanism
    areas: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    instrument_id: str
    instrument_version: int
    scoring_model: str
    scoring_label: str
    dimensions: tuple[DimensionRow, ...]
    priorities: tuple[Priority, ...]
    mechanisms: tuple[MechanismUse, ...]  # every mechanism helping a priority, each once
    gaps: tuple[Gap, ...]  # needing attention, no obvious mechanism
    not_assessed: tuple[NotAssessed, ...]
    not_applicable: Mapping[str, int]  # dimension id -> statements answered N/A
    not_applicable_total: int
    unanswered_total: int
    overall: float | None
    summary: str
    catalogues: tuple[str, ...] = ()  # labels of the catalogues that contributed
    warnings: tuple[str, ...] = field(default_factory=tuple)
    performance_guides: tuple[Guide, ...] = ()
    importance_guides: tuple[Guide, ...] = ()
    uses_importance: bool = False

    @property
    def nothing_assessed(self) -> bool:
        """No area has a score (a draft with no answers, or only "don't know"): then nothing can
        need attention or lack a mechanism, and the report says that instead."""
        return all(row.score.mean is None for row in self.dimensions)

    @property
    def top_priorities(self) -> tuple[Priority, ...]:
        return self.priorities[:SUMMARY_PRIORITIES]

    @property
    def summary_mechanisms(self) -> tuple[MechanismUse, ...]:
        """The best one or two mechanisms of each summary priority, each once."""
        best: list[str] = []
        for rank in range(BEST_PER_PRIORITY):  # each priority's best first, then its second best
            best += [p.best[rank].id for p in self.top_priorities if len(p.best) > rank]
        best = list(dict.fromkeys(best))[:SUMMARY_MECHANISMS]
        top = {p.title for p in self.top_priorities}
        uses = {use.mechanism.id: use for use in self.mechanisms}
        return tuple(
            MechanismUse(uses[i].mechanism, tuple(a for a in uses[i].areas if a in top)) for i in best
        )

    def band_groups(self) -> list[tuple[str, str, list[DimensionRow]]]:
        """(band slug, band label, areas) in the order bands first appear: the profile in words."""
        groups: dict[str, tuple[str, list[DimensionRow]]] = {}
        for row in self.dimensions:
            if row.score.mean is not None:
                groups.setdefault(row.score.band, (row.score.band_label, []))[1].append(row)
        return [(band, label, rows) for band, (label, rows) in groups.items()]


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
    guides = call_safely(scoring_model.performance_guides, settings)
    importance_guides = call_safely(scoring_model.importance_guides, settings)
    mechanisms, notes, used, warnings = collect_mechanisms(instrument, catalogues)
    weak = weak_statements(instrument, responses)
    priorities = _priorities(instrument, result, mechanisms, notes, weak)
    ranked = [(p.rank, p.dimension_id) for p in priorities]
    return Report(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        scoring_model=scoring_model.name,
        scoring_label=scoring_model.label,
        dimensions=tuple(
            DimensionRow(
                number,
                d.id,
                d.title,
                d.description,
                result.score_for(d.id),
                tuple(
                    Answer(s, responses.ratings.get(s.id), s.id in responses.ratings) for s in d.statements
                ),
            )
            for number, d in enumerate(instrument.dimensions, start=1)
        ),
        priorities=priorities,
        mechanisms=_uses(priorities),
        gaps=find_gaps(instrument, mechanisms, notes, ranked, weak),
        not_assessed=not_assessed(instrument, result.dimension_scores),
        not_applicable={s.dimension_id: s.not_applicable for s in result.dimension_scores},
        not_applicable_total=sum(s.not_applicable for s in result.dimension_scores),
        unanswered_total=len(missing_answers(instrument, responses)),
        overall=result.overall,
        summary=result.summary,
        catalogues=tuple(used),
        warnings=tuple(warnings),
        performance_guides=tuple(g for g in guides if isinstance(g, Guide)),
        importance_guides=tuple(g for g in importance_guides if isinstance(g, Guide)),
        uses_importance=scoring_model.uses_importance,
    )


def _priorities(
    instrument: Instrument,
    result: ScoringResult,
    mechanisms: Sequence[Mechanism],
    notes: Mapping[str, str],
    weak: Sequence[WeakStatement],
) -> tuple[Priority, ...]:
    priorities = []
    for area in result.ranked_areas:
        dim = instrument.dimension(area.dimension_id)
        helping = rank_for_area(mechanisms, dim, weak)
        weak_here = tuple(w.statement for w in weak if w.dimension_id == dim.id)
        uncovered = [s for s in weak_here if not any(m.covers(dim.id, s) for m in helping)]
        note = note_for(notes, dim.id, uncovered[0]) if uncovered else note_for(notes, dim.id)
        priorities.append(
            Priority(
                area.rank, dim.id, dim.title, area.reason, area.score, area.details, helping, weak_here, note
            )
        )
    return tuple(priorities)


def _uses(priorities: Sequence[Priority]) -> tuple[MechanismUse, ...]:
    """Every mechanism helping a priority, once, in the order it first appears (priority order,
    best first within a priority), with every priority it helps."""
    order: list[Mechanism] = []
    areas: dict[str, list[str]] = {}
    for priority in priorities:
        for mechanism in priority.mechanisms:
            if mechanism.id not in areas:
                order.append(mechanism)
                areas[mechanism.id] = []
            areas[mechanism.id].append(priority.title)
    return tuple(MechanismUse(m, tuple(areas[m.id])) for m in order)


def _check_result(model: ScoringModel, instrument: Instrument, result: ScoringResult) -> None:
    """A third-party model must score exactly the instrument's dimensions."""
    scored = [s.dimension_id for s in result.dimension_scores]
    ranked = {a.dimension_id for a in result.ranked_areas}
    if sorted(scored) != sorted(instrument.dimension_ids) or not ranked <= set(scored):
        raise PluginRuntimeError(
            model.name, "score", "returned scores that do not match the instrument's dimensions"
        )


def collect_mechanisms(
    instrument: Instrument, catalogues: Sequence[tuple[MechanismCatalogue, Mapping[str, Any]]]
) -> tuple[list[Mechanism], dict[str, str], list[str], list[str]]:
    found_all: list[Mechanism] = []
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
            warnings.append(f"The catalogue {str(catalogue.label)!r} could not be used: {exc}")
            continue
        used.append(str(catalogue.label))  # a plugin's label may be lazy (translated when read)
        for key, note in gaps.items():
            notes.setdefault(key, note)
        for mechanism in found:
            if mechanism.id in seen:  # the first enabled catalogue wins
                continue
            seen.add(mechanism.id)
            found_all.append(mechanism)
    # Notes explain why nothing helps; once another catalogue covers the area, they no longer apply.
    return found_all, _live_notes(instrument, found_all, notes), used, warnings


def _live_notes(
    instrument: Instrument, mechanisms: Sequence[Mechanism], notes: dict[str, str]
) -> dict[str, str]:
    live = dict(notes)
    for dim in instrument.dimensions:
        if dim.id in live and any(helps(m, dim) for m in mechanisms):
            # An area note stays only for the statements still uncovered in it.
            if all(any(m.covers(dim.id, s) for m in mechanisms) for s in dim.statements):
                del live[dim.id]
    return live


@dataclass(frozen=True)
class AreaChange:
    """One area's mean in an earlier attempt and now (retakes compared)."""

    dimension_id: str
    title: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def compare_attempts(
    before: tuple[Instrument, Responses], after: tuple[Instrument, Responses]
) -> tuple[AreaChange, ...]:
    """Per area of the later attempt's instrument, the mean before and after (model-free: the
    plain mean, so that a change of scoring model does not pass for a change of partnership).
    Areas the earlier version did not have show ``before`` = None."""
    then = {c.dimension_id: c.mean for c in rating_counts(*before)}
    now = {c.dimension_id: c.mean for c in rating_counts(*after)}
    return tuple(AreaChange(d.id, d.title, then.get(d.id), now[d.id]) for d in after[0].dimensions)
