"""The charts of one report: the radar (wide and compact) and, when the scoring model uses
importance, the importance-performance chart. Pure: a Report in, SVG strings out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lti_tool.assessment.instrument import Instrument
from lti_tool.assessment.ipa import IpaPoint, ipa_svg
from lti_tool.assessment.model import format_number
from lti_tool.assessment.radar import radar_pair
from lti_tool.assessment.report import AreaChange, Report
from lti_tool.i18n import gettext as _


@dataclass(frozen=True)
class ReportCharts:
    radar_wide: str
    radar_compact: str
    ipa: str | None  # only when the scoring model uses importance
    unplaced: tuple[str, ...]  # areas left off the importance chart (no mean or no view)


def report_charts(
    report: Report, instrument: Instrument, changes: Sequence[AreaChange] | None = None, own: bool = True
) -> ReportCharts:
    """``own``: the reader is the attempt's owner (else a teacher: the charts speak of the learner)."""
    titles = [row.title for row in report.dimensions]
    means = [row.score.mean for row in report.dimensions]
    previous = None
    if changes:
        before = {c.dimension_id: c.before for c in changes}
        previous = [before.get(row.dimension_id) for row in report.dimensions]
    top = instrument.scale.maximum
    description = _description(report, top, previous is not None, own)

    wide, compact = radar_pair(
        titles,
        means,
        top,
        title=_("Partnership profile"),
        description=description,
        id_prefix="radar",
        guides=report.performance_guides,
        previous=previous,
    )
    ipa: str | None = None
    unplaced: tuple[str, ...] = ()
    if report.uses_importance:
        points = [
            IpaPoint(row.number, row.title, row.score.mean, float(row.score.importance))
            for row in report.dimensions
            if row.score.mean is not None and row.score.importance is not None
        ]
        placed = {p.number for p in points}
        unplaced = tuple(row.title for row in report.dimensions if row.number not in placed)
        ipa = ipa_svg(
            points,
            scale=(instrument.scale.minimum, top),
            performance_cut=next((g.value for g in report.performance_guides), None),
            importance_cut=next((g.value for g in report.importance_guides), None),
            own=own,
        )
    return ReportCharts(wide, compact, ipa, unplaced)


def _description(report: Report, top: int, with_previous: bool, own: bool) -> str:
    values = "; ".join(
        _(
            "%(number)s. %(title)s: %(value)s",
            number=row.number,
            title=row.title,
            value=_("not assessed") if row.score.mean is None else format_number(row.score.mean),
        )
        for row in report.dimensions
    )
    rings = ", ".join(g.label for g in report.performance_guides)
    parts = [_("Mean of each area on the scale of 1 to %(top)s, one ring per point.", top=top)]
    if rings:
        parts.append(_("Dashed rings:") + f" {rings}.")
    if with_previous:
        if own:
            parts.append(_("Dotted outline: your previous attempt."))
        else:
            parts.append(_("Dotted outline: the learner's previous attempt."))
    return " ".join([*parts, values + "."])
