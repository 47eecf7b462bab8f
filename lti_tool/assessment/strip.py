"""A small distribution strip: how many respondents have each area mean, by half point, as an
accessible SVG (role="img"; <desc> states every count). Pure and deterministic."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from lti_tool.assessment.cohort import bin_labels
from lti_tool.assessment.model import format_number
from lti_tool.i18n import decimal_symbol
from lti_tool.i18n import gettext as _

WIDTH, HEIGHT, BASE = 180, 34, 28.0


def strip_svg(
    bins: Sequence[int],
    *,
    scale: tuple[int, int] = (1, 5),
    mean: float | None = None,
    cut: float | None = None,
    title: str,
    id_prefix: str,
) -> str:
    low, high = scale
    labels = bin_labels(low, high)
    if len(bins) != len(labels):
        raise ValueError(f"expected {len(labels)} bins, one per half point")
    peak = max(bins) or 1
    step = WIDTH / len(bins)

    def x_of(value: float) -> float:
        return step / 2 + (value - low) / (high - low) * (WIDTH - step)

    # Where the decimal mark is a comma (French: "1,5"), a list of numbers is separated by semicolons.
    counts = ("; " if decimal_symbol() == "," else ", ").join(
        _("%(name)s: %(value)s", name=format_number(float(label)), value=n)
        for label, n in zip(labels, bins, strict=True)
    )
    desc = _("Respondents by area mean, per half point: %(counts)s.", counts=counts)
    if mean is not None:
        desc += " " + _("Class mean %(mean)s.", mean=format_number(mean))
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="strip" '
        f"aria-labelledby={quoteattr(f'{title_id} {desc_id}')}>",
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(desc)}</desc>",
        f'<line x1="0" y1="{BASE}" x2="{WIDTH}" y2="{BASE}" stroke="#c4c9cf"/>',
    ]
    for i, n in enumerate(bins):
        h = 0.0 if n == 0 else max(2.0, (BASE - 2) * n / peak)
        parts.append(
            f'<rect x="{i * step + 1:.1f}" y="{BASE - h:.1f}" width="{step - 2:.1f}" '
            f'height="{h:.1f}" fill="#0b5cad"/>'
        )
    if cut is not None:
        x = x_of(cut)
        parts.append(
            f'<line class="strip-cut" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{BASE}" stroke="#7a4d00" '
            'stroke-dasharray="3 2"/>'
        )
    if mean is not None:
        x = x_of(mean)
        tip = f"M{x - 4:.1f},{HEIGHT} L{x:.1f},{BASE + 1} L{x + 4:.1f},{HEIGHT} Z"
        parts.append(f'<path class="strip-mean" d="{tip}" fill="#1b1f24"/>')
    parts.append("</svg>")
    return "\n".join(parts)
