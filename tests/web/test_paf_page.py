"""The analyst's protection analysis page on a stored round (the REACH MSNA 2024 dummy export):
its figures are the estimators', small cells withheld, the area map drawn from the stored
boundaries, the area table downloadable as HXL CSV; other roles are refused."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.apps import shared_app
from tests.surveys.exports import EXPORT_FILE, FORM_FILE, MSNA
from tests.web.test_case_pages import _token

from safepath.analysis.design import Design
from safepath.analysis.pin import people_in_need
from safepath.analysis.population import Population
from safepath.places import import_places, read_place_table
from safepath.places.boundaries import read_boundaries, save_boundaries
from safepath.privacy import identity
from safepath.privacy.actor import SYSTEM
from safepath.risk import load_model, score_table
from safepath.risk.table import as_table
from safepath.rounds import service
from safepath.rounds.forms import add_form
from safepath.store.db import session_scope

pytestmark = pytest.mark.shared
MODEL = "reach-msna-2024-protection"
PLACES = (
    "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date\n"
    "#country+code,#geo+admin_level,#adm+code,#adm+name,#adm+code+parent,#date+start\n"
    "XMS,1,PCODE1,Region One,XMS,2024-01-01\n"
    "XMS,1,PCODE2,Region Two,XMS,2024-01-01\n"
)


def _square(x: float) -> dict[str, object]:
    ring = [[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]
    return {"type": "Polygon", "coordinates": [ring]}


def store_msna(shared_dir: Path, tmp: Path) -> None:
    """The MSNA round stored as `msna`, with places and boundaries for its admin1 P-codes."""
    (tmp / "places.csv").write_text(PLACES, encoding="utf-8")
    geo = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"ADM1_PCODE": c}, "geometry": _square(x)}
            for c, x in (("PCODE1", 30.0), ("PCODE2", 31.0))
        ],
    }
    (tmp / "adm1.geojson").write_text(json.dumps(geo), encoding="utf-8")
    with session_scope() as s:
        import_places(s, read_place_table(tmp / "places.csv"), scope="places.csv")
        save_boundaries(s, read_boundaries(tmp / "adm1.geojson"), "adm1.geojson")
        form = add_form(s, shared_dir / MSNA / FORM_FILE, by="t").row
        service.import_round(
            s, form, shared_dir / MSNA / EXPORT_FILE, round_name="msna", actor=SYSTEM, by="t"
        )


def _client(role: str) -> Iterator[TestClient]:
    with session_scope() as s:
        identity.add_user(s, role, role, "agency-a", "tern lagoon 123 quartz")
    with TestClient(shared_app(), follow_redirects=False) as c:
        r = c.post(
            "/login",
            data={
                "username": role,
                "password": "tern lagoon 123 quartz",
                "csrf_token": _token(c.get("/login").text),
                "next": "/analysis/paf",
            },
        )
        assert r.status_code == 303
        yield c


@pytest.fixture
def analyst(db_url: str) -> Iterator[TestClient]:
    yield from _client("analyst")


def _value(html: str, pattern: str) -> float:
    found = re.search(pattern + r'.*?data-value="([^"]+)"', html, re.S)
    assert found, pattern
    return float(found.group(1))


def test_page_figures_map_and_area_csv(
    analyst: TestClient, shared_dir: Path, tmp_path: Path
) -> None:
    assert "No survey round is stored yet." in analyst.get("/analysis/paf").text
    store_msna(shared_dir, tmp_path)
    params = {
        "round": "msna",
        "model": MODEL,
        "strata": "stratum",
        "cluster": "cluster_id",
        "by": ["sex"],
    }
    page = analyst.get("/analysis/paf", params=params)
    assert page.status_code == 200, page.text[-2000:]
    html = page.text
    with session_scope() as s:
        main = service.load_table(s, "msna")
    scored = as_table(score_table(load_model(MODEL), main).to_pyarrow())
    design = Design(weight="weight", strata="stratum", cluster="cluster_id")
    overall, p1, p2 = people_in_need(
        scored, design, Population(("admin1",), {}, "none"), phase=3, by=["admin1"]
    )
    assert _value(html, 'id="share-in-need"') == pytest.approx(overall.share, abs=1e-12)
    for row in (p1, p2):
        assert _value(html, f'<tr data-pcode="{row.group[0]}">') == pytest.approx(
            row.share, abs=1e-12
        )
    # the map: one path per stored boundary, filled by area phase; an accessible name
    assert html.count('data-pcode="PCODE1"><title>') == 2  # phase and PiN maps
    assert 'role="img" aria-label="Area severity phase"' in html
    assert 'id="group-sex"' in html and 'id="group-disability"' not in html  # only --by sex
    # household disability from the roster's WG questions is offered (all by default)
    assert "Disability (Washington Group)" in html
    links = re.findall(r'href="(/analysis/paf/[^"]+)"', html)
    assert {link.split("?")[0] for link in links} == {
        "/analysis/paf/report.html",
        "/analysis/paf/report.pdf",
        "/analysis/paf/areas.csv",
    }
    csv_link = next(link for link in links if "areas.csv" in link).replace("&amp;", "&")
    got = analyst.get(csv_link)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.text)))
    assert rows[1][0] == "#adm1+code" and [r[0] for r in rows[2:]] == ["PCODE1", "PCODE2"]
    assert float(rows[2][rows[0].index("share")]) == pytest.approx(p1.share, rel=1e-5)


def test_trends_against_the_round_stored_before(
    analyst: TestClient, shared_dir: Path, tmp_path: Path
) -> None:
    store_msna(shared_dir, tmp_path)
    params = {"round": "msna", "model": MODEL, "strata": "stratum", "cluster": "cluster_id"}
    first = analyst.get("/analysis/paf", params={**params, "compare": "1"}).text
    assert "no round was stored before" in first  # the first round has nothing to compare
    with session_scope() as s:
        form = service.round_form(s, "msna")
        service.import_round(
            s, form, shared_dir / MSNA / EXPORT_FILE, round_name="msna-2", actor=SYSTEM, by="t"
        )
    params["round"] = "msna-2"
    page = analyst.get("/analysis/paf", params=params).text
    assert 'id="trend-table"' not in page and "compare=1" in page  # asked for, not by default
    html = analyst.get("/analysis/paf", params={**params, "compare": "1"}).text
    assert "Change from msna to msna-2" in html
    table = html[html.index('id="trend-table"') :]
    groups = re.findall(r'<tr data-group="([^"]+)"', table)
    assert groups == ["PCODE1", "PCODE2"]
    # the same export twice: no change, nothing significant, no alert
    changes = [float(v) for v in re.findall(r'data-value="([^"]+)"', table)[:2]]
    assert changes == [pytest.approx(0.0, abs=1e-12)] * 2  # parallel sums: last-bit noise
    assert re.search(r'id="alert-count">[^<]*<strong>0</strong>', html)
    assert 'data-alert="1"' not in table


def test_other_roles_may_not_open_it(db_url: str) -> None:
    for client in _client("caseworker"):
        assert client.get("/analysis/paf").status_code == 403
        assert client.get("/analysis/paf/report.pdf", params={"round": "x"}).status_code == 403
