"""An importance-performance chart (Martilla & James, 1977) as accessible SVG.

Performance (the area's mean) runs left to right, importance bottom to top, both on the rating
scale; the scoring model's cut-offs divide the plane into the four quadrants, "concentrate here"
at the top left. Each area is a numbered dot (the numbers of the report's list). Pure and
deterministic, like the radar; <desc> states every point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from lti_tool.assessment.model import format_number
from lti_tool.i18n import gettext as _

SIZE = 340
LEFT, BOTTOM, TOP, RIGHT = 44.0, 40.0, 12.0, 12.0
PLOT = SIZE - LEFT - RIGHT  # square plot


@dataclass(frozen=True)
class IpaPoint:
    number: int
    label: str
    performance: float
    importance: float


def _x(value: float, low: float, high: float) -> float:
    return LEFT + PLOT * (value - low) / (high - low)


def _y(value: float, low: float, high: float) -> float:
    return TOP + PLOT * (1 - (value - low) / (high - low))


def ipa_svg(
    points: Sequence[IpaPoint],
    *,
    scale: tuple[int, int] = (1, 5),
    performance_cut: float | None = None,
    importance_cut: float | None = None,
    title: str | None = None,
    id_prefix: str = "ipa",
    own: bool = True,
) -> str:
    """``own``: the reader gave the importance (else a teacher reads a learner's chart)."""
    low, high = scale
    title = title if title is not None else _("Importance and performance")
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    described = "; ".join(
        _(
            "%(number)s. %(title)s: %(value)s",
            number=p.number,
            title=p.label,
            value=_(
                "mean %(mean)s, importance %(importance)s",
                mean=format_number(p.performance),
                importance=format_number(p.importance),
            ),
        )
        for p in points
    )
    cuts = []
    if performance_cut is not None:
        cuts.append(_("performance cut-off %(cut)s", cut=format_number(performance_cut)))
    if importance_cut is not None:
        cuts.append(_("importance cut-off %(cut)s", cut=format_number(importance_cut)))
    if own:
        across = _(
            "Each area by its mean (across) and the importance you gave it (up), from %(low)s to %(high)s.",
            low=low,
            high=high,
        )
    else:
        across = _(
            "Each area by its mean (across) and the importance the learner gave it (up), "
            "from %(low)s to %(high)s.",
            low=low,
            high=high,
        )
    description = " ".join(
        [
            across,
            *([_("Dashed lines: %(cuts)s.", cuts=_(" and ").join(cuts))] if cuts else []),
            described + "." if described else _("No area has both a mean and an importance."),
        ]
    )
    performance, importance = _("Performance (mean)"), _("Importance")
    quadrants = (
        _("Concentrate here"),
        _("Keep up the good work"),
        _("Low priority"),
        _("Fine, matters less"),
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" role="img" class="ipa" '
        f"aria-labelledby={quoteattr(f'{title_id} {desc_id}')}>",
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(description)}</desc>",
        f'<rect x="{LEFT}" y="{TOP}" width="{PLOT}" height="{PLOT}" fill="none" stroke="#c4c9cf"/>',
        '<g font-size="11" fill="#4a5560">',
    ]
    for tick in range(low, high + 1):
        x, y = _x(tick, low, high), _y(tick, low, high)
        parts.append(f'<text x="{x:.1f}" y="{TOP + PLOT + 14:.1f}" text-anchor="middle">{tick}</text>')
        parts.append(f'<text x="{LEFT - 6:.1f}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    parts += [
        f'<text x="{LEFT + PLOT / 2:.1f}" y="{SIZE - 6:.1f}" text-anchor="middle" font-size="12">'
        f"{escape(performance)}</text>",
        f'<text transform="translate(12 {TOP + PLOT / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'font-size="12">{escape(importance)}</text>',
        "</g>",
    ]
    pc = _x(performance_cut, low, high) if performance_cut is not None else None
    ic = _y(importance_cut, low, high) if importance_cut is not None else None
    dash = 'stroke="#7a4d00" stroke-width="1.5" stroke-dasharray="5 4"'
    if pc is not None:
        parts.append(
            f'<line class="ipa-cut" x1="{pc:.1f}" y1="{TOP}" x2="{pc:.1f}" y2="{TOP + PLOT}" {dash}/>'
        )
    if ic is not None:
        parts.append(
            f'<line class="ipa-cut" x1="{LEFT}" y1="{ic:.1f}" x2="{LEFT + PLOT}" y2="{ic:.1f}" {dash}/>'
        )
    parts += [
        '<g font-size="11" fill="#4a5560" font-style="italic">',
        f'<text x="{LEFT + 4}" y="{TOP + 13}">{escape(quadrants[0])}</text>',
        f'<text x="{LEFT + PLOT - 4}" y="{TOP + 13}" text-anchor="end">{escape(quadrants[1])}</text>',
        f'<text x="{LEFT + 4}" y="{TOP + PLOT - 5}">{escape(quadrants[2])}</text>',
        f'<text x="{LEFT + PLOT - 4}" y="{TOP + PLOT - 5}" text-anchor="end">{escape(quadrants[3])}</text>',
        "</g>",
        '<g class="ipa-points" font-size="11" text-anchor="middle">',
    ]
    seen: dict[tuple[float, float], int] = {}
    for p in points:
        x, y = _x(p.performance, low, high), _y(p.importance, low, high)
        # Areas on the same spot are fanned out so that every number stays readable.
        n = seen.get((x, y), 0)
        seen[(x, y)] = n + 1
        x, y = x + 14 * (n % 3), y - 14 * (n // 3)
        parts.append(
            f'<g class="ipa-point"><circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="#0b5cad"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" fill="#fff">{p.number}</text></g>'
        )
    parts += ["</g>", "</svg>"]
    return "\n".join(parts)
