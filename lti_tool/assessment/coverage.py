"""Which statements the enabled mechanisms cover, and what needs attention without a mechanism.

The assignment's fourth ask ("the areas that need attention and have no obvious mechanism") is
answered from coverage, not from luck: each mechanism says which dimensions it is for and,
optionally, which statements or themes within them it addresses (``Mechanism.covers``).

- An area needing attention that no mechanism helps at all is a gap as a whole.
- A weak statement (rated below the middle of the scale) that no mechanism covers is a gap,
  wherever it is: an average can hide one weak statement.
- An area with no score (every statement "don't know", or unanswered) is *not assessed*: it is
  listed as such rather than silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lti_tool.assessment.instrument import Dimension, Instrument, Statement
from lti_tool.assessment.model import DimensionScore, Mechanism, Responses, no_score_reason


@dataclass(frozen=True)
class WeakStatement:
    dimension_id: str
    statement: Statement
    rating: int


@dataclass(frozen=True)
class Gap:
    """Needs attention, and no enabled mechanism covers it."""

    dimension_id: str
    area: str  # the area's title
    rank: int | None  # the area's priority rank; None when the area itself is not ranked
    statement: Statement | None  # None: nothing helps with the area at all
    rating: int | None  # the weak statement's rating
    note: str | None  # the catalogue's note on why it is hard


@dataclass(frozen=True)
class NotAssessed:
    dimension_id: str
    area: str
    reason: str


def is_weak(instrument: Instrument, rating: int) -> bool:
    """Below the middle of the scale: 1 or 2 on a 1-5 scale."""
    return rating < (instrument.scale.minimum + instrument.scale.maximum) / 2


def weak_statements(instrument: Instrument, responses: Responses) -> list[WeakStatement]:
    found = []
    for dim, statement in instrument.statements():
        rating = responses.ratings.get(statement.id)
        if rating is not None and is_weak(instrument, rating):
            found.append(WeakStatement(dim.id, statement, rating))
    return found


def covering(mechanisms: Iterable[Mechanism], dimension_id: str, statement: Statement) -> list[Mechanism]:
    return [m for m in mechanisms if m.covers(dimension_id, statement)]


def helps(mechanism: Mechanism, dimension: Dimension) -> bool:
    return any(mechanism.covers(dimension.id, s) for s in dimension.statements)


def rank_for_area(
    mechanisms: Iterable[Mechanism], dimension: Dimension, weak: Sequence[WeakStatement]
) -> tuple[Mechanism, ...]:
    """The mechanisms that help with an area, best first: those covering more of its weak
    statements, then more of its statements, then quick wins (lower effort, shorter horizon)."""
    weak_here = [w.statement for w in weak if w.dimension_id == dimension.id]

    def key(m: Mechanism) -> tuple[int, int, tuple[int, int, str]]:
        on_weak = sum(m.covers(dimension.id, s) for s in weak_here)
        on_all = sum(m.covers(dimension.id, s) for s in dimension.statements)
        return -on_weak, -on_all, m.sort_key

    return tuple(sorted((m for m in mechanisms if helps(m, dimension)), key=key))


def note_for(notes: Mapping[str, str], dimension_id: str, statement: Statement | None = None) -> str | None:
    """The most specific note: the statement's own, its theme's, then its dimension's."""
    keys = [statement.id, statement.theme] if statement is not None else []
    for key in [*keys, dimension_id]:
        if key and key in notes:
            return notes[key]
    return None


def find_gaps(
    instrument: Instrument,
    mechanisms: Sequence[Mechanism],
    notes: Mapping[str, str],
    ranked: Sequence[tuple[int, str]],
    weak: Sequence[WeakStatement],
) -> tuple[Gap, ...]:
    """Gaps in priority order (``ranked``: (rank, dimension id)), then weak statements of the
    areas that are not ranked, in instrument order."""
    rank_of = {dim_id: rank for rank, dim_id in ranked}
    order = sorted(instrument.dimensions, key=lambda d: rank_of.get(d.id, len(rank_of) + 1))
    gaps: list[Gap] = []
    for dim in order:
        rank = rank_of.get(dim.id)
        if rank is not None and not any(helps(m, dim) for m in mechanisms):
            gaps.append(Gap(dim.id, dim.title, rank, None, None, note_for(notes, dim.id)))
            continue
        for w in weak:
            if w.dimension_id == dim.id and not covering(mechanisms, dim.id, w.statement):
                note = note_for(notes, dim.id, w.statement)
                gaps.append(Gap(dim.id, dim.title, rank, w.statement, w.rating, note))
    return tuple(gaps)


def not_assessed(instrument: Instrument, scores: Sequence[DimensionScore]) -> tuple[NotAssessed, ...]:
    found = []
    for dim, score in zip(instrument.dimensions, scores, strict=True):
        if score.mean is None:
            found.append(
                NotAssessed(dim.id, dim.title, no_score_reason(score.not_applicable, score.unanswered))
            )
    return tuple(found)
