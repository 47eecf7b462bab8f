"""Plain data passed to and returned by plugins: responses in, scores and mechanisms out.

Conventions for ``Responses``: a statement id that is absent from ``ratings`` has not been
answered; a statement id mapped to ``None`` was answered "don't know / not applicable" (N/A).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lti_tool import i18n
from lti_tool.assessment.instrument import NA, Instrument, Statement

EFFORTS = ("low", "medium", "high")
HORIZONS = ("short", "medium", "long")
# What people read for them (files and settings keep the codes), in the reader's language.
EFFORT_LABELS: Mapping[str, Any] = {
    "low": i18n.lazy_gettext("Low"),
    "medium": i18n.lazy_gettext("Medium"),
    "high": i18n.lazy_gettext("High"),
}
HORIZON_LABELS: Mapping[str, Any] = {
    "short": i18n.lazy_gettext("Short term"),
    "medium": i18n.lazy_gettext("Medium term"),
    "long": i18n.lazy_gettext("Long term"),
}


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Responses:
    ratings: Mapping[str, int | None] = field(default_factory=dict)
    importance: Mapping[str, int | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Plugins get read-only views, so one plugin cannot alter what the next one sees.
        object.__setattr__(self, "ratings", _frozen(self.ratings))
        object.__setattr__(self, "importance", _frozen(self.importance))

    @classmethod
    def from_raw(cls, ratings: Mapping[str, Any], importance: Mapping[str, Any] | None = None) -> Responses:
        """Build from form or JSON values: ``"na"`` (or ``None``) means N/A, digits are ratings."""
        return cls(
            {k: _parse_value(v) for k, v in ratings.items()},
            {k: _parse_value(v) for k, v in (importance or {}).items()},
        )


def _parse_value(value: Any) -> int | None:
    if value is None or value == NA:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a rating: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(f"not a rating: {value!r}")


def missing_answers(instrument: Instrument, responses: Responses) -> list[Statement]:
    """Statements with no answer at all (an explicit N/A counts as answered), in order."""
    return [s for _, s in instrument.statements() if s.id not in responses.ratings]


def response_errors(instrument: Instrument, responses: Responses) -> list[str]:
    """Unknown ids and out-of-scale values; empty when the responses fit the instrument."""
    errors: list[str] = []
    statement_ids = set(instrument.statement_ids)
    for key, value in responses.ratings.items():
        if key not in statement_ids:
            errors.append(f"ratings.{key}: unknown statement")
        elif value is not None and not instrument.scale.contains(value):
            errors.append(f"ratings.{key}: {value!r} is not on the rating scale")
    for key, value in responses.importance.items():
        if key not in instrument.dimension_ids:
            errors.append(f"importance.{key}: unknown dimension")
        elif value is not None and not instrument.importance_scale.contains(value):
            errors.append(f"importance.{key}: {value!r} is not on the importance scale")
    return errors


@dataclass(frozen=True)
class DimensionScore:
    dimension_id: str
    mean: float | None  # mean of the answered statements; None when every answer was N/A
    answered: int  # statements rated on the scale
    not_applicable: int  # statements answered "don't know / not applicable"
    band: str  # a slug chosen by the scoring model, e.g. "concern" or "concentrate_here"
    band_label: str
    reading: str  # one sentence a participant can read
    unanswered: int = 0  # statements with no answer at all
    importance: int | None = None  # as rated; None when not rated


@dataclass(frozen=True)
class RankedArea:
    """An area needing attention; rank 1 is the most pressing."""

    dimension_id: str
    rank: int
    reason: str
    score: DimensionScore
    # Model-specific numbers behind the rank (e.g. {"priority": 11.25}), for display.
    details: Mapping[str, float | int | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", _frozen(self.details))


@dataclass(frozen=True)
class ScoringResult:
    dimension_scores: tuple[DimensionScore, ...]  # in instrument order
    ranked_areas: tuple[RankedArea, ...]  # areas needing attention, priority order
    overall: float | None  # 0..1, e.g. for a grade; None when nothing was rated
    summary: str

    def score_for(self, dimension_id: str) -> DimensionScore:
        for score in self.dimension_scores:
            if score.dimension_id == dimension_id:
                return score
        raise KeyError(dimension_id)


@dataclass(frozen=True)
class Mechanism:
    id: str
    title: str
    summary: str
    dimensions: tuple[str, ...]  # dimension ids this mechanism is for
    effort: str  # one of EFFORTS
    horizon: str  # one of HORIZONS
    source: str  # where it really comes from: a workshop reading, the outline, an outside study
    # Statement ids or themes (Statement.theme) it really helps with, within its dimensions.
    # Empty: it is taken to help with every statement of its dimensions.
    addresses: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.effort not in EFFORTS:
            raise ValueError(f"effort must be one of {EFFORTS}, not {self.effort!r}")
        if self.horizon not in HORIZONS:
            raise ValueError(f"horizon must be one of {HORIZONS}, not {self.horizon!r}")

    @property
    def effort_label(self) -> str:
        """The effort in words, in the current language ("Low", "Faible")."""
        return str(EFFORT_LABELS[self.effort])

    @property
    def horizon_label(self) -> str:
        """The time scale in words, in the current language ("Short term", "Court terme")."""
        return str(HORIZON_LABELS[self.horizon])

    @property
    def sort_key(self) -> tuple[int, int, str]:
        """Quick wins first: lower effort, then shorter horizon."""
        return EFFORTS.index(self.effort), HORIZONS.index(self.horizon), self.title.lower()

    def covers(self, dimension_id: str, statement: Statement) -> bool:
        """Whether this mechanism helps with ``statement`` (of dimension ``dimension_id``)."""
        if dimension_id not in self.dimensions:
            return False
        return not self.addresses or statement.id in self.addresses or statement.theme in self.addresses


@dataclass(frozen=True)
class Guide:
    """A reference value a scoring model reads means against (a cut-off), drawn on charts.

    ``attention_below``: an area whose mean is below this value is one the model ranks as
    needing attention (the class view counts such areas without scoring every attempt).
    """

    value: float
    label: str
    attention_below: bool = False


@dataclass(frozen=True)
class RatingCounts:
    """What the responses hold for one dimension, before any model interprets it."""

    dimension_id: str
    values: tuple[int, ...]  # ratings on the scale, N/A excluded
    not_applicable: int
    unanswered: int
    importance: int | None

    @property
    def mean(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None


def rating_counts(instrument: Instrument, responses: Responses) -> list[RatingCounts]:
    """Per-dimension ratings in instrument order; a helper any scoring model can share."""
    counts = []
    for dim in instrument.dimensions:
        values: list[int] = []
        not_applicable = unanswered = 0
        for statement in dim.statements:
            if statement.id not in responses.ratings:
                unanswered += 1
            elif (value := responses.ratings[statement.id]) is None:
                not_applicable += 1
            else:
                values.append(value)
        counts.append(
            RatingCounts(dim.id, tuple(values), not_applicable, unanswered, responses.importance.get(dim.id))
        )
    return counts


def no_score_reason(not_applicable: int, unanswered: int) -> str:
    """Why an area has no mean, in words (completes "Not assessed: ...")."""
    if not_applicable and not unanswered:
        return i18n.gettext("every statement was answered “don't know / not applicable”")
    if unanswered and not not_applicable:
        return i18n.gettext("no statement was answered")
    return i18n.gettext("its statements were answered “don't know” or left unanswered")


def format_number(value: float) -> str:
    """2.3333 -> "2.33", 3.5 -> "3.5", 3 -> "3.0": short and stable in reason texts (French: "3,5")."""
    text = f"{value:.2f}".rstrip("0")
    return (text + "0" if text.endswith(".") else text).replace(".", i18n.decimal_symbol())


def overall_score(
    scores: Iterable[DimensionScore],
    instrument: Instrument,
    weights: Mapping[str, float] | None = None,
) -> float | None:
    """(Weighted) mean of the dimension means mapped from the rating scale onto 0..1.

    0..1 so that it can be sent as a grade; None when no dimension has a mean.
    """
    pairs = [(s.mean, (weights or {}).get(s.dimension_id, 1.0)) for s in scores if s.mean is not None]
    total_weight = sum(w for _, w in pairs)
    if not pairs or total_weight <= 0:
        return None
    mean = sum(m * w for m, w in pairs) / total_weight
    low, high = instrument.scale.minimum, instrument.scale.maximum
    return (mean - low) / (high - low)
