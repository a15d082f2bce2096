"""Server-drawn SVG charts shared by every feature (surveys, reports): no JavaScript and only
presentation attributes, since the Content-Security-Policy refuses inline styles. A chart never
stands alone: the page puts a data table with the same numbers beside it for screen readers, and
the SVG carries a title and a text summary (aria-labelledby)."""
from __future__ import annotations

import itertools
import math

from markupsafe import Markup, escape

DARK_TEXT, LIGHT_TEXT = "#1b1f24", "#ffffff"
MUTED_TEXT, GRID = "#4f5b67", "#c9d1d9"
# Series colours in a fixed order: a blue and an orange that stay apart for common colour-vision
# differences, then lighter and darker variants. Each holds 3:1 against a white page.
SERIES = ["#1f4e79", "#c25a00", "#4a86bd", "#7f2f00", "#2f7d4f", "#6b4c9a"]
_ids = itertools.count(1)


def new_id() -> str:
    """A document-unique id prefix, so several charts on one page keep their own title ids."""
    return f"chart{next(_ids)}"


def text_on(fill: str) -> str:
    """Dark or light text, whichever reads on this fill."""
    r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return LIGHT_TEXT if (0.299 * r + 0.587 * g + 0.114 * b) < 150 else DARK_TEXT


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def shade(t: float) -> str:
    """From the page's pale surface (nothing) to the theme's deep blue (everything)."""
    low, high = (243, 245, 248), (31, 78, 121)
    r, g, b = (round(a + (c - a) * max(0.0, min(1.0, t))) for a, c in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def svg_open(uid: str, width: int, height: float, title: str, description: str) -> list[str]:
    """The opening of a labelled chart: role img, its title and summary as the accessible name."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height:.0f}" '
            f'width="100%" role="img" aria-labelledby="{uid}-t {uid}-d">',
            f'<title id="{uid}-t">{escape(title)}</title>',
            f'<desc id="{uid}-d">{escape(description)}</desc>']


def nice_ceiling(value: float) -> float:
    """A round number at or above value for the end of an axis: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def number(value: float, unit: str = "") -> str:
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return text + unit


def bar_chart(rows: list[tuple[str, float]], *, title: str, unit: str = "", max_value: float | None = None,
              width: int = 640, colour: str = SERIES[0]) -> Markup:
    """Horizontal bars, one per (label, value), the value written at the end of each bar.
    max_value fixes the scale (100 for percentages); otherwise the largest value sets it."""
    if not rows:
        return Markup("")
    uid = new_id()
    label_w = 190
    left, right = label_w + 10, width - 60
    top, bar_h, gap = 8, 22, 10
    top_value = max_value if max_value is not None else nice_ceiling(max(v for _, v in rows))
    height = top + len(rows) * (bar_h + gap) + 4
    summary = "; ".join(f"{label}: {number(value, unit)}" for label, value in rows) + "."
    parts = svg_open(uid, width, height, title, summary)
    parts.append(f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{height - 4}" stroke="{MUTED_TEXT}" '
                 f'stroke-width="1"/>')
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = (right - left) * (value / top_value if top_value else 0)
        w = max(0.0, min(float(right - left), w))
        parts.append(f'<text x="{label_w}" y="{y + bar_h / 2 + 4:.1f}" font-size="12" fill="{DARK_TEXT}" '
                     f'text-anchor="end">{escape(short(label, 27))}<title>{escape(label)}</title></text>')
        if w > 0:
            parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                         f'<title>{escape(label)}: {escape(number(value, unit))}</title></rect>')
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + bar_h / 2 + 4:.1f}" font-size="12" fill="{DARK_TEXT}">'
                     f'{escape(number(value, unit))}</text>')
    parts.append("</svg>")
    # Safe: every text above is escaped.
    return Markup("".join(parts))  # nosec


