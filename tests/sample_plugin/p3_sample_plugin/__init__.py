"""Sample third-party plugins: a "weakest link" scoring model and a tiny catalogue.

Their texts are in English and French: English in the code, French in the plugin's own gettext
catalogue (translations/fr_CA/LC_MESSAGES/messages.po), read through `Catalogue` in the language
of whoever is reading (docs/plugins.md, "Languages").

weakest_link reads a dimension by its single LOWEST statement rating: a partnership is only as
strong as its weakest practice. Dimensions whose lowest rating is below ``concern_below`` need
attention, lowest first (ties: lower mean first, then instrument order).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from lti_tool.assessment.instrument import Instrument
from lti_tool.assessment.model import (
    DimensionScore,
    Mechanism,
    RankedArea,
    Responses,
    ScoringResult,
    overall_score,
    rating_counts,
)
from lti_tool.plugin_api import Catalogue, MechanismCatalogue, ScoringModel

TEXTS = Catalogue(Path(__file__).with_name("translations"))
_ = TEXTS.gettext
_l = TEXTS.lazy_gettext
ngettext = TEXTS.ngettext


def _band_label(band: str) -> str:
    return {"insufficient": _("Insufficient"), "concern": _("Concern"), "ok": _("Ok")}[band]


class WeakestLinkSettings(Schema):
    class Meta:
        unknown = RAISE

    concern_below = fields.Integer(
        load_default=3,
        strict=True,
        validate=validate.Range(min=2, max=5),
        metadata={"label": _l("Concern when any rating is below")},
    )


class WeakestLinkModel(ScoringModel):
    name = "weakest_link"
    label = _l("Weakest link")
    description = _l("Reads each area by its lowest-rated statement.")
    version = "0.1.0"
    api_version = "1.0"  # the plugin API it was written for
    settings_schema = WeakestLinkSettings

    def score(
        self, instrument: Instrument, responses: Responses, settings: Mapping[str, Any]
    ) -> ScoringResult:
        cfg = settings
        scores: list[DimensionScore] = []
        weakest: dict[str, int] = {}  # the lowest rating of each area rated at all
        for counts in rating_counts(instrument, responses):
            low = min(counts.values) if counts.values else None
            if low is not None:
                weakest[counts.dimension_id] = low
            band = "insufficient" if low is None else ("concern" if low < cfg["concern_below"] else "ok")
            scores.append(
                DimensionScore(
                    counts.dimension_id,
                    counts.mean,
                    len(counts.values),
                    counts.not_applicable,
                    band,
                    _band_label(band),
                    _("Lowest rating: %(low)s", low=low if low is not None else "-"),
                    counts.unanswered,
                    counts.importance,
                )
            )
        order = [s.dimension_id for s in scores]
        weak = sorted(
            (s for s in scores if s.band == "concern"),
            key=lambda s: (weakest[s.dimension_id], s.mean, order.index(s.dimension_id)),
        )
        ranked = tuple(
            RankedArea(
                s.dimension_id,
                rank,
                _(
                    "Lowest rating %(low)s is below %(limit)s",
                    low=weakest[s.dimension_id],
                    limit=cfg["concern_below"],
                ),
                s,
                {"lowest": weakest[s.dimension_id]},
            )
            for rank, s in enumerate(weak, start=1)
        )
        return ScoringResult(
            tuple(scores),
            ranked,
            overall_score(scores, instrument),
            ngettext("%(num)s area with a weak link.", "%(num)s areas with a weak link.", len(ranked)),
        )


class SampleTipsCatalogue(MechanismCatalogue):
    name = "sample_tips"
    label = _l("Sample tips")
    description = _l("Two mechanisms from an imaginary partner organization.")
    version = "0.1.0"
    api_version = "1.0"  # the plugin API it was written for

    def mechanisms(self, instrument: Instrument, settings: Mapping[str, Any]) -> list[Mechanism]:
        tips = [
            Mechanism(
                "shared-calendar",
                _("Shared calendar"),
                _("One calendar of joint events."),
                ("information",),
                "low",
                "short",
                _("Sample plugin"),
            ),
            Mechanism(
                "buddy-pairs",
                _("Buddy pairs"),
                _("Pair staff across partners."),
                ("trust", "continuity"),
                "low",
                "medium",
                _("Sample plugin"),
                # What it really helps with (statement ids or themes); without this it would
                # be taken to help with every statement of its dimensions.
                ("informal-contact", "understanding-views", "onboarding"),
            ),
        ]
        known = set(instrument.dimension_ids)
        return [m for m in tips if set(m.dimensions) <= known]
