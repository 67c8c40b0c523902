"""The PAF report on the shared REACH MSNA 2024 dummy round: its figures are the estimators'
figures, small cells are withheld, the PDF has pages with charts and a map, Arabic runs right to
left (checked on pixels of a page rendered by pdftoppm), the area table is HXL CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import ibis
import pytest
from PIL import Image

from safepath.analysis.design import Design
from safepath.analysis.estimates import estimate
from safepath.analysis.pin import people_in_need
from safepath.analysis.population import from_frame
from safepath.places.boundaries import read_boundaries
from safepath.report import paf, render, sources
from safepath.risk import load_model, score_table
from safepath.risk.table import as_table
from safepath.surveys.tables import read_table

pytestmark = pytest.mark.shared
REACH = "data/reach-msna-2024"
MODEL = "reach-msna-2024-protection"
OUTLINES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"ADM1_PCODE": "PCODE1"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[40, 10], [42, 10], [42, 12], [41, 12.5], [40, 12], [40, 10]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"ADM1_PCODE": "PCODE2"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[42, 10], [44, 10.5], [44, 12], [42, 12], [42, 10]]],
            },
        },
    ],
}
NEEDS_POPPLER = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils (pdftoppm, pdfinfo) not installed",
)


@pytest.fixture(scope="module")
def built(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> paf.PafReport:
    """The report, built once for the module (the figures take seconds on real data)."""
    tmp = tmp_path_factory.mktemp("paf")
    (tmp / "adm1.geojson").write_text(json.dumps(OUTLINES), encoding="utf-8")
    outlines = {f.pcode: f.geometry for f in read_boundaries(tmp / "adm1.geojson")}
    model = load_model(MODEL)
    data = sources.file_data(shared_dir / REACH / "dummy_raw_data.xlsx", "main")
    frame = read_table(shared_dir / REACH / "loa.xlsx", sheet="sample_frame")
    population = from_frame(frame, ["admin1"], source="loa.xlsx")
    options = sources.Options(
        model=MODEL, strata="stratum", cluster="cluster_id", household_size="hh_size"
    )
    inputs = sources.inputs(model, data, "dummy_raw_data.xlsx", options, population=population)
    inputs = paf.Inputs(
        **{
            **inputs.__dict__,
            "outlines": outlines,
            "names": {"PCODE1": '=HYPERLINK("x")', "PCODE2": "Region Two"},
        }
    )
    return paf.build(inputs)


@pytest.fixture(scope="module")
def scored(shared_dir: Path) -> Any:
    frame = read_table(shared_dir / REACH / "dummy_raw_data.xlsx", sheet="main")
    return as_table(score_table(load_model(MODEL), frame).to_pyarrow())


@pytest.fixture(scope="module")
def pdfs(built: paf.PafReport, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The PDF in English and Arabic, rendered once each."""
    tmp = tmp_path_factory.mktemp("pdf")
    out = {}
    for lang in ("en", "ar"):
        path = tmp / f"report-{lang}.pdf"
        path.write_bytes(render.render_pdf(built, lang))
        out[lang] = path
    return out


MSNA = Design(weight="weight", strata="stratum", cluster="cluster_id", source="m")


def _value(html: str, pattern: str) -> float:
    found = re.search(pattern + r'.*?data-value="([^"]+)"', html, re.S)
    assert found, pattern
    return float(found.group(1))


def test_html_figures_are_the_estimators(
    built: paf.PafReport, scored: Any, shared_dir: Path
) -> None:
    frame = read_table(shared_dir / REACH / "loa.xlsx", sheet="sample_frame")
    population = from_frame(frame, ["admin1"], source="loa.xlsx")
    pin = people_in_need(scored, MSNA, population, phase=3, by=["admin1"], household_size="hh_size")
    overall, p1, p2 = pin
    html = render.render_html(built, "en")
    assert _value(html, r'id="summary-share"') == pytest.approx(overall.share, abs=1e-12)
    assert overall.share is not None
    assert _value(html, r'id="summary-pin"') == pytest.approx(7000 * overall.share, rel=1e-12)
    assert "5,590" in html and overall.pin == pytest.approx(5590, abs=0.5)
    for row in (p1, p2):
        code = row.group[0]
        assert _value(html, rf'<tr data-pcode="{code}">') == pytest.approx(row.share, abs=1e-12)
        area = next(a for a in built.areas if a["pcode"] == code)
        assert (area["pin"], area["pin_low"], area["pin_high"]) == pytest.approx(
            (row.pin, row.pin_low, row.pin_high), rel=1e-12
        )
    phases = {e.value: e for e in estimate(scored, "phase", MSNA, kind="categorical")}
    for p in built.phases:
        if not p["suppressed"]:
            assert p["estimate"] == pytest.approx(phases[str(p["phase"])].estimate, abs=1e-12)
    # phase 1 holds one household: withheld, with the smallest other cell (else 1 - others)
    assert [p["phase"] for p in built.phases if p["suppressed"]] == [1, 5]
    assert phases["1"].count == 1
    by_sex = {r["value"]: r for r in next(g for g in built.groups if g.name == "sex").rows}
    assert set(by_sex) == {"female", "male", "other", "prefer_not_to_say"}
    assert by_sex["female"]["n"] == 60 and by_sex["female"]["population"] is None


