"""Server-side SVG charts: no JavaScript, no CDN. Every label is escaped; each chart
is an image with a title and a description, and its page shows the same numbers
in a table beside it (for screen readers and copy-paste)."""

import math
from typing import NamedTuple

from markupsafe import Markup, escape

UNKNOWN_COLOUR = "#b8bec6"  # 未注明 (not stated) is always grey
PALETTE = ("#9b1c1f", "#1f5fa8", "#2f8a4c", "#c77c0e", "#6b4fa0", "#0f8a8a", "#b0487a",
           "#5a6472", "#8a6d1f", "#3d7a2a")


class Layout(NamedTuple):
    """The geometry of one drawing of a chart: viewBox width, label column, row height
    and font size (in viewBox units: each drawing is shown near its own width, so these
    are about the pixels on screen)."""

    width: int
    label: int
    row: int
    size: int

    @property
    def font(self):
        return f'font-family="sans-serif" font-size="{self.size}"'

    def fit(self, text):
        """A label cut (with …) to the label column (a Han character is 1 em wide, a
        digit or Latin letter about 0.6)."""
        text, room = str(text), (self.label - 8) / self.size
        if _ems(text) <= room:
            return text
        while text and _ems(text) + 1 > room:
            text = text[:-1]
        return text + "…"


def _ems(text):
    return sum(0.6 if ch.isascii() else 1.0 for ch in text)


#: For screens from about 560 px: labels 13 units in a 640-unit box.
WIDE = Layout(640, 110, 24, 13)
#: For phones (a box of about 330-380 px): the same labels in a 340-unit box.
NARROW = Layout(340, 84, 26, 13)


def _both(draw, chart_id, *args):
    """A chart drawn for wide screens and again for phones; CSS shows one of them."""
    return Markup('<div class="chart-wide">{}</div><div class="chart-narrow">{}</div>').format(
        draw(WIDE, chart_id, *args), draw(NARROW, f"{chart_id}-narrow", *args))


def _frame(layout, chart_id, title, description, height, body):
    return Markup(
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {layout.width} {height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>{body}</svg>')


def _colour(i, name):
    return UNKNOWN_COLOUR if name == "未注明" else PALETTE[i % 10]


def _legend(layout, names, y=4):
    out, x = [], layout.label
    for i, name in enumerate(names):
        width = 18 + (layout.size + 1) * len(str(name))
        if x + width > layout.width and x > layout.label:
            x = layout.label
            y += layout.size + 6
        out.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{_colour(i, name)}"/>'
                   f'<text x="{x + 14}" y="{y + 10}" {layout.font}>{escape(name)}</text>')
        x += width
    return "".join(out), y + layout.size + 10


def stacked_bars(chart_id, title, rows, series):
    """Horizontal stacked bars: rows are (label, {series name: count}); one colour per
    series (in `series` order, at most 10 named; the rest are drawn as 其他)."""
    return _both(_stacked_bars, chart_id, title, rows, series)


def _stacked_bars(layout, chart_id, title, rows, series):
    shown = list(series[:9])
    if len(series) > 9:
        shown.append("其他")
    legend, top = _legend(layout, shown)
    peak = max((sum(counts.values()) for _, counts in rows), default=0) or 1
    scale = (layout.width - layout.label - 8 * layout.size // 2) / peak
    body = [legend]
    for r, (label, counts) in enumerate(rows):
        y = top + r * layout.row
        body.append(f'<text x="{layout.label - 6}" y="{y + 15}" text-anchor="end" '
                    f'{layout.font}>{escape(layout.fit(label))}<title>{escape(label)}</title>'
                    '</text>')
        x = layout.label
        values = [(name, counts.get(name, 0)) for name in series[:9]]
        if len(series) > 9:
            values.append(("其他", sum(counts.get(name, 0) for name in series[9:])))
        for i, (name, count) in enumerate(values):
            if not count:
                continue
            w = count * scale
            body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{max(w, 0.5):.1f}" '
                        f'height="{layout.row - 6}" fill="{_colour(i, name)}"><title>'
                        f'{escape(label)} · {escape(name)}：{count}</title></rect>')
            x += w
        body.append(f'<text x="{x + 4:.1f}" y="{y + 16}" {layout.font}>'
                    f'{sum(counts.values())}</text>')
    height = top + len(rows) * layout.row + 6
    description = "；".join(f"{label}：" + "，".join(f"{k} {v}" for k, v in counts.items() if v)
                           for label, counts in rows)
    return _frame(layout, chart_id, title, description, height, "".join(body))


def grouped_bars(chart_id, title, rows, names):
    """Two bars per row (label, a, b): the same category in two cycles."""
    return _both(_grouped_bars, chart_id, title, rows, names)


def _grouped_bars(layout, chart_id, title, rows, names):
    legend, top = _legend(layout, names)
    peak = max((max(a, b) for _, a, b in rows), default=0) or 1
    scale = (layout.width - layout.label - 4 * layout.size) / peak
    step = 2 * (layout.size + 3) + 8
    body = [legend]
    for r, (label, a, b) in enumerate(rows):
        y = top + r * step
        body.append(f'<text x="{layout.label - 6}" y="{y + layout.size + 4}" text-anchor="end" '
                    f'{layout.font}>{escape(layout.fit(label))}<title>{escape(label)}</title>'
                    '</text>')
        for i, value in enumerate((a, b)):
            w = value * scale
            yy = y + 2 + i * (layout.size + 3)
            body.append(f'<rect x="{layout.label}" y="{yy}" width="{max(w, 0.5):.1f}" '
                        f'height="{layout.size + 1}" fill="{PALETTE[i]}"><title>'
                        f'{escape(label)} · {escape(names[i])}：{value}</title></rect>'
                        f'<text x="{layout.label + w + 4:.1f}" y="{yy + layout.size - 1}" '
                        f'{layout.font}>{value}</text>')
    height = top + len(rows) * step + 6
    description = "；".join(f"{label}：{names[0]} {a}，{names[1]} {b}" for label, a, b in rows)
    return _frame(layout, chart_id, title, description, height, "".join(body))


def share_ticks(peak):
    """Axis ticks for shares (0-1) at round steps (1, 2, 5, 10, 20, 25 %) from 0 to the
    first tick at or above peak: 4 to 6 ticks."""
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25):
        count = max(1, math.ceil(round(peak / step, 9)))
        if count <= 5:
            return [round(step * k, 4) for k in range(count + 1)]
    return [0, 0.25, 0.5, 0.75, 1.0]


