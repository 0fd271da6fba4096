"""Small server-side SVG charts for the dashboard (no JavaScript, no chart library).

Each function returns safe markup: an ``<svg>`` that scales to its container, with
a ``<title>`` and an ``aria-label`` for screen readers and a tooltip on every bar.
Labels are escaped; numbers are written the Vietnamese way (1.234).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#206bc4", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#f76707", "#667382")
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""


def number(value: float) -> str:
    """1234 → "1.234"."""
    return f"{int(round(value)):,}".replace(",", ".")


def percent(part: float, whole: float) -> str:
    """A share as "12,5%" ("0%" when the whole is 0)."""
    if not whole:
        return "0%"
    text = f"{100 * part / whole:.1f}".replace(".", ",")
    return (text[:-2] if text.endswith(",0") else text) + "%"


def nice_max(value: float) -> tuple[float, float]:
    """A round axis maximum at or above ``value`` and its tick step."""
    if value <= 0:
        return 4.0, 1.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)
    return step * math.ceil(value / step), step


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT} font-size="12" class="staff-chart">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def stacked_columns(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
                    title: str, unit: str = "câu hỏi") -> Markup:
    """Columns per category (day), stacked by series (channel), with a legend.

    Args:
        labels: the x-axis labels (e.g. "03/11"), one per column.
        series: (name, values) pairs; every ``values`` has one value per label.
        title: what the chart shows (also read out by screen readers).
        unit: the word after a count in tooltips.
    """
    width, height = 760, 280
    left, right, top, bottom = 44, 12, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    ymax, step = nice_max(max(totals, default=0))
    body: list[str] = []
    # Legend along the top.
    x = left
    for n, (name, values) in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        text = f"{name} ({number(sum(values))})"
        body.append(f'<rect x="{x}" y="8" width="12" height="12" rx="2" fill="{color}"/>'
                    f'<text x="{x + 17}" y="18" fill="#1d273b">{escape(text)}</text>')
        x += 30 + 7 * len(text)
    # Grid and y ticks.
    tick = 0.0
    while tick <= ymax + 1e-9:
        y = top + plot_h - plot_h * tick / ymax
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e7e9"/>'
                    f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#667382">{number(tick)}</text>')
        tick += step
    n_cols = max(len(labels), 1)
    slot = plot_w / n_cols
    bar_w = max(min(slot * 0.7, 40), 2)
    every = max(1, math.ceil(n_cols / 12))
    for i, label in enumerate(labels):
        cx = left + slot * i + slot / 2
        y = top + plot_h
        for n, (name, values) in enumerate(series):
            value = values[i]
            if value <= 0:
                continue
            h = plot_h * value / ymax
            y -= h
            body.append(
                f'<rect x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(label)} — {escape(name)}: '
                f"{number(value)} {escape(unit)}</title></rect>"
            )
        if totals[i] and n_cols <= 16:
            body.append(f'<text x="{cx:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="#1d273b" '
                        f'font-size="11">{number(totals[i])}</text>')
        if i % every == 0 or i == n_cols - 1:
            body.append(f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                        f'fill="#667382">{escape(label)}</text>')
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#9ba3af"/>')
    return _svg(width, height, title, body)


def horizontal_bars(items: Sequence[tuple[str, int]], title: str, color: str = PALETTE[0],
                    unit: str = "lượt hỏi", label_chars: int = 46, width: int = 760) -> Markup:
    """One bar per item, longest first as given, labelled on the left.

    Args:
        items: (label, value) pairs in display order.
        title: what the chart shows.
        color: the bars' colour.
        unit: the word after a count in tooltips.
        label_chars: labels longer than this are shortened with "…".
        width: the drawing's width (narrow cards want a smaller one, bigger text).
    """
    row_h, right = 30, 60
    left = min(330, int(width * 0.43))
    height = max(row_h * len(items) + 10, 40)
    top_value = max((v for _, v in items), default=0) or 1
    body: list[str] = []
    if not items:
        body.append(f'<text x="{width / 2}" y="25" text-anchor="middle" fill="#667382">Chưa có dữ liệu</text>')
    for i, (label, value) in enumerate(items):
        y = 5 + i * row_h
        short = label if len(label) <= label_chars else label[: label_chars - 1].rstrip() + "…"
        w = (width - left - right) * value / top_value
        body.append(
            f'<text x="{left - 8}" y="{y + 19}" text-anchor="end" fill="#1d273b">{escape(short)}'
            f"<title>{escape(label)}</title></text>"
            f'<rect x="{left}" y="{y + 5}" width="{max(w, 2):.1f}" height="{row_h - 10}" rx="3" '
            f'fill="{color}"><title>{escape(label)}: {number(value)} {escape(unit)}</title></rect>'
            f'<text x="{left + w + 6:.1f}" y="{y + 19}" fill="#1d273b">{number(value)}</text>'
        )
    return _svg(width, height, title, body)


def donut(parts: Sequence[tuple[str, int, str]], title: str, center: str = "") -> Markup:
    """A ring split into parts, with a legend giving each part's count and share.

    Args:
        parts: (label, value, colour) triples.
        title: what the chart shows.
        center: a short text in the middle (e.g. the total).
    """
    width, height, cx, cy, r, stroke = 470, 190, 90, 95, 62, 26
    total = sum(v for _, v, _ in parts)
    body: list[str] = []
    circumference = 2 * math.pi * r
    if not total:
        body.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="#e6e7e9" stroke-width="{stroke}"/>')
    offset = 0.0
    for label, value, color in parts:
        if not value:
            continue
        length = circumference * value / total
        body.append(
            f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="{color}" stroke-width="{stroke}" '
            f'stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
            f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {cx} {cy})">'
            f"<title>{escape(label)}: {number(value)} ({percent(value, total)})</title></circle>"
        )
        offset += length
    if center:
        body.append(f'<text x="{cx}" y="{cy + 6}" text-anchor="middle" font-size="18" font-weight="600" '
                    f'fill="#1d273b">{escape(center)}</text>')
    for i, (label, value, color) in enumerate(parts):
        y = 30 + i * 26
        body.append(f'<rect x="185" y="{y - 11}" width="13" height="13" rx="3" fill="{color}"/>'
                    f'<text x="205" y="{y}" fill="#1d273b">{escape(label)}: '
                    f'<tspan font-weight="600">{percent(value, total)}</tspan> '
                    f'<tspan fill="#667382">({number(value)})</tspan></text>')
    return _svg(width, max(height, 30 + 26 * len(parts)), title, body)
