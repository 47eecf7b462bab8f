"""What the built-in scoring models share once each has read an area its own way: the area's
score from its counts (band, label and sentence are the model's), and the sentence for an area
with no mean."""

from __future__ import annotations

from marshmallow import validate

from lti_tool.assessment.model import DimensionScore, RatingCounts, no_score_reason
from lti_tool.plugin_api import TOOL_TEXTS

_ = TOOL_TEXTS.gettext

CUT_RANGE = validate.Range(min=1, max=5)  # a cut-off on the 1-5 rating scale


def dimension_score(counts: RatingCounts, band: str, band_label: str, reading: str | None) -> DimensionScore:
    """``reading`` None: the area has no mean, and the sentence says why."""
    return DimensionScore(
        dimension_id=counts.dimension_id,
        mean=counts.mean,
        answered=len(counts.values),
        not_applicable=counts.not_applicable,
        band=band,
        band_label=band_label,
        reading=_no_score(counts) if reading is None else reading,
        unanswered=counts.unanswered,
        importance=counts.importance,
    )


def _no_score(counts: RatingCounts) -> str:
    return _("No score: %(why)s.", why=no_score_reason(counts.not_applicable, counts.unanswered))