def line_chart(chart_id, title, points):
    """A share (0-1) per label, as a line with dots: points are (label, share); a share
    of None (nothing to count that cycle) leaves a gap and says so under its label."""
    return _both(_line_chart, chart_id, title, points)


def _line_chart(layout, chart_id, title, points):
    font = layout.font
    left, right, top, bottom = 4 * layout.size, 3 * layout.size, 20, 4 * layout.size
    height = 260 if layout.width > 400 else 220
    inner_w, inner_h = layout.width - left - right, height - top - bottom
    step = inner_w / max(len(points) - 1, 1)
    # Cycle labels that would touch their neighbours are shortened (2021-2022 -> 21-22).
    short = step < len("2021-2022") * layout.size * 0.62
    peak = max((v for _, v in points if v is not None), default=0)
    ticks = share_ticks(peak)
    ceiling = ticks[-1] or 1
    body = []
    for k, value in enumerate(ticks):
        y = top + inner_h - inner_h * value / ceiling
        body.append(f'<line x1="{left}" x2="{layout.width - right}" y1="{y:.1f}" '
                    f'y2="{y:.1f}" stroke="#dde1e6"/><text x="{left - 6}" y="{y + 4:.1f}" '
                    f'text-anchor="end" {font}>{value * 100:g}%</text>')
    coords = []
    for i, (label, value) in enumerate(points):
        x = left + (i * step if len(points) > 1 else inner_w / 2)
        shown = label[2:4] + "-" + label[-2:] if short and len(label) == 9 else label
        body.append(f'<text x="{x:.1f}" y="{height - bottom + layout.size + 6}" '
                    f'text-anchor="middle" {font}>{escape(shown)}<title>{escape(label)}</title>'
                    '</text>')
        if value is None:
            body.append(f'<text x="{x:.1f}" y="{height - bottom + 2 * layout.size + 10}" '
                        f'text-anchor="middle" {font} fill="#5c6670">无事迹</text>')
            coords.append(None)
            continue
        coords.append((x, top + inner_h - inner_h * (value / ceiling)))
    runs, run = [], []
    for point in coords + [None]:  # a line through the cycles that have a share
        if point is None:
            if len(run) > 1:
                runs.append(run)
            run = []
        else:
            run.append(point)
    for run in runs:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
        body.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[1]}" '
                    f'stroke-width="2"/>')
    for point, (label, value) in zip(coords, points):
        if point is not None:
            body.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="4" '
                        f'fill="{PALETTE[1]}"><title>{escape(label)}：{value * 100:.1f}%</title>'
                        '</circle>')
    description = "；".join(f"{label}：{'无事迹' if value is None else f'{value * 100:.1f}%'}"
                           for label, value in points)
    return _frame(layout, chart_id, title, description, height, "".join(body))
