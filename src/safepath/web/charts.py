"""Small inline SVG charts drawn on the server: no script, no library, a few hundred bytes each.

Every chart has ``role="img"`` and a title (its accessible name); labels are escaped by
``markupsafe``. Bars grow from the inline start, so the same SVG reads right-to-left in Arabic
when the page mirrors it (``direction`` does not flip SVG, so the caller passes ``rtl``).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

COLOURS = {
    "threat": "#a4161a",
    "vulnerability": "#8a4b00",
    "capacity": "#1d5e20",
    "risk": "#0b5394",
}


def _svg(width: int, height: int, title: str, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" direction="ltr" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def bars(
    rows: Sequence[tuple[str, float | None, str]],
    maximum: float,
    title: str,
    *,
    rtl: bool = False,
    fmt: str = "{:.1f}",
) -> Markup:
    """Horizontal bars: (label, value, colour) per row, scaled to ``maximum``."""
    width, label_w, row_h = 480, 150, 26
    plot = width - label_w - 50
    parts: list[str] = []
    for i, (label, value, colour) in enumerate(rows):
        y = i * row_h + 4
        length = 0.0 if value is None else max(0.0, min(1.0, value / maximum)) * plot
        text = "–" if value is None else fmt.format(value)
        if rtl:
            lx, anchor, bx, vx = (
                width - 4,
                "end",
                width - label_w - length,
                width - label_w - length - 4,
            )
            vanchor = "end"
        else:
            lx, anchor, bx, vx = 4, "start", label_w, label_w + length + 4
            vanchor = "start"
        parts.append(
            f'<text x="{lx}" y="{y + 15}" text-anchor="{anchor}">{escape(label)}</text>'
            f'<rect x="{bx:.1f}" y="{y}" width="{length:.1f}" height="18" fill="{colour}"/>'
            f'<text x="{vx:.1f}" y="{y + 15}" text-anchor="{vanchor}">{escape(text)}</text>'
        )
    return _svg(width, len(rows) * row_h + 8, title, "".join(parts))


def line(points: Sequence[tuple[str, float]], maximum: float, title: str) -> Markup:
    """Values over time (e.g. the risk at each assessment), with the x labels under the points."""
    width, height, pad = 480, 160, 30
    if not points:
        return _svg(width, 40, title, "")
    step = (width - 2 * pad) / max(1, len(points) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (min(v, maximum) / maximum) * (height - 2 * pad)

    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts = [
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#4a5561"/>',
        f'<polyline points="{path}" fill="none" stroke="{COLOURS["risk"]}" stroke-width="2"/>',
    ]
    for (label, value), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{COLOURS["risk"]}"/>'
            f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{value:.2f}</text>'
            f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle">{escape(label)}</text>'
        )
    return _svg(width, height, title, "".join(parts))
