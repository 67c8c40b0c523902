"""The operation's admin boundaries (COD-AB), keyed by P-code, for the analysis maps.

Read from GeoJSON (a FeatureCollection, RFC 7946: longitude/latitude in WGS 84) or an ESRI
shapefile (``.shp`` beside its ``.dbf``; pyshp). The P-code is the feature property named
``--pcode-field``, else each feature's finest ``ADMn_PCODE`` (COD-AB's names, any case; one
file may hold several levels), else ``pcode``.

Checked before anything is stored, every problem named by feature and P-code: a Polygon or
MultiPolygon; rings of at least 4 positions, closed, of finite numbers within longitude/latitude
range (projected coordinates are refused: reproject to WGS 84); a ring enclosing some area; one
feature per P-code; every P-code an imported place (unknown ones refused unless ``skip_unknown``:
then reported and left out). Self-intersection is not checked (that needs GEOS).

Stored in ``place_boundaries`` in one transaction, idempotently (a re-import reports its
features unchanged); coordinates are kept to 5 decimals (about a metre), enough for a map.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.errors import InputError, Problem
from safepath.store.models import Place, PlaceBoundary

DECIMALS = 5
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Feature:
    index: int  # 1-based position in the file
    pcode: str
    geometry: dict[str, Any]


@dataclass(frozen=True)
class Outline:
    """A stored boundary, as the maps read it."""

    pcode: str
    level: int
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


@dataclass
class BoundaryReport:
    features: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    unknown: list[str] = field(default_factory=list)  # left out (skip_unknown)
    by_level: dict[int, int] = field(default_factory=dict)
    places_without: int = 0  # imported places at the same levels that have no boundary


def _features_geojson(path: Path) -> list[tuple[dict[str, Any], Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path.name} is not readable GeoJSON: {exc}",
            problems=[Problem(f"not GeoJSON: {exc}", scope=path.name)],
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputError(
            f"{path.name} is not a GeoJSON FeatureCollection",
            problems=[Problem("not a FeatureCollection", scope=path.name)],
        )
    out = []
    for f in doc.get("features") or []:
        f = f if isinstance(f, dict) else {}
        out.append((f.get("properties") or {}, f.get("geometry")))
    return out


def _features_shapefile(path: Path) -> list[tuple[dict[str, Any], Any]]:
    import shapefile  # pyshp

    try:
        with shapefile.Reader(str(path)) as reader:
            return [
                (dict(sr.record.as_dict()), sr.shape.__geo_interface__)
                for sr in reader.iterShapeRecords()
            ]
    except (OSError, shapefile.ShapefileException) as exc:
        raise InputError(
            f"{path.name} is not a readable shapefile (with its .dbf): {exc}",
            problems=[Problem(f"unreadable shapefile: {exc}", scope=path.name)],
        ) from exc


def pcode_field(properties: Sequence[dict[str, Any]], asked: str | None, source: str) -> str | None:
    """The property holding the P-code; None: each feature's finest ``ADMn_PCODE`` (a file
    may hold several levels)."""
    names: dict[str, str] = {}
    for props in properties:
        for k in props:
            names.setdefault(str(k).lower(), str(k))
    if asked:
        if asked.lower() not in names:
            raise InputError(
                f"{source}: no feature property {asked!r} (properties: "
                f"{', '.join(sorted(names.values())) or 'none'})",
                problems=[Problem("no such property", scope=source, column=asked)],
            )
        return names[asked.lower()]
    if any(f"adm{level}_pcode" in names for level in range(5)):
        return None
    if "pcode" in names:
        return names["pcode"]
    raise InputError(
        f"{source}: no P-code property (ADM1_PCODE, ADM2_PCODE ... or pcode); name it with "
        f"--pcode-field (properties: {', '.join(sorted(names.values())) or 'none'})",
        problems=[Problem("no P-code property", scope=source)],
    )


def feature_pcode(props: dict[str, Any], key: str | None) -> tuple[str, str]:
    """(property name, P-code) of one feature ("" when it has none)."""
    if key is not None:
        return key, str(props.get(key) or "").strip()
    lower = {str(k).lower(): k for k in props}
    for level in range(4, -1, -1):
        name = lower.get(f"adm{level}_pcode")
        if name is not None and str(props.get(name) or "").strip():
            return str(name), str(props[name]).strip()
    return "ADMn_PCODE", ""


def _ring_problem(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return "a ring needs at least 4 positions"
    for pos in ring:
        if (
            not isinstance(pos, list | tuple)
            or len(pos) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos[:2])
        ):
            return f"position {pos!r} is not [longitude, latitude]"
        lon, lat = float(pos[0]), float(pos[1])
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return "a coordinate is not a finite number"
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return (
                f"coordinate ({lon:g}, {lat:g}) is outside longitude/latitude: projected "
                "coordinates? reproject to WGS 84 (EPSG:4326)"
            )
    if list(ring[0][:2]) != list(ring[-1][:2]):
        return "a ring is not closed (its first and last positions differ)"
    if abs(_ring_area(ring)) == 0:
        return "a ring encloses no area"
    return None


def _ring_area(ring: Sequence[Sequence[float]]) -> float:
    return 0.5 * sum(
        float(a[0]) * float(b[1]) - float(b[0]) * float(a[1])
        for a, b in zip(ring, ring[1:], strict=False)
    )


def _polygons(geometry: dict[str, Any]) -> list[Any]:
    if geometry.get("type") == "Polygon":
        return [geometry.get("coordinates")]
    return list(geometry.get("coordinates") or [])


def geometry_problem(geometry: Any) -> str | None:
    """Why ``geometry`` cannot be drawn as an area, or None."""
    if not isinstance(geometry, dict):
        return "no geometry"
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return f"geometry is a {geometry.get('type')!r}, not a Polygon or MultiPolygon"
    polygons = _polygons(geometry)
    if not polygons or not all(isinstance(p, list) and p for p in polygons):
        return "a polygon without rings"
    for polygon in polygons:
        for ring in polygon:
            why = _ring_problem(ring)
            if why:
                return why
    return None


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    polygons = [
        [
            [[round(float(p[0]), DECIMALS), round(float(p[1]), DECIMALS)] for p in ring]
            for ring in poly
        ]
        for poly in _polygons(geometry)
    ]
    return {"type": "MultiPolygon", "coordinates": polygons}


def positions(geometry: dict[str, Any]) -> Iterator[tuple[float, float]]:
    for poly in _polygons(geometry):
        for ring in poly:
            for p in ring:
                yield float(p[0]), float(p[1])


def bbox(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    lons, lats = zip(*positions(geometry), strict=True)
    return min(lons), min(lats), max(lons), max(lats)


def read_boundaries(path: Path, *, pcode: str | None = None) -> list[Feature]:
    """The file's features, checked (InputError naming every bad feature)."""
    if not path.is_file():
        raise InputError(f"no such file: {path}", problems=[Problem("file not found", str(path))])
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        raw = _features_geojson(path)
    elif suffix == ".shp":
        raw = _features_shapefile(path)
    else:
        raise InputError(
            f"{path.name}: boundaries are read from .geojson, .json or .shp files",
            problems=[Problem("unknown file type", scope=path.name)],
        )
    if not raw:
        raise InputError(f"{path.name} has no features", problems=[Problem("no features")])
    key = pcode_field([p for p, _ in raw], pcode, path.name)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    out: list[Feature] = []
    for i, (props, geometry) in enumerate(raw, start=1):
        column, code = feature_pcode(props, key)
        scope = f"{path.name} feature {i}"
        if not code:
            problems.append(Problem("no P-code", scope=scope, column=column))
            continue
        if code in seen:
            problems.append(
                Problem(
                    f"P-code also on feature {seen[code]}", scope=scope, column=column, value=code
                )
            )
            continue
        seen[code] = i
        why = geometry_problem(geometry)
        if why:
            problems.append(Problem(why, scope=scope, column="geometry", value=code))
            continue
        out.append(Feature(i, code, _rounded(geometry)))
    if problems:
        raise InputError(
            f"{path.name}: {len(problems)} unusable feature(s); nothing stored",
            problems=problems[:MAX_PROBLEMS],
        )
    return out


