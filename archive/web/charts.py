"""Server-side SVG charts: no JavaScript, no CDN. Every label is escaped; each chart
is an image with a title and a description, and its page shows the same numbers
in a table beside it (for screen readers and copy-paste)."""

import math

from markupsafe import Markup, escape

UNKNOWN_COLOUR = "#b8bec6"  # 未注明 (not stated) is always grey
PALETTE = ("#9b1c1f", "#1f5fa8", "#2f8a4c", "#c77c0e", "#6b4fa0", "#0f8a8a", "#b0487a",
           "#5a6472", "#8a6d1f", "#3d7a2a")
WIDTH = 640
LABEL_W = 110
ROW_H = 22
FONT = 'font-family="sans-serif" font-size="12"'


def _frame(chart_id, title, description, height, body):
    return Markup(
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>{body}</svg>')


def _colour(i, name):
    return UNKNOWN_COLOUR if name == "未注明" else PALETTE[i % 10]


def _legend(names, y=4):
    out, x = [], LABEL_W
    for i, name in enumerate(names):
        width = 18 + 13 * len(str(name))
        if x + width > WIDTH:
            x = LABEL_W
            y += 16
        out.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{_colour(i, name)}"/>'
                   f'<text x="{x + 14}" y="{y + 9}" {FONT}>{escape(name)}</text>')
        x += width
    return "".join(out), y + 20


def stacked_bars(chart_id, title, rows, series):
    """Horizontal stacked bars: rows are (label, {series name: count}); one colour per
    series (in `series` order, at most 10 named; the rest are drawn as 其他)."""
    shown = list(series[:9])
    if len(series) > 9:
        shown.append("其他")
    legend, top = _legend(shown)
    peak = max((sum(counts.values()) for _, counts in rows), default=0) or 1
    scale = (WIDTH - LABEL_W - 50) / peak
    body = [legend]
    for r, (label, counts) in enumerate(rows):
        y = top + r * ROW_H
        body.append(f'<text x="{LABEL_W - 6}" y="{y + 14}" text-anchor="end" {FONT}>'
                    f'{escape(label)}</text>')
        x = LABEL_W
        values = [(name, counts.get(name, 0)) for name in series[:9]]
        if len(series) > 9:
            values.append(("其他", sum(counts.get(name, 0) for name in series[9:])))
        for i, (name, count) in enumerate(values):
            if not count:
                continue
            w = count * scale
            body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{max(w, 0.5):.1f}" height="16" '
                        f'fill="{_colour(i, name)}"><title>{escape(label)} · {escape(name)}：'
                        f'{count}</title></rect>')
            x += w
        body.append(f'<text x="{x + 4:.1f}" y="{y + 15}" {FONT}>{sum(counts.values())}</text>')
    height = top + len(rows) * ROW_H + 6
    description = "；".join(f"{label}：" + "，".join(f"{k} {v}" for k, v in counts.items() if v)
                           for label, counts in rows)
    return _frame(chart_id, title, description, height, "".join(body))


def grouped_bars(chart_id, title, rows, names):
    """Two bars per row (label, a, b): the same category in two cycles."""
    legend, top = _legend(names)
    peak = max((max(a, b) for _, a, b in rows), default=0) or 1
    scale = (WIDTH - LABEL_W - 50) / peak
    body = [legend]
    for r, (label, a, b) in enumerate(rows):
        y = top + r * (ROW_H + 8)
        body.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" {FONT}>'
                    f'{escape(label)}</text>')
        for i, value in enumerate((a, b)):
            w = value * scale
            yy = y + 2 + i * 13
            body.append(f'<rect x="{LABEL_W}" y="{yy}" width="{max(w, 0.5):.1f}" height="12" '
                        f'fill="{PALETTE[i]}"><title>{escape(label)} · {escape(names[i])}：'
                        f'{value}</title></rect><text x="{LABEL_W + w + 4:.1f}" y="{yy + 10}" '
                        f'{FONT}>{value}</text>')
    height = top + len(rows) * (ROW_H + 8) + 6
    description = "；".join(f"{label}：{names[0]} {a}，{names[1]} {b}" for label, a, b in rows)
    return _frame(chart_id, title, description, height, "".join(body))


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
    height, left, right, top, bottom = 260, 50, 50, 20, 50
    inner_w, inner_h = WIDTH - left - right, height - top - bottom
    peak = max((v for _, v in points if v is not None), default=0)
    ticks = share_ticks(peak)
    ceiling = ticks[-1] or 1
    body = []
    for k, value in enumerate(ticks):
        y = top + inner_h - inner_h * value / ceiling
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="#dde1e6"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                    f'{FONT}>{value * 100:g}%</text>')
    step = inner_w / max(len(points) - 1, 1)
    coords = []
    for i, (label, value) in enumerate(points):
        x = left + (i * step if len(points) > 1 else inner_w / 2)
        body.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                    f'{FONT}>{escape(label)}</text>')
        if value is None:
            body.append(f'<text x="{x:.1f}" y="{height - bottom + 34}" text-anchor="middle" '
                        f'{FONT} fill="#5c6670">无事迹</text>')
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
    return _frame(chart_id, title, description, height, "".join(body))
