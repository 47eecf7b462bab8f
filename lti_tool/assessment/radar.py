"""A server-rendered, accessible SVG radar ("spider") chart of the dimension means.

Pure and deterministic: the same input always gives the same bytes. Text is escaped; the chart
has role="img" with a <title> and a <desc> that states every value, so a screen reader gets the
data without the picture.

The scale is drawn: rings at every point of the rating scale, numbered along the top axis, and
the scoring model's cut-offs (``Guide``) as dashed rings. Two layouts: ``wide`` labels each axis
with the area's name; ``compact`` (for narrow screens, 320 px iframes) labels it with the area's
number, at a size that stays legible, and the page lists the numbered areas beside it. Optional:
the previous attempt as a dashed outline, and a cohort's spread as a band.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from lti_tool.assessment.model import Guide, format_number
from lti_tool.i18n import decimal
from lti_tool.i18n import gettext as _

ONE_LINE_MAX = 18  # longer labels are split in two lines at the most balanced space


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    radius: float
    label_gap: float
    font_size: int
    scale_font_size: int

    @property
    def centre(self) -> tuple[float, float]:
        return self.width / 2, self.height / 2


# Wide: room on both sides for names of up to two lines of ~20 characters.
WIDE = Layout(560, 400, 130.0, 16.0, 12, 11)
# Compact: drawn about as wide as a 320 px iframe shows it, so 14 px stays 14 px.
COMPACT = Layout(300, 300, 112.0, 14.0, 15, 12)


def _point(layout: Layout, index: int, count: int, fraction: float) -> tuple[float, float]:
    # Start at the top and go clockwise, as people read a clock face.
    angle = -math.pi / 2 + 2 * math.pi * index / count
    cx, cy = layout.centre
    return cx + layout.radius * fraction * math.cos(angle), cy + layout.radius * fraction * math.sin(angle)


def _points(layout: Layout, fractions: Sequence[float]) -> str:
    count = len(fractions)
    coords = (_point(layout, i, count, f) for i, f in enumerate(fractions))
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)


def label_lines(text: str) -> list[str]:
    """One line, or two split at the space that makes the longer line shortest."""
    words = text.split()
    if len(text) <= ONE_LINE_MAX or len(words) < 2:
        return [text]
    splits: list[tuple[str, str]] = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    first, second = min(splits, key=lambda pair: max(len(pair[0]), len(pair[1])))
    return [first, second]


def _label(layout: Layout, index: int, count: int, text: str) -> str:
    x, y = _point(layout, index, count, (layout.radius + layout.label_gap) / layout.radius)
    dx = x - layout.centre[0]
    anchor = "middle" if abs(dx) < 1 else ("start" if dx > 0 else "end")
    lines = label_lines(text)
    start = (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="middle" '
        'class="radar-label">'
    )
    if len(lines) == 1:
        return f"{start}{escape(text)}</text>"
    first, second = (escape(line) for line in lines)
    return (
        f'{start}<tspan x="{x:.1f}" dy="-0.6em">{first}</tspan>'
        f'<tspan x="{x:.1f}" dy="1.2em">{second}</tspan></text>'
    )


def _fractions(values: Sequence[float | None], max_value: float) -> list[float]:
    return [min(max((v or 0) / max_value, 0.0), 1.0) for v in values]


def _band(layout: Layout, band: Sequence[tuple[float | None, float | None]], max_value: float) -> str:
    """The ring between the low and high values: outer polygon, inner polygon, even-odd fill."""
    outer = _points(layout, _fractions([hi for _, hi in band], max_value))
    inner = _points(layout, _fractions([lo for lo, _ in band], max_value))
    return (
        f'<path class="radar-band" d="M{outer.replace(" ", " L")} Z M{inner.replace(" ", " L")} Z" '
        'fill="#1f77b4" fill-opacity="0.18" fill-rule="evenodd" stroke="none"/>'
    )


def radar_svg(
    labels: Sequence[str],
    values: Sequence[float | None],
    max_value: float = 5,
    *,
    title: str | None = None,
    description: str | None = None,
    id_prefix: str = "radar",
    guides: Sequence[Guide] = (),
    previous: Sequence[float | None] | None = None,
    band: Sequence[tuple[float | None, float | None]] | None = None,
    compact: bool = False,
) -> str:
    """SVG markup; a ``None`` value (no score) is drawn at the centre and said so in <desc>."""
    if len(labels) != len(values):
        raise ValueError("labels and values must have the same length")
    if len(labels) < 3:
        raise ValueError("a radar chart needs at least three axes")
    if max_value <= 0:
        raise ValueError("max_value must be positive")
    for extra in (previous, band):
        if extra is not None and len(extra) != len(labels):
            raise ValueError("previous and band need one entry per axis")
    layout = COMPACT if compact else WIDE
    title = title if title is not None else _("Partnership profile")
    count = len(labels)
    if description is None:
        described = "; ".join(
            _("%(name)s: %(value)s", name=label, value=_("no score") if v is None else format_number(v))
            for label, v in zip(labels, values, strict=True)
        )
        description = _("Mean out of %(top)s per area.", top=decimal(max_value)) + f" {described}."
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    rings = max(int(max_value), 1)
    cx, cy = layout.centre
    kind = "compact" if compact else "wide"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width} {layout.height}" role="img" '
        f'aria-labelledby={quoteattr(f"{title_id} {desc_id}")} class="radar radar-{kind}">',
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(description)}</desc>",
        '<g class="radar-grid" fill="none" stroke="#c4c9cf" stroke-width="1">',
        *(f'<polygon points="{_points(layout, [ring / rings] * count)}"/>' for ring in range(1, rings + 1)),
        *(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}"/>'
            for x, y in (_point(layout, i, count, 1.0) for i in range(count))
        ),
        "</g>",
        '<g class="radar-guides" fill="none" stroke="#7a4d00" stroke-width="1.5" stroke-dasharray="5 4">',
        *(
            f'<polygon class="radar-guide" data-value="{format_number(g.value)}" '
            f'points="{_points(layout, [g.value / max_value] * count)}"/>'
            for g in guides
        ),
        "</g>",
    ]
    if band is not None:
        parts.append(_band(layout, band, max_value))
    if previous is not None:
        parts.append(
            f'<polygon class="radar-previous" points="{_points(layout, _fractions(previous, max_value))}" '
            'fill="none" stroke="#4a5560" stroke-width="1.5" stroke-dasharray="3 3"/>'
        )
    parts += [
        f'<polygon class="radar-values" points="{_points(layout, _fractions(values, max_value))}" '
        'fill="#1f77b4" fill-opacity="0.25" stroke="#0b5cad" stroke-width="2"/>',
        # The scale: each ring's value along the top axis, on a white halo to stay readable.
        f'<g class="radar-scale" font-size="{layout.scale_font_size}" fill="#4a5560" text-anchor="start" '
        'stroke="#fff" stroke-width="3" paint-order="stroke">',
        *(
            f'<text x="{cx + 4:.1f}" y="{cy - layout.radius * ring / rings + 4:.1f}">{ring}</text>'
            for ring in range(1, rings + 1)
        ),
        "</g>",
        f'<g class="radar-labels" font-size="{layout.font_size}" fill="#1b1f24">',
        *(_label(layout, i, count, str(i + 1) if compact else label) for i, label in enumerate(labels)),
        "</g>",
        "</svg>",
    ]
    return "\n".join(parts)


def radar_pair(
    labels: Sequence[str],
    values: Sequence[float | None],
    max_value: float,
    *,
    title: str,
    description: str,
    id_prefix: str,
    guides: Sequence[Guide] = (),
    previous: Sequence[float | None] | None = None,
    band: Sequence[tuple[float | None, float | None]] | None = None,
) -> tuple[str, str]:
    """The wide and the compact radar of the same data (the page's CSS shows one of them)."""
    wide, compact = (
        radar_svg(
            labels,
            values,
            max_value,
            title=title,
            description=description,
            id_prefix=f"{id_prefix}-compact" if small else id_prefix,
            guides=guides,
            previous=previous,
            band=band,
            compact=small,
        )
        for small in (False, True)
    )
    return wide, compact