def column_chart(categories: list[str], series: list[tuple[str, list[float]]], *, title: str,
                 width: int = 640, over_time: bool = True, axis_labels: list[tuple[str, str]] | None = None) -> Markup:
    """Grouped columns: one group per category (a month, say), one column per series, a legend above
    and a scale with four grid lines. over_time: the categories are periods, so the summary gives each
    series' total and its busiest period; otherwise it reads out every value. axis_labels: a short
    label and a second line under each group (e.g. "Aug" and "2025" where the year changes)."""
    if not categories or not series:
        return Markup("")
    uid = new_id()
    colours = SERIES
    legend_h, top_pad, axis_w, bottom = 26, 12, 44, 34
    plot_top, plot_bottom = legend_h + top_pad, 240
    height = plot_bottom + bottom
    left, right = axis_w, width - 8
    top_value = nice_ceiling(max((max(values) if values else 0) for _, values in series))
    group_w = (right - left) / len(categories)
    column_w = max(2.0, min(18.0, (group_w - 6) / len(series)))
    parts = svg_open(uid, width, height, title, _series_text(categories, series) if over_time
                     else _values_text(categories, series))
    x = left
    for i, (name, _values) in enumerate(series):  # legend
        parts.append(f'<rect x="{x}" y="4" width="14" height="14" fill="{colours[i % len(colours)]}"/>')
        parts.append(f'<text x="{x + 19}" y="16" font-size="12" fill="{DARK_TEXT}">{escape(name)}</text>')
        x += 30 + int(len(name) * 6.6)
    for step in range(5):  # scale and grid
        value = top_value * step / 4
        y = plot_bottom - (plot_bottom - plot_top) * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" fill="{MUTED_TEXT}" text-anchor="end">'
                     f'{escape(number(value))}</text>')
    every = max(1, math.ceil(len(categories) / 12))  # at most about twelve labels under the axis
    fits = max(4, int(group_w * every / 6.2))           # characters that fit under a group
    for c, category in enumerate(categories):
        gx = left + c * group_w + (group_w - column_w * len(series)) / 2
        for s, (name, values) in enumerate(series):
            value = values[c] if c < len(values) else 0
            h = (plot_bottom - plot_top) * (value / top_value if top_value else 0)
            if h > 0:
                parts.append(f'<rect x="{gx + s * column_w:.1f}" y="{plot_bottom - h:.1f}" width="{column_w - 1:.1f}" '
                             f'height="{h:.1f}" fill="{colours[s % len(colours)]}"><title>{escape(category)}, '
                             f'{escape(name)}: {escape(number(value))}</title></rect>')
        if c % every == 0:
            first, second = axis_labels[c] if axis_labels else (category, "")
            x_mid = left + c * group_w + group_w / 2
            parts.append(f'<text x="{x_mid:.1f}" y="{plot_bottom + 15}" font-size="11" fill="{DARK_TEXT}" '
                         f'text-anchor="middle">{escape(short(first, fits))}<title>{escape(category)}</title></text>')
            if second:
                parts.append(f'<text x="{x_mid:.1f}" y="{plot_bottom + 28}" font-size="11" fill="{MUTED_TEXT}" '
                             f'text-anchor="middle">{escape(short(second, fits))}</text>')
    parts.append(f'<line x1="{left}" y1="{plot_bottom}" x2="{right}" y2="{plot_bottom}" stroke="{MUTED_TEXT}" '
                 f'stroke-width="1"/>')
    parts.append("</svg>")
    # Safe: every text above is escaped.
    return Markup("".join(parts))  # nosec


def _series_text(categories: list[str], series: list[tuple[str, list[float]]]) -> str:
    texts = []
    for name, values in series:
        total = sum(values)
        texts.append(f"{name}: {number(total)} in all" + (
            f", most in {categories[values.index(max(values))]} ({number(max(values))})" if total else "") + ".")
    return f"{len(categories)} periods from {categories[0]} to {categories[-1]}. " + " ".join(texts)


def _values_text(categories: list[str], series: list[tuple[str, list[float]]]) -> str:
    return " ".join(f"{category}: " + ", ".join(f"{name} {number(values[c])}" for name, values in series) + "."
                    for c, category in enumerate(categories))
