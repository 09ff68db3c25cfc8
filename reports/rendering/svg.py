"""Charts as SVG, drawn on the server for the PDFs (no JavaScript, no images to fetch).

Greyscale-safe by construction: one dark fill for every bar, and every bar carries its
label and its value as text, so a chart printed in black and white loses nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_FILL = "#0b3d6e"
TRACK_FILL = "#e9edf2"
TEXT_FILL = "#1b1f24"
FONT = "Noto Sans"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(value, decimal_pos=1, force_grouping=True)


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str = "",
    width: int = 640,
    label_width: int = 190,
    bar_height: int = 16,
    gap: int = 6,
    max_value: float | None = None,
) -> SafeString:
    """A horizontal bar chart: label on the left, bar, value at the bar's end.

    `title` becomes the SVG's accessible <title>. Values are scaled to `max_value` (the
    largest value by default). Returns markup safe to embed in a template.
    """
    value_width = 48
    plot_width = width - label_width - value_width
    top = max(max_value or 0, *(b.value for b in bars), 0) if bars else 0
    height = max(1, len(bars)) * (bar_height + gap) + gap
    font_size = round(bar_height * 0.62, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" font-size="{font_size}">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for index, bar in enumerate(bars):
        y = gap + index * (bar_height + gap)
        text_y = y + bar_height * 0.72
        length = plot_width * bar.value / top if top else 0
        parts.append(
            f'<text x="{label_width - 6}" y="{text_y:.1f}" text-anchor="end" '
            f'fill="{TEXT_FILL}">{escape(_truncate(bar.label, label_width, font_size))}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{plot_width}" height="{bar_height}" '
            f'fill="{TRACK_FILL}"/>'
        )
        if length > 0:
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" '
                f'height="{bar_height}" fill="{BAR_FILL}"/>'
            )
        parts.append(
            f'<text x="{label_width + length + 4:.1f}" y="{text_y:.1f}" '
            f'fill="{TEXT_FILL}" font-weight="bold">{escape(_fmt(bar.value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def _truncate(label: str, width: int, font_size: float) -> str:
    """Shorten a label that would not fit its column (about 0.55 em per character)."""
    limit = max(4, int(width / (font_size * 0.55)))
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
