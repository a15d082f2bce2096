"""Survey charts drawn on the server as inline SVG: Likert answers as diverging bars and rubric
ratings as a heat map. The drawing helpers shared with other features (ids, colours, text contrast,
the labelled <svg> opening) live in milepost.core.charts. Every chart sits beside a data table with
the same numbers, which is what screen readers use."""
from __future__ import annotations

from markupsafe import Markup, escape

from milepost.core.charts import DARK_TEXT, LIGHT_TEXT, new_id, svg_open  # noqa: F401 - LIGHT_TEXT re-exported
from milepost.core.charts import shade as _shade
from milepost.core.charts import short as _short
from milepost.core.charts import text_on as _text_on
from milepost.surveys.services.results import Distribution, HeatRow

# Diverging palettes, most negative first: orange for disagreement, grey for neutral, blue for agreement.
DIVERGING = {
    5: ["#a84300", "#f0a35e", "#d4d8dd", "#7aaed6", "#1f4e79"],
    7: ["#7f2f00", "#c25a00", "#f0a35e", "#d4d8dd", "#a5c8e6", "#4a86bd", "#1f4e79"],
}
SEQUENTIAL = ["#c6dbef", "#6baed6", "#1f4e79"]  # rubric levels, lowest first


def palette(points: int) -> list[str]:
    if points in DIVERGING:
        return DIVERGING[points]
    if points <= 3:
        return SEQUENTIAL[-points:] if points else []
    return (DIVERGING[7] * 2)[:points]


def diverging_bars(rows: list[tuple[str, Distribution]], *, title: str, width: int = 640) -> Markup:
    """Stacked bars centred on the neutral point: disagreement to the left, agreement to the right.
    rows: (label, distribution) pairs on the same scale."""
    rows = [(label, d) for label, d in rows if d.n]
    if not rows:
        return Markup("")
    labels = rows[0][1].labels
    points = len(labels)
    colours = palette(points)
    uid = new_id()
    label_w = 170 if len(rows) > 1 or rows[0][0] else 0
    left, right = label_w + 12, width - 12
    centre = (left + right) / 2
    half = (right - left) / 2
    bar_h, gap, top = 26, 12, 26
    height_bars = top + len(rows) * (bar_h + gap)
    legend_rows = _legend_layout(labels, width)
    height = height_bars + 14 + len(legend_rows) * 22 + 6
    mid = points // 2 if points % 2 else None  # index of the neutral point, if there is one

    parts = svg_open(uid, width, height, title, _describe(rows))
    for pct, anchor in ((-100, "start"), (-50, "middle"), (0, "middle"), (50, "middle"), (100, "end")):
        x = centre + half * pct / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height_bars - gap + 4}" '
                     f'stroke="#c9d1d9" stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" font-size="11" fill="#4f5b67" text-anchor="{anchor}">'
                     f'{abs(pct)}%</text>')
    for r, (label, d) in enumerate(rows):
        y = top + r * (bar_h + gap)
        shares = d.percents
        negative = sum(shares[:points // 2]) + (shares[mid] / 2 if mid is not None else 0)
        x = centre - half * negative / 100
        if label_w:
            parts.append(f'<text x="{label_w}" y="{y + bar_h / 2 + 4:.1f}" font-size="13" fill="{DARK_TEXT}" '
                         f'text-anchor="end">{escape(_short(label, 26))}<title>{escape(label)}</title></text>')
        for i, share in enumerate(shares):
            w = half * share / 100
            if w <= 0:
                continue
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colours[i]}">'
                         f'<title>{escape(labels[i])}: {d.counts[i]} ({share:.0f}%)</title></rect>')
            if w >= 30:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_h / 2 + 4:.1f}" font-size="12" '
                             f'fill="{_text_on(colours[i])}" text-anchor="middle">{share:.0f}%</text>')
            x += w
    parts.append(f'<line x1="{centre:.1f}" y1="{top - 6}" x2="{centre:.1f}" y2="{height_bars - gap + 4}" '
                 f'stroke="{DARK_TEXT}" stroke-width="1.5"/>')
    y = height_bars + 14
    for line in legend_rows:
        for x, i in line:
            parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{colours[i]}" stroke="#4f5b67" '
                         f'stroke-width="0.5"/>')
            parts.append(f'<text x="{x + 19}" y="{y + 12}" font-size="12" fill="{DARK_TEXT}">'
                         f'{escape(labels[i])}</text>')
        y += 22
    parts.append("</svg>")
    # Safe: every text above is escaped.
    return Markup("".join(parts))  # nosec


def _legend_layout(labels: list[str], width: int) -> list[list[tuple[int, int]]]:
    lines, line, x = [], [], 12
    for i, label in enumerate(labels):
        w = 24 + int(len(label) * 6.1)
        if line and x + w > width - 12:
            lines.append(line)
            line, x = [], 12
        line.append((x, i))
        x += w + 10
    if line:
        lines.append(line)
    return lines