def test_indicator_shares_are_design_based_estimates(built: paf.PafReport, scored: Any) -> None:
    threats = {r["id"]: r for r in built.indicators["threat"]}
    assert "concern_violence" in threats and len(built.indicators["capacity"]) >= 3
    # concern_violence scores never 1, once_or_twice 3, several_times 4, always 5 (dnk, pnta:
    # unanswered): flagged at 4 or 5, outside the base when unanswered
    col = scored.prot_concern_hh_freq_violence
    flag = ibis.cases(
        (col.isin(["several_times", "always"]), 1.0),
        (col.isin(["never", "once_or_twice"]), 0.0),
        else_=ibis.null("float64"),
    )
    base = scored.mutate(_f=flag)
    [e] = estimate(base, "_f", MSNA, kind="mean")
    assert threats["concern_violence"]["estimate"] == pytest.approx(e.estimate, abs=1e-9)
    assert threats["concern_violence"]["n"] == e.n


def test_area_table_as_hxl_csv_without_formulas(built: paf.PafReport) -> None:
    rows = list(csv.reader(io.StringIO(render.area_csv(built))))
    assert rows[1][:4] == ["#adm1+code", "#adm1+name", "#meta+records", "#severity+phase"]
    first = dict(zip(rows[0], rows[2], strict=True))
    assert first["pcode"] == "PCODE1" and first["name"].startswith("'=")
    assert float(first["pin"]) == pytest.approx(built.areas[0]["pin"], rel=1e-6)


@NEEDS_POPPLER
def test_pdf_has_pages_charts_and_a_map(pdfs: dict[str, Path], tmp_path: Path) -> None:
    info = subprocess.run(["pdfinfo", str(pdfs["en"])], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert pages >= 4
    first = _page(pdfs["en"], 1, tmp_path)
    colours = _colours(first)
    assert (230, 120, 0) in colours and (200, 0, 0) in colours  # PCODE1 phase 3, PCODE2 phase 4
    threats = _colours(_page(pdfs["en"], 3, tmp_path))
    assert (11, 83, 148) in threats  # the intervals chart of the threat indicators


@NEEDS_POPPLER
def test_arabic_pdf_runs_right_to_left(pdfs: dict[str, Path], tmp_path: Path) -> None:
    for lang, right in (("en", False), ("ar", True)):
        img = _page(pdfs[lang], 1, tmp_path)
        left, top, right_x, bottom = _first_line(img)
        middle = img.width / 2
        if right:
            assert left > middle, (lang, left, right_x, img.width)
        else:
            assert right_x < middle, (lang, left, right_x, img.width)


def _page(pdf: Path, page: int, tmp: Path) -> Image.Image:
    prefix = tmp / f"{pdf.stem}-{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(prefix),
        ],
        check=True,
    )
    return Image.open(prefix.with_suffix(".png")).convert("RGB")


def _colours(img: Image.Image) -> set[Any]:
    return {c for _, c in img.getcolors(maxcolors=1 << 20) or []}


def _first_line(img: Image.Image) -> tuple[int, int, int, int]:
    """The bounding box of the first line of ink from the top (the heading)."""
    gray = img.convert("L")
    w, h = gray.size
    data = gray.tobytes()  # one byte per pixel, row by row
    px = {(x, y): data[y * w + x] for y in range(h) for x in range(w)}
    rows = [y for y in range(h) if any(px[x, y] < 110 for x in range(w))]
    assert rows
    top = rows[0]
    bottom = top
    while bottom + 1 < h and bottom + 1 in set(rows):
        bottom += 1
    xs = [x for y in range(top, bottom + 1) for x in range(w) if px[x, y] < 110]
    return min(xs), top, max(xs), bottom