def save_boundaries(
    session: Session, features: Sequence[Feature], source: str, *, skip_unknown: bool = False
) -> BoundaryReport:
    """Store the features by P-code in the caller's transaction (see the module docstring)."""
    codes = [f.pcode for f in features]
    levels: dict[str, int] = {
        str(code): int(level)
        for code, level in session.execute(
            select(Place.pcode, Place.level).where(Place.pcode.in_(codes))
        )
    }
    report = BoundaryReport(features=len(features))
    report.unknown = [c for c in codes if c not in levels]
    if report.unknown and not skip_unknown:
        raise InputError(
            f"{source}: {len(report.unknown)} P-code(s) are not imported places: "
            f"{', '.join(report.unknown[:10])}; run `safepath places import` first "
            "(or --skip-unknown to store the others)",
            problems=[
                Problem("unknown P-code", scope=f"{source} feature {f.index}", value=f.pcode)
                for f in features
                if f.pcode in set(report.unknown)
            ][:MAX_PROBLEMS],
        )
    existing = {
        b.pcode: b
        for b in session.scalars(select(PlaceBoundary).where(PlaceBoundary.pcode.in_(codes)))
    }
    for f in features:
        if f.pcode not in levels:
            continue
        level = int(levels[f.pcode])
        report.by_level[level] = report.by_level.get(level, 0) + 1
        box = bbox(f.geometry)
        current = existing.get(f.pcode)
        if current is None:
            session.add(
                PlaceBoundary(
                    pcode=f.pcode,
                    level=level,
                    geometry=f.geometry,
                    min_lon=box[0],
                    min_lat=box[1],
                    max_lon=box[2],
                    max_lat=box[3],
                    source=source[:200],
                )
            )
            report.added += 1
        elif current.geometry != f.geometry or current.level != level:
            current.geometry, current.level, current.source = f.geometry, level, source[:200]
            current.min_lon, current.min_lat, current.max_lon, current.max_lat = box
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    if report.by_level:
        with_outline = select(PlaceBoundary.pcode)
        report.places_without = len(
            session.scalars(
                select(Place.pcode).where(
                    Place.level.in_(list(report.by_level)), Place.pcode.not_in(with_outline)
                )
            ).all()
        )
    return report


def load_outlines(session: Session, pcodes: Sequence[str]) -> dict[str, Outline]:
    """The stored boundaries of these P-codes (those that have one)."""
    rows = session.scalars(select(PlaceBoundary).where(PlaceBoundary.pcode.in_(list(pcodes))))
    return {
        r.pcode: Outline(r.pcode, r.level, r.geometry, (r.min_lon, r.min_lat, r.max_lon, r.max_lat))
        for r in rows
    }


def place_names(session: Session, pcodes: Sequence[str]) -> dict[str, str]:
    stmt = select(Place.pcode, Place.name).where(Place.pcode.in_(list(pcodes)))
    return {str(code): str(name) for code, name in session.execute(stmt)}
