"""Server-made SVG for the protection analysis: area maps, estimates with intervals, phase
shares. No script, no library, no CDN: each figure is a few kilobytes of inline SVG that both a
browser and WeasyPrint draw.

Every figure has ``role="img"``, a ``<title>`` and a ``<desc>`` (its accessible name and a text
summary of what it shows); text is escaped by ``markupsafe``. ``direction="ltr"`` keeps the
drawing itself unmirrored in a right-to-left page: in Arabic, labels sit on the right (``rtl``).

Maps project longitude/latitude equirectangularly onto the boundaries' bounding box, with the
longitude scaled by the cosine of the middle latitude so that areas keep their shape; at the scale
of one operation that is as good as any projection for a choropleth. Points closer than half a
pixel to the previous one are dropped, so a detailed COD-AB outline stays small.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

# JIAF / IPC severity colours, phase 1 (minimal) to 5 (catastrophic).
PHASE_COLOURS = {1: "#cdfacd", 2: "#fae61e", 3: "#e67800", 4: "#c80000", 5: "#640000"}
PHASE_TEXT = {1: "#1b1f24", 2: "#1b1f24", 3: "#1b1f24", 4: "#ffffff", 5: "#ffffff"}
NO_DATA = "#e6e8eb"
# PiN shades (light to dark blue), for quantiles of the areas' people in need.
PIN_SHADES = ("#deebf7", "#9ecae1", "#4292c6", "#08519c")
INK = "#1b1f24"
ESTIMATE = "#0b5394"


def _svg(width: float, height: float, title: str, desc: str, body: str, cls: str) -> Markup:
    return Markup(
        f'<svg class="{cls}" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(title)}" direction="ltr" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="Noto Sans, Noto Naskh Arabic, '
        f'DejaVu Sans, sans-serif" font-size="12">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>"
    )


@dataclass(frozen=True)
class Shade:
    """What an area shows on a map: its fill and the value named in its tooltip."""

    fill: str
    label: str


def _rings(geometry: Mapping[str, object]) -> list[list[tuple[float, float]]]:
    coords: Any = geometry.get("coordinates") or []
    polygons = [coords] if geometry.get("type") == "Polygon" else coords
    out: list[list[tuple[float, float]]] = []
    for poly in polygons:
        for ring in poly:
            out.append([(float(p[0]), float(p[1])) for p in ring])
    return out


def choropleth(
    outlines: Mapping[str, Mapping[str, object]],
    shades: Mapping[str, Shade],
    names: Mapping[str, str],
    title: str,
    desc: str,
    legend: Sequence[tuple[str, str]],
    *,
    rtl: bool = False,
    width: int = 480,
) -> Markup:
    """Areas (GeoJSON geometries by P-code) filled by ``shades`` (grey: no figure), with a
    legend of (colour, text) rows under the map."""
    rings = {code: _rings(g) for code, g in outlines.items()}
    points = [p for rs in rings.values() for r in rs for p in r]
    legend_h = 20 * len(legend) + 10
    if not points:
        return _svg(width, legend_h + 30, title, desc, "", "map")
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    x0, x1, y0, y1 = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((y0 + y1) / 2))
    span_x, span_y = max((x1 - x0) * kx, 1e-9), max(y1 - y0, 1e-9)
    pad = 6
    scale = (width - 2 * pad) / span_x
    map_h = min(span_y * scale, width * 1.2)
    scale = min(scale, (map_h) / span_y)
    parts: list[str] = []
    for code in sorted(rings):
        shade = shades.get(code)
        fill = shade.fill if shade else NO_DATA
        path = []
        for ring in rings[code]:
            last: tuple[float, float] | None = None
            cmds = []
            for lon, lat in ring:
                x = pad + (lon - x0) * kx * scale
                y = pad + (y1 - lat) * scale
                if last is not None and abs(x - last[0]) < 0.5 and abs(y - last[1]) < 0.5:
                    continue
                cmds.append(f"{x:.1f},{y:.1f}")
                last = (x, y)
            if len(cmds) >= 3:
                path.append("M" + " L".join(cmds) + " Z")
        name = names.get(code, code)
        tip = f"{name} ({code}): {shade.label if shade else '–'}"
        parts.append(
            f'<path d="{" ".join(path)}" fill="{fill}" stroke="#ffffff" stroke-width="1" '
            f'data-pcode="{escape(code)}"><title>{escape(tip)}</title></path>'
        )
    top = pad * 2 + map_h
    for i, (colour, text) in enumerate(legend):
        y = top + i * 20
        if rtl:
            parts.append(
                f'<rect x="{width - 20}" y="{y}" width="14" height="14" fill="{colour}" '
                f'stroke="{INK}" stroke-width="0.5"/><text x="{width - 26}" y="{y + 11}" '
                f'text-anchor="end">{escape(text)}</text>'
            )
        else:
            parts.append(
                f'<rect x="6" y="{y}" width="14" height="14" fill="{colour}" stroke="{INK}" '
                f'stroke-width="0.5"/><text x="26" y="{y + 11}">{escape(text)}</text>'
            )
    return _svg(width, top + legend_h, title, desc, "".join(parts), "map")


@dataclass(frozen=True)
class Interval:
    label: str
    estimate: float | None  # a share in [0, 1]; None: withheld or no population
    low: float | None
    high: float | None


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def intervals(rows: Sequence[Interval], title: str, desc: str, *, rtl: bool = False) -> Markup:
    """Shares with their confidence intervals (a dot and a whisker per row, 0-100 %)."""
    width, label_w, row_h, top = 480, 150, 24, 22
    plot = width - label_w - 60
    parts: list[str] = []

    def x(v: float) -> float:
        v = max(0.0, min(1.0, v)) * plot
        return width - label_w - v if rtl else label_w + v

    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top - 4}" x2="{x(tick):.1f}" '
            f'y2="{top + len(rows) * row_h}" stroke="#d0d7de"/>'
            f'<text x="{x(tick):.1f}" y="{top - 8}" text-anchor="middle">{tick * 100:.0f}%</text>'
        )
    for i, r in enumerate(rows):
        y = top + i * row_h + row_h / 2
        lx, anchor = (width - 4, "end") if rtl else (4, "start")
        parts.append(
            f'<text x="{lx}" y="{y + 4:.1f}" text-anchor="{anchor}">{escape(_short(r.label))}'
            f"<title>{escape(r.label)}</title></text>"
        )
        if r.estimate is None:
            parts.append(f'<text x="{x(0.5):.1f}" y="{y + 4:.1f}" text-anchor="middle">–</text>')
            continue
        lo = r.low if r.low is not None else r.estimate
        hi = r.high if r.high is not None else r.estimate
        vx = x(hi) + (-6 if rtl else 6)
        parts.append(
            f'<line x1="{x(lo):.1f}" y1="{y:.1f}" x2="{x(hi):.1f}" y2="{y:.1f}" '
            f'stroke="{ESTIMATE}" stroke-width="2"/>'
            f'<circle cx="{x(r.estimate):.1f}" cy="{y:.1f}" r="4" fill="{ESTIMATE}"/>'
            f'<text x="{vx:.1f}" y="{y + 4:.1f}" text-anchor="{"end" if rtl else "start"}">'
            f"{r.estimate * 100:.0f}%</text>"
        )
    return _svg(width, top + len(rows) * row_h + 6, title, desc, "".join(parts), "chart")


def phase_stack(
    rows: Sequence[tuple[str, Mapping[int, float | None]]],
    title: str,
    desc: str,
    legend: Sequence[str],
    *,
    rtl: bool = False,
) -> Markup:
    """One bar per group, split into the weighted shares of phases 1..5 (a withheld group: –)."""
    width, label_w, row_h = 480, 150, 24
    plot = width - label_w - 10
    parts: list[str] = []
    for i, (label, shares) in enumerate(rows):
        y = i * row_h + 4
        lx, anchor = (width - 4, "end") if rtl else (4, "start")
        parts.append(
            f'<text x="{lx}" y="{y + 14}" text-anchor="{anchor}">{escape(_short(label))}</text>'
        )
        if any(shares.get(p) is None for p in PHASE_COLOURS):
            start = width - label_w - plot / 2 if rtl else label_w + plot / 2
            parts.append(f'<text x="{start:.1f}" y="{y + 14}" text-anchor="middle">–</text>')
            continue
        at = 0.0
        for p, colour in PHASE_COLOURS.items():
            w = float(shares.get(p) or 0.0) * plot
            bx = width - label_w - at - w if rtl else label_w + at
            parts.append(
                f'<rect x="{bx:.1f}" y="{y}" width="{w:.1f}" height="18" fill="{colour}">'
                f"<title>{escape(legend[p - 1])}: {float(shares.get(p) or 0) * 100:.0f}%</title>"
                "</rect>"
            )
            at += w
    y = len(rows) * row_h + 10
    step = width / 5
    for p, colour in PHASE_COLOURS.items():
        i = p - 1 if not rtl else 5 - p
        parts.append(
            f'<rect x="{i * step + 4:.1f}" y="{y}" width="12" height="12" fill="{colour}" '
            f'stroke="{INK}" stroke-width="0.5"/><text x="{i * step + 20:.1f}" y="{y + 10}" '
            f'font-size="10">{escape(legend[p - 1])}</text>'
        )
    return _svg(width, y + 20, title, desc, "".join(parts), "chart")
