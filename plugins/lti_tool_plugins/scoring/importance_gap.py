"""Importance-performance analysis (Martilla & James, 1977) over the dimensions.

performance = the dimension's mean rating (N/A excluded);
importance  = the participant's importance rating for the dimension (``default_importance`` when
              not given).
Fixed cut-offs, not the sample means, place each dimension in a quadrant: one participant's
answers are too few for means to be stable, and fixed cut-offs read the same for every participant.
A value AT a cut-off counts as high on that axis:

    high importance, low performance  -> "concentrate here"
    high importance, high performance -> "keep up the good work"
    low importance,  low performance  -> "low priority"
    low importance,  high performance -> "possible overkill" (shown as "fine, matters less")

priority = importance x shortfall, where shortfall = scale maximum - performance: the gap to the
top of the scale weighted by how much the area matters. Areas needing attention are the
"concentrate here" dimensions, then the "low priority" ones, each group by priority (highest
first). So a mildly weak but essential dimension comes before a very weak one nobody cares about;
threshold_bands, which ignores importance except to break ties, ranks them the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, fields, pre_load

from lti_tool.assessment.instrument import Instrument
from lti_tool.assessment.model import (
    DimensionScore,
    Guide,
    RankedArea,
    RatingCounts,
    Responses,
    ScoringResult,
    format_number,
    overall_score,
    rating_counts,
)
from lti_tool.i18n import N_, language
from lti_tool.plugin_api import TOOL_TEXTS, ScoringModel
from lti_tool_plugins.scoring.common import CUT_RANGE, dimension_score

# The tool's own catalogue: the door every plugin's texts go through (docs/plugins.md).
_ = TOOL_TEXTS.gettext
_l = TOOL_TEXTS.lazy_gettext

# Marked here, translated where a score is made (in the person's language).
QUADRANTS = {
    "concentrate_here": N_("Concentrate here"),
    "keep_up": N_("Keep up the good work"),
    "low_priority": N_("Low priority"),
    "possible_overkill": N_("Fine, matters less"),  # Martilla & James's "possible overkill"
    "insufficient": N_("Not assessed"),
}
ADVICE = {
    "concentrate_here": N_("the first place to act"),
    "keep_up": N_("keep it up"),
    "low_priority": N_("watch it, act later"),
    "possible_overkill": N_("effort to spare?"),
}
ATTENTION = ("concentrate_here", "low_priority")  # in the order they are listed


class ImportanceGapSettings(Schema):
    class Meta:
        unknown = RAISE

    performance_cut = fields.Float(
        load_default=3.0,
        validate=CUT_RANGE,
        metadata={
            "label": _l("Performance cut-off"),
            "help": _l("A mean below this value counts as low performance."),
        },
    )
    importance_cut = fields.Float(
        load_default=3.0,
        validate=CUT_RANGE,
        metadata={
            "label": _l("Importance cut-off"),
            "help": _l("An importance rating at or above this value counts as important."),
        },
    )
    default_importance = fields.Integer(
        load_default=3,
        strict=True,
        validate=CUT_RANGE,
        metadata={
            "label": _l("Importance when not rated"),
            "help": _l("Used for an area where the participant gave no view on importance."),
        },
    )

    @pre_load
    def _form_digits(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        # Forms send "4"; strict=True still rejects 2.5 instead of truncating it to 2.
        value = data.get("default_importance") if isinstance(data, dict) else None
        if isinstance(value, str) and value.strip().isdigit():
            data = {**data, "default_importance": int(value)}
        return data


class ImportanceGapModel(ScoringModel):
    name = "importance_gap"
    label = _l("Importance and performance")
    description = _l(
        "Places each area in a quadrant by how important the learner rates it and how its mean "
        "compares with a cut-off. Important areas below the cut-off come first, ranked by "
        "importance times shortfall."
    )
    version = "1"
    api_version = "1.0"  # the plugin API it was written for
    settings_schema = ImportanceGapSettings
    uses_importance = True
    overall_description = _l(
        "the mean of your area means, each weighted by the importance you gave it "
        "(the activity's default importance where you gave no view)"
    )

    def performance_guides(self, settings: Mapping[str, Any]) -> tuple[Guide, ...]:
        cut = settings["performance_cut"]
        return (Guide(cut, _("Performance cut-off %(cut)s", cut=format_number(cut)), attention_below=True),)

    def importance_guides(self, settings: Mapping[str, Any]) -> tuple[Guide, ...]:
        cut = settings["importance_cut"]
        return (Guide(cut, _("Importance cut-off %(cut)s", cut=format_number(cut))),)

    def score(
        self, instrument: Instrument, responses: Responses, settings: Mapping[str, Any]
    ) -> ScoringResult:
        cfg = settings
        top = instrument.scale.maximum
        counts = rating_counts(instrument, responses)
        scores = tuple(self._score(c, cfg) for c in counts)
        weights = {c.dimension_id: float(_importance(c, cfg)) for c in counts}
        return ScoringResult(
            dimension_scores=scores,
            ranked_areas=self._rank(scores, counts, cfg, top),
            # Weighted by importance: doing well where it matters counts for more.
            overall=overall_score(scores, instrument, weights),
            summary=_summary(scores),
        )

    @staticmethod
    def _score(counts: RatingCounts, cfg: Mapping[str, Any]) -> DimensionScore:
        mean = counts.mean
        importance = _importance(counts, cfg)
        # One _(QUADRANTS[...]) with a variable key: Babel before 2.15 extracted a literal key
        # ("insufficient") as a text to translate.
        quadrant = "insufficient"
        reading: str | None = None
        if mean is not None:
            quadrant = _quadrant(mean, importance, cfg)
            reading = _reading(quadrant, counts.importance, importance, cfg)
        return dimension_score(counts, quadrant, _(QUADRANTS[quadrant]), reading)

    @staticmethod
    def _rank(
        scores: tuple[DimensionScore, ...],
        counts: list[RatingCounts],
        cfg: Mapping[str, Any],
        top: int,
    ) -> tuple[RankedArea, ...]:
        rows = []
        for index, (score, count) in enumerate(zip(scores, counts, strict=True)):
            if score.band not in ATTENTION or score.mean is None:
                continue
            importance = _importance(count, cfg)
            shortfall = top - score.mean
            rows.append(
                (ATTENTION.index(score.band), -importance * shortfall, index, score, importance, shortfall)
            )
        rows.sort(key=lambda r: r[:3])
        return tuple(
            RankedArea(
                score.dimension_id,
                rank,
                _reason(score, importance, shortfall, top),
                score,
                {
                    "importance": importance,
                    "shortfall": round(shortfall, 4),
                    "priority": round(importance * shortfall, 4),
                },
            )
            for rank, (_, _, _, score, importance, shortfall) in enumerate(rows, start=1)
        )


def _importance(counts: RatingCounts, cfg: Mapping[str, Any]) -> int:
    return counts.importance if counts.importance is not None else cfg["default_importance"]


def _quadrant(performance: float, importance: int, cfg: Mapping[str, Any]) -> str:
    important = importance >= cfg["importance_cut"]
    doing_well = performance >= cfg["performance_cut"]
    if important:
        return "keep_up" if doing_well else "concentrate_here"
    return "possible_overkill" if doing_well else "low_priority"


def _reading(quadrant: str, rated: int | None, importance: int, cfg: Mapping[str, Any]) -> str:
    """One sentence that says what was rated, and what was assumed."""
    important = importance >= cfg["importance_cut"]
    cut, advice = format_number(cfg["performance_cut"]), _(ADVICE[quadrant])
    if rated is None and important:
        how = _("No view on importance (counted as %(importance)s, important)", importance=importance)
    elif rated is None:
        how = _("No view on importance (counted as %(importance)s, less important)", importance=importance)
    else:
        how = _("Rated important") if important else _("Rated less important")
    if quadrant in ATTENTION:
        return _("%(how)s; mean below the cut-off of %(cut)s: %(advice)s.", how=how, cut=cut, advice=advice)
    return _("%(how)s; mean at or above the cut-off of %(cut)s: %(advice)s.", how=how, cut=cut, advice=advice)


def _reason(score: DimensionScore, importance: int, shortfall: float, top: int) -> str:
    values = {
        "band": score.band_label,
        "importance": importance,
        "top": top,
        "shortfall": format_number(shortfall),
        "mean": format_number(score.mean or 0),
        "priority": format_number(importance * shortfall),
    }
    if score.importance is None:
        return _(
            "%(band)s: importance %(importance)s of %(top)s (no view given: the default) × shortfall "
            "%(shortfall)s (%(top)s − mean %(mean)s) = priority %(priority)s",
            **values,
        )
    return _(
        "%(band)s: importance %(importance)s of %(top)s × shortfall %(shortfall)s "
        "(%(top)s − mean %(mean)s) = priority %(priority)s",
        **values,
    )


def _summary(scores: tuple[DimensionScore, ...]) -> str:
    parts = [
        f"{_(label)}\u00a0: {n}" if language() == "fr" else f"{label}: {n}"
        for key, label in QUADRANTS.items()
        if (n := sum(1 for s in scores if s.band == key))
    ]
    return "; ".join(parts) + "." if parts else _("No areas.")
