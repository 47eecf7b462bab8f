"""Threshold bands: each dimension's mean read against fixed cut-offs.

The bands follow the way collaboration inventories are commonly read (a mean of 4.0 or more is a
strength, 3.0 to 3.99 is borderline and worth discussing, below 3.0 is a concern). They are NOT the
Partnership Test's own bands, which were never published; the cut-offs are settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema

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
from lti_tool.i18n import N_
from lti_tool.plugin_api import TOOL_TEXTS, ScoringModel
from lti_tool_plugins.scoring.common import CUT_RANGE, dimension_score

# The tool's own catalogue: the door every plugin's texts go through (docs/plugins.md).
_ = TOOL_TEXTS.gettext
_l = TOOL_TEXTS.lazy_gettext
ngettext = TOOL_TEXTS.ngettext

# Marked here, translated where a score is made (in the person's language).
BAND_LABELS = {
    "strength": N_("Strength"),
    "borderline": N_("Borderline"),
    "concern": N_("Concern"),
    "insufficient": N_("Not assessed"),
}
# What to do about it; the band's label is shown beside it, so the reading does not repeat it.
READINGS = {
    "strength": N_("Keep it up, and share how you do it."),
    "borderline": N_("Worth discussing before it slips."),
    "concern": N_("Needs attention."),
}


class ThresholdBandsSettings(Schema):
    class Meta:
        unknown = RAISE

    strength_min = fields.Float(
        load_default=4.0,
        validate=CUT_RANGE,
        metadata={
            "label": _l("Strength from"),
            "help": _l("An area whose mean reaches this value is read as a strength."),
        },
    )
    borderline_min = fields.Float(
        load_default=3.0,
        validate=CUT_RANGE,
        metadata={
            "label": _l("Borderline from"),
            "help": _l("Means from here up to the strength cut-off are borderline; below it, a concern."),
        },
    )

    @validates_schema(skip_on_field_errors=True)
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["borderline_min"] >= data["strength_min"]:
            raise ValidationError(_("Must be lower than “Strength from”."), "borderline_min")


class ThresholdBandsModel(ScoringModel):
    name = "threshold_bands"
    label = _l("Strength, borderline, concern")
    description = _l(
        "Reads each area's average against cut-offs: strengths, borderline areas worth "
        "discussing, and concerns. Areas needing attention are ranked from the lowest average."
    )
    version = "1"
    api_version = "1.0"  # the plugin API it was written for
    settings_schema = ThresholdBandsSettings
    overall_description = _l("the mean of your area means")

    def performance_guides(self, settings: Mapping[str, Any]) -> tuple[Guide, ...]:
        cfg = settings
        return (
            Guide(
                cfg["borderline_min"],
                _("Borderline from %(value)s", value=format_number(cfg["borderline_min"])),
            ),
            Guide(
                cfg["strength_min"],
                _("Strength from %(value)s", value=format_number(cfg["strength_min"])),
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
        reading = _(READINGS[band]) if band in READINGS else None  # None: why it has no mean
        return dimension_score(counts, band, _(BAND_LABELS[band]), reading)

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
        cut = format_number(cfg["borderline_min"])
        return _("Mean %(mean)s, below the borderline cut-off of %(cut)s", mean=mean, cut=cut)
    cut = format_number(cfg["strength_min"])
    return _("Mean %(mean)s, below the strength cut-off of %(cut)s", mean=mean, cut=cut)


def _summary(scores: tuple[DimensionScore, ...]) -> str:
    parts = []
    for band in ("strength", "borderline", "concern", "insufficient"):
        n = sum(1 for s in scores if s.band == band)
        if n:
            parts.append(_count(band, n))
    return ", ".join(parts) + "." if parts else _("No areas.")


def _count(band: str, n: int) -> str:
    if band == "strength":
        return ngettext("%(num)s strength", "%(num)s strengths", n)
    if band == "borderline":
        return ngettext("%(num)s borderline area", "%(num)s borderline areas", n)
    if band == "concern":
        return ngettext("%(num)s concern", "%(num)s concerns", n)
    return ngettext("%(num)s not assessed", "%(num)s not assessed", n)
