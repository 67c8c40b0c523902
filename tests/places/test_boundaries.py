"""Admin boundaries (COD-AB GeoJSON, shapefiles) keyed by P-code: checked, stored, idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapefile
from sqlalchemy import Engine, func, select
from tests.cli_process import run_cli

from safepath.errors import InputError
from safepath.places import import_places, read_place_table
from safepath.places.boundaries import load_outlines, read_boundaries, save_boundaries
from safepath.store.db import session_scope
from safepath.store.models import PlaceBoundary

PLACES = (
    "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date\n"
    "#country+code,#geo+admin_level,#adm+code,#adm+name,#adm+code+parent,#date+start\n"
    "XMR,1,XM01,North,XMR,2024-01-01\n"
    "XMR,1,XM02,South,XMR,2024-01-01\n"
)


def _square(x: float, y: float, size: float = 1.0) -> list[list[list[float]]]:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def _geojson(tmp_path: Path, features: list[tuple[dict[str, Any], Any]]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
    }
    path = tmp_path / "adm1.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _good(tmp_path: Path) -> Path:
    return _geojson(
        tmp_path,
        [
            (
                {"ADM1_PCODE": "XM01", "ADM1_EN": "North"},
                {"type": "Polygon", "coordinates": _square(30, 1)},
            ),
            (
                {"ADM1_PCODE": "XM02"},
                {"type": "MultiPolygon", "coordinates": [_square(30, 0), _square(31.5, 0, 0.5)]},
            ),
        ],
    )


def _places(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(PLACES, encoding="utf-8")
    with session_scope() as s:
        import_places(s, read_place_table(path), scope="places.csv")


def test_geojson_stored_by_pcode_and_idempotent(engine: Engine, tmp_path: Path) -> None:
    _places(tmp_path)
    features = read_boundaries(_good(tmp_path))
    with session_scope() as s:
        report = save_boundaries(s, features, "adm1.geojson")
    assert (report.added, report.updated, report.unchanged, report.by_level) == (2, 0, 0, {1: 2})
    with session_scope() as s:
        again = save_boundaries(s, features, "adm1.geojson")
        outlines = load_outlines(s, ["XM01", "XM02", "XM99"])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert set(outlines) == {"XM01", "XM02"}
    assert outlines["XM02"].bbox == (30.0, 0.0, 32.0, 1.0)
    assert outlines["XM01"].geometry["type"] == "MultiPolygon"


def test_bad_geometries_are_refused_naming_features(tmp_path: Path) -> None:
    open_ring = [[[30, 0], [31, 0], [31, 1], [30, 1]]]
    path = _geojson(
        tmp_path,
        [
            ({"ADM1_PCODE": "XM01"}, {"type": "Polygon", "coordinates": open_ring}),
            ({"ADM1_PCODE": "XM02"}, {"type": "Point", "coordinates": [30, 0]}),
            ({"ADM1_PCODE": "XM03"}, {"type": "Polygon", "coordinates": _square(350000, 10)}),
            ({"ADM1_PCODE": "XM01"}, {"type": "Polygon", "coordinates": _square(30, 0)}),
            ({"name": "x"}, {"type": "Polygon", "coordinates": _square(30, 0)}),
            (
                {"ADM1_PCODE": "XM05"},
                {"type": "Polygon", "coordinates": [[[30, 0], [31, 0], [32, 0], [30, 0]]]},
            ),
        ],
    )
    with pytest.raises(InputError) as caught:
        read_boundaries(path)
    found = [(p.scope, p.value, p.message) for p in caught.value.problems]
    expected = [
        ("adm1.geojson feature 1", "XM01", "a ring is not closed"),
        ("adm1.geojson feature 2", "XM02", "geometry is a 'Point', not a "),
        ("adm1.geojson feature 3", "XM03", "coordinate (350000, 10) is out"),
        ("adm1.geojson feature 4", "XM01", "P-code also on feature 1"),
        ("adm1.geojson feature 5", None, "no P-code"),
        ("adm1.geojson feature 6", "XM05", "a ring encloses no area"),
    ]
    assert len(found) == len(expected)
    for got, want in zip(found, expected, strict=True):
        assert got[:2] == want[:2] and got[2].startswith(want[2]), (got, want)


def test_unknown_pcodes_refused_or_skipped(engine: Engine, tmp_path: Path) -> None:
    _places(tmp_path)
    path = _geojson(
        tmp_path,
        [
            ({"ADM1_PCODE": "XM01"}, {"type": "Polygon", "coordinates": _square(30, 1)}),
            ({"ADM1_PCODE": "ZZ09"}, {"type": "Polygon", "coordinates": _square(30, 0)}),
        ],
    )
    with pytest.raises(InputError, match="1 P-code.*not imported places: ZZ09"):
        with session_scope() as s:
            save_boundaries(s, read_boundaries(path), "adm1.geojson")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(PlaceBoundary)) == 0
    with session_scope() as s:
        report = save_boundaries(s, read_boundaries(path), "adm1.geojson", skip_unknown=True)
    assert (report.added, report.unknown, report.places_without) == (1, ["ZZ09"], 1)


def test_shapefile_with_a_named_pcode_field(engine: Engine, tmp_path: Path) -> None:
    _places(tmp_path)
    base = tmp_path / "adm1"
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON) as w:
        w.field("CODE", "C", size=10)
        for code, y in (("XM01", 1.0), ("XM02", 0.0)):
            # shapefiles go clockwise for outer rings
            w.poly([[[30.0, y], [30.0, y + 1], [31.0, y + 1], [31.0, y], [30.0, y]]])
            w.record(code)
    with pytest.raises(InputError, match="no P-code property"):
        read_boundaries(base.with_suffix(".shp"))
    features = read_boundaries(base.with_suffix(".shp"), pcode="code")
    with session_scope() as s:
        report = save_boundaries(s, features, "adm1.shp")
    assert report.added == 2 and [f.pcode for f in features] == ["XM01", "XM02"]


@pytest.mark.usefixtures("engine")
def test_boundaries_cli(tmp_path: Path) -> None:
    _places(tmp_path)
    done = run_cli(["places", "boundaries", str(_good(tmp_path))])
    assert done.returncode == 0, done.stderr
    assert "2 boundaries in adm1.geojson (2 adm1): 2 added, 0 updated, 0 unchanged" in done.stdout
    bad = _geojson(tmp_path, [({"ADM1_PCODE": "XM01"}, {"type": "Point", "coordinates": [1, 2]})])
    done = run_cli(["places", "boundaries", str(bad)])
    assert done.returncode == 2 and "feature 1" in done.stderr and "Point" in done.stderr


def test_the_demo_ships_an_outline_for_every_place(engine: Engine) -> None:
    from safepath.demo import load_demo
    from safepath.store.models import Place

    lines = load_demo()
    assert "boundaries: 22 adm1 and adm2 outlines for the maps" in lines
    with session_scope() as s:
        places = set(s.scalars(select(Place.pcode).where(Place.level > 0)))
        outlines = load_outlines(s, sorted(places))
    assert set(outlines) == places and len(places) == 22
    # adm2 outlines tile their adm1: the same bounding box
    xs = [o.bbox for c, o in outlines.items() if c.startswith("XM03") and len(c) == 6]
    assert (min(b[0] for b in xs), min(b[1] for b in xs), max(b[2] for b in xs)) == (
        outlines["XM03"].bbox[:3]
    )
    assert "(already loaded)" in load_demo()[-1]