def _describe(rows: list[tuple[str, Distribution]]) -> str:
    texts = []
    for label, d in rows:
        shares = ", ".join(f"{name} {p:.0f}%" for name, p in zip(d.labels, d.percents, strict=True))
        texts.append(f"{label + ': ' if label else ''}{d.n} answers; {shares}.")
    return " ".join(texts)


def heat_map(rows: list[HeatRow], *, title: str, width: int = 640) -> Markup:
    """Areas down the side, levels across the top; the darker a cell, the larger the share of
    ratings at that level."""
    rows = [row for row in rows if row.distribution.n]
    if not rows:
        return Markup("")
    levels = rows[0].distribution.labels
    uid = new_id()
    label_w, top, cell_h = 250, 30, 34
    cell_w = (width - label_w - 12) / len(levels)
    height = top + len(rows) * cell_h + 8
    parts = svg_open(uid, width, height, title, " ".join(_heat_text(r) for r in rows))
    for j, level in enumerate(levels):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" font-size="13" font-weight="600" fill="{DARK_TEXT}" '
                     f'text-anchor="middle">{escape(level)}</text>')
    for i, row in enumerate(rows):
        y = top + i * cell_h
        parts.append(f'<text x="{label_w - 10}" y="{y + cell_h / 2 + 4:.1f}" font-size="12" fill="{DARK_TEXT}" '
                     f'text-anchor="end">{escape(_short(row.area, 34))}<title>{escape(row.area)}</title></text>')
        for j, share in enumerate(row.distribution.percents):
            fill = _shade(share / 100)
            x = label_w + j * cell_w
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 2:.1f}" height="{cell_h - 2}" fill="{fill}">'
                         f'<title>{escape(row.area)}, {escape(levels[j])}: {share:.0f}%</title></rect>')
            parts.append(f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2 + 4:.1f}" font-size="13" '
                         f'fill="{_text_on(fill)}" text-anchor="middle">{share:.0f}%</text>')
    parts.append("</svg>")
    # Safe: every text above is escaped.
    return Markup("".join(parts))  # nosec


def _heat_text(row: HeatRow) -> str:
    shares = ", ".join(f"{name} {p:.0f}%"
                       for name, p in zip(row.distribution.labels, row.distribution.percents, strict=True))
    return f"{row.area}: {shares}."




def choice_bars(distribution: Distribution, *, title: str) -> Markup:
    """Single and multiple choice ("how often" questions too): the number of people choosing each answer,
    one bar per answer, in the order the answers were offered."""
    from milepost.core.charts import bar_chart

    return bar_chart(list(zip(distribution.labels, distribution.counts, strict=True)), title=title)


def line_chart(trend, *, title: str, width: int = 640) -> Markup:
    """A pulse question's monthly means as a line: one point per month, a gap where a month is hidden.
    The scale runs from 1 to the top of the answer scale (or from 0 for numbers)."""
    from milepost.core.charts import GRID, MUTED_TEXT, SERIES, nice_ceiling, number

    points = trend.points
    if not points:
        return Markup("")
    uid = new_id()
    left, right, top, bottom = 44, width - 16, 14, 200
    low = 1.0 if trend.scale else 0.0
    shown = [p.mean for p in points if p.mean is not None]
    high = float(trend.scale) if trend.scale else nice_ceiling(max(shown, default=1.0))
    step_x = (right - left) / max(1, len(points) - 1)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * ((value - low) / (high - low) if high > low else 0)

    summary = "; ".join(f"{p.month}: {number(round(p.mean, 2)) if p.mean is not None else 'hidden'}" for p in points)
    parts = svg_open(uid, width, bottom + 30, title, f"Monthly mean. {summary}.")
    for i in range(5):
        value = low + (high - low) * i / 4
        y = y_of(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" fill="{MUTED_TEXT}" text-anchor="end">'
                     f'{escape(number(round(value, 2)))}</text>')
    run: list[str] = []
    for i, p in enumerate(points):
        x = left + (i * step_x if len(points) > 1 else (right - left) / 2)
        if p.mean is None:
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{SERIES[0]}" stroke-width="2"/>')
            run = []
        else:
            y = y_of(p.mean)
            run.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{SERIES[0]}"><title>{escape(p.month)}: '
                         f'{escape(number(round(p.mean, 2)))} ({p.n} answers)</title></circle>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 18}" font-size="11" fill="{DARK_TEXT}" text-anchor="middle">'
                     f'{escape(p.month)}</text>')
    if len(run) > 1:
        parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{SERIES[0]}" stroke-width="2"/>')
    parts.append("</svg>")
    # Safe: every text above is escaped.
    return Markup("".join(parts))  # nosec
