"""The joint report's charts: the partnership's radar (the partners' mean per area, with the
band from the lowest to the highest partner), and per area a strip with every partner's score,
one shape per side so that colour is never the only cue. Pure, accessible SVG (role="img", a
<desc> stating every value)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from lti_tool.assessment.model import Guide, format_number
from lti_tool.assessment.partnership import HIDDEN, JointArea, JointReport
from lti_tool.assessment.radar import radar_pair
from lti_tool.i18n import gettext as _

WIDTH, HEIGHT, PAD, BASE = 240, 40, 10.0, 30.0
# One mark per side: shape and colour (contrast >= 3:1 on white for graphics).
MARKS = {
    "public": ("circle", "#0b5cad"),
    "private": ("square", "#8a3b00"),
    "non-profit": ("triangle", "#2d6a1f"),
    "other": ("diamond", "#6b2f8a"),
    HIDDEN: ("ring", "#4a5560"),
}


@dataclass(frozen=True)
class JointCharts:
    radar_wide: str
    radar_compact: str
    strips: dict[str, str]  # area id -> strip


def _path(points: Sequence[tuple[float, float]], colour: str) -> str:
    d = " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<path d="M{d} Z" fill="{colour}"/>'


def _mark(side: str, x: float, y: float) -> str:
    shape, colour = MARKS.get(side, MARKS[HIDDEN])
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return _path([(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)], colour)
    if shape == "diamond":
        return _path([(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)], colour)
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#fff" stroke="{colour}" stroke-width="2"/>'


def member_strip(area: JointArea, scale: tuple[int, int], cut: float | None, id_prefix: str) -> str:
    low, high = scale

    def x_of(value: float) -> float:
        return PAD + (value - low) / (high - low) * (WIDTH - 2 * PAD)

    said = "; ".join(
        _(
            "%(name)s: %(value)s",
            name=f"{s.member.label} ({s.member.side_label})",
            value=format_number(s.mean),
        )
        for s in area.scores
    )
    said = said or _("No scores")
    desc = _("On the scale of %(low)s to %(high)s.", low=low, high=high) + f" {said}."
    title = _("Each partner's score: %(area)s", area=area.title)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'class="strip member-strip" '
        f"aria-labelledby={quoteattr(f'{title_id} {desc_id}')}>",
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(desc)}</desc>",
        f'<line x1="{PAD}" y1="{BASE}" x2="{WIDTH - PAD}" y2="{BASE}" stroke="#6b7580"/>',
        *(
            f'<text x="{x_of(v):.1f}" y="{HEIGHT - 1}" font-size="9" text-anchor="middle" '
            f'fill="#4a5560">{v}</text>'
            for v in range(low, high + 1)
        ),
    ]
    if cut is not None:
        x = x_of(cut)
        parts.append(
            f'<line x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{BASE}" stroke="#7a4d00" stroke-dasharray="3 2"/>'
        )
    stacked: dict[float, int] = {}
    for s in area.scores:  # partners with the same score are stacked, not hidden behind each other
        level = stacked.get(s.mean, 0)
        stacked[s.mean] = level + 1
        parts.append(_mark(s.member.side, x_of(s.mean), BASE - 6 - 9 * min(level, 2)))
    parts.append("</svg>")
    return "\n".join(parts)


def joint_charts(report: JointReport, scale: tuple[int, int], guides: Sequence[Guide] = ()) -> JointCharts:
    areas = report.areas
    described = "; ".join(
        _(
            "%(number)s. %(title)s: %(value)s",
            number=a.number,
            title=a.title,
            value=_("no score")
            if a.mean is None
            else _(
                "mean %(mean)s, from %(low)s to %(high)s",
                mean=format_number(a.mean),
                low=format_number(a.low or 0),
                high=format_number(a.high or 0),
            ),
        )
        for a in areas
    )
    wide, compact = radar_pair(
        [a.title for a in areas],
        [a.mean for a in areas],
        scale[1],
        title=_("The partnership's joint profile"),
        description=_(
            "Partners' mean per area on the scale of 1 to %(top)s, with a band from the lowest to "
            "the highest partner's score.",
            top=scale[1],
        )
        + f" {described}.",
        id_prefix="joint-radar",
        guides=guides,
        band=[(a.low, a.high) for a in areas],
    )
    strips = {
        a.dimension_id: member_strip(a, scale, report.attention_below, f"member-strip-{a.dimension_id}")
        for a in areas
    }
    return JointCharts(wide, compact, strips)
