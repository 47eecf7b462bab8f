"""Threshold bands: each dimension's mean read against fixed cut-offs.

The bands follow the way collaboration inventories are commonly read (a mean of 4.0 or more is a
strength, 3.0 to 3.99 is borderline and worth discussing, below 3.0 is a concern). They are NOT the
Partnership Test's own bands, which were never published; the cut-offs are settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from lti_tool.assessment.instrument import Instrument
from lti_tool.assessment.model import (
    DimensionScore,
    Guide,
    RankedArea,
    RatingCounts,
    Responses,
    ScoringResult,
    format_number,
    no_score_reason,
    overall_score,
    rating_counts,
)
from lti_tool.plugin_api import ScoringModel

BAND_LABELS = {
    "strength": "Strength",
    "borderline": "Borderline",
    "concern": "Concern",
    "insufficient": "Not assessed",
}
# What to do about it; the band's label is shown beside it, so the reading does not repeat it.
READINGS = {
    "strength": "Keep it up, and share how you do it.",
    "borderline": "Worth discussing before it slips.",
    "concern": "Needs attention.",
}
CUT_RANGE = validate.Range(min=1, max=5)


class ThresholdBandsSettings(Schema):
    class Meta:
        unknown = RAISE

    strength_min = fields.Float(
        load_default=4.0,
        validate=CUT_RANGE,
        metadata={
            "label": "Strength from",
            "help": "An area whose mean reaches this value is read as a strength.",
        },
    )
    borderline_min = fields.Float(
        load_default=3.0,
        validate=CUT_RANGE,
        metadata={
            "label": "Borderline from",
            "help": "Means from here up to the strength cut-off are borderline; below it, a concern.",
        },
    )

    @validates_schema(skip_on_field_errors=True)
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["borderline_min"] >= data["strength_min"]:
            raise ValidationError("Must be lower than “Strength from”.", "borderline_min")


class ThresholdBandsModel(ScoringModel):
    name = "threshold_bands"
    label = "Strength, borderline, concern"
    description = (
        "Reads each area's average against cut-offs: strengths, borderline areas worth "
        "discussing, and concerns. Areas needing attention are ranked from the lowest average."
    )
    version = "1"
    api_version = "1.0"  # the plugin API it was written for
    settings_schema = ThresholdBandsSettings
    overall_description = "the mean of your area means"

    def performance_guides(self, settings: Mapping[str, Any]) -> tuple[Guide, ...]:
        cfg = settings
        return (
            Guide(cfg["borderline_min"], f"Borderline from {format_number(cfg['borderline_min'])}"),
            Guide(
                cfg["strength_min"],
                f"Strength from {format_number(cfg['strength_min'])}",
                attention_below=True,
            ),
        )

    def score(
        self, instrument: Instrument, responses: Responses, settings: Mapping[str, Any]
    ) -> ScoringResult:
        cfg = settings
        counts = rating_counts(instrument, responses)
        scores = tuple(self._score(c, cfg) for c in counts)
        return ScoringResult(
            dimension_scores=scores,
            ranked_areas=self._rank(scores, cfg),
            overall=overall_score(scores, instrument),
            summary=_summary(scores),
        )

    @staticmethod
    def _score(counts: RatingCounts, cfg: Mapping[str, float]) -> DimensionScore:
        mean = counts.mean
        if mean is None:
            band = "insufficient"
        elif mean >= cfg["strength_min"]:
            band = "strength"
        elif mean >= cfg["borderline_min"]:
            band = "borderline"
        else:
            band = "concern"
        return DimensionScore(
            dimension_id=counts.dimension_id,
            mean=mean,
            answered=len(counts.values),
            not_applicable=counts.not_applicable,
            band=band,
            band_label=BAND_LABELS[band],
            reading=READINGS.get(band)
            or f"No score: {no_score_reason(counts.not_applicable, counts.unanswered)}.",
            unanswered=counts.unanswered,
            importance=counts.importance,
        )

    @staticmethod
    def _rank(scores: tuple[DimensionScore, ...], cfg: Mapping[str, float]) -> tuple[RankedArea, ...]:
        order = {s.dimension_id: i for i, s in enumerate(scores)}
        weak = [s for s in scores if s.band in ("concern", "borderline")]
        # Lowest mean first; on a tie the area rated more important, then instrument order.
        weak.sort(key=lambda s: (s.mean, -(s.importance or 0), order[s.dimension_id]))
        return tuple(
            RankedArea(s.dimension_id, rank, _reason(s, cfg), s, {"mean": round(s.mean or 0, 4)})
            for rank, s in enumerate(weak, start=1)
        )


def _reason(score: DimensionScore, cfg: Mapping[str, float]) -> str:
    mean = format_number(score.mean or 0)
    if score.band == "concern":
        return f"Mean {mean}, below the borderline cut-off of {format_number(cfg['borderline_min'])}"
    return f"Mean {mean}, below the strength cut-off of {format_number(cfg['strength_min'])}"


def _summary(scores: tuple[DimensionScore, ...]) -> str:
    parts = []
    for band, word in (
        ("strength", "strength"),
        ("borderline", "borderline area"),
        ("concern", "concern"),
        ("insufficient", "not assessed"),
    ):
        n = sum(1 for s in scores if s.band == band)
        if n and band == "insufficient":
            parts.append(f"{n} {word}")
        elif n:
            parts.append(f"{n} {word}{'' if n == 1 else 's'}")
    return ", ".join(parts) + "." if parts else "No areas."
