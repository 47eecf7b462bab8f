"""A server-rendered, accessible SVG radar ("spider") chart of the dimension scores.

Pure and deterministic: the same input always gives the same bytes, so it can be cached and
compared in tests. Text is escaped; the chart has role="img" with a <title> and a <desc> that
states every value, so a screen reader gets the data without the picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from lti_tool.assessment.model import format_number

RADIUS = 120.0
# Room on both sides for axis labels of up to two lines of ~20 characters at 12px.
CENTRE_X, CENTRE_Y = 280.0, 190.0
WIDTH, HEIGHT = 560, 380
LABEL_GAP = 16.0
ONE_LINE_MAX = 18  # longer labels are split in two lines at the most balanced space


def _point(index: int, count: int, fraction: float) -> tuple[float, float]:
    # Start at the top and go clockwise, as people read a clock face.
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return (CENTRE_X + RADIUS * fraction * math.cos(angle), CENTRE_Y + RADIUS * fraction * math.sin(angle))


def _points(fractions: Sequence[float]) -> str:
    count = len(fractions)
    coords = (_point(i, count, f) for i, f in enumerate(fractions))
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)


def label_lines(text: str) -> list[str]:
    """One line, or two split at the space that makes the longer line shortest."""
    words = text.split()
    if len(text) <= ONE_LINE_MAX or len(words) < 2:
        return [text]
    splits: list[tuple[str, str]] = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    first, second = min(splits, key=lambda pair: max(len(pair[0]), len(pair[1])))
    return [first, second]


def _label(index: int, count: int, text: str) -> str:
    x, y = _point(index, count, (RADIUS + LABEL_GAP) / RADIUS)
    dx = x - CENTRE_X
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


def radar_svg(
    labels: Sequence[str],
    values: Sequence[float | None],
    max_value: float = 5,
    *,
    title: str = "Partnership profile",
    description: str | None = None,
    id_prefix: str = "radar",
) -> str:
    """SVG markup; a ``None`` value (no score) is drawn at the centre and said so in <desc>."""
    if len(labels) != len(values):
        raise ValueError("labels and values must have the same length")
    if len(labels) < 3:
        raise ValueError("a radar chart needs at least three axes")
    if max_value <= 0:
        raise ValueError("max_value must be positive")
    count = len(labels)
    fractions = [min(max((v or 0) / max_value, 0.0), 1.0) for v in values]
    if description is None:
        described = "; ".join(
            f"{label}: {'no score' if v is None else format_number(v)}"
            for label, v in zip(labels, values, strict=True)
        )
        description = f"Score out of {max_value:g} per dimension. {described}."
    rings = max(int(max_value), 1)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby={quoteattr(f"{title_id} {desc_id}")} class="radar">',
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(description)}</desc>",
        '<g class="radar-grid" fill="none" stroke="#bbb" stroke-width="1">',
        *(f'<polygon points="{_points([ring / rings] * count)}"/>' for ring in range(1, rings + 1)),
        *(
            f'<line x1="{CENTRE_X:.1f}" y1="{CENTRE_Y:.1f}" x2="{x:.1f}" y2="{y:.1f}"/>'
            for x, y in (_point(i, count, 1.0) for i in range(count))
        ),
        "</g>",
        f'<polygon class="radar-values" points="{_points(fractions)}" fill="#1f77b4" '
        'fill-opacity="0.3" stroke="#1f77b4" stroke-width="2"/>',
        '<g class="radar-labels" font-size="12" fill="#222">',
        *(_label(i, count, label) for i, label in enumerate(labels)),
        "</g>",
        "</svg>",
    ]
    return "\n".join(parts)
