"""The protection analysis page in Chromium at phone width: a stored round analysed, its map and
interval charts drawn, nothing wider than the screen (English and Arabic), the PDF downloaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from tests.browser.journey import sign_in
from tests.browser.test_phone_width import WIDEST
from tests.surveys.exports import EXPORT_FILE, FORM_FILE, MSNA

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.shared]
MODEL = "reach-msna-2024-protection"
PLACES = (
    "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date\n"
    "#country+code,#geo+admin_level,#adm+code,#adm+name,#adm+code+parent,#date+start\n"
    "XMS,1,PCODE1,Region One,XMS,2024-01-01\n"
    "XMS,1,PCODE2,Region Two,XMS,2024-01-01\n"
)


def _cli(args: list[str], data_dir: Path) -> None:
    env = {**os.environ, "SAFEPATH_DATA_DIR": str(data_dir)}
    env.pop("SAFEPATH_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "safepath.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _store_round(live_server: LiveServer, shared_dir: Path, tmp: Path) -> None:
    """The MSNA round, its places and boundaries, stored in the running server's database."""
    (tmp / "places.csv").write_text(PLACES, encoding="utf-8")
    features = [
        {
            "type": "Feature",
            "properties": {"ADM1_PCODE": code},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]],
            },
        }
        for code, x in (("PCODE1", 30), ("PCODE2", 31))
    ]
    geo = tmp / "adm1.geojson"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    data = live_server.data_dir
    _cli(["places", "import", str(tmp / "places.csv"), "--source", "browser-test"], data)
    _cli(["places", "boundaries", str(geo)], data)
    _cli(["forms", "add", str(shared_dir / MSNA / FORM_FILE)], data)
    _cli(
        [
            "surveys",
            "import",
            "--form",
            FORM_FILE.removesuffix(".xlsx"),
            str(shared_dir / MSNA / EXPORT_FILE),
            "--round",
            "msna-browser",
        ],
        data,
    )


def test_analysis_page_on_a_phone(
    browser: Any, live_server: LiveServer, shared_dir: Path, tmp_path: Path
) -> None:
    _store_round(live_server, shared_dir, tmp_path)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        sign_in(page, live_server.url, "analyst", next_path="/analysis/paf")
        page.goto(f"{live_server.url}/analysis/paf")
        page.select_option("select[name=round]", "msna-browser")
        page.select_option("select[name=model]", MODEL)
        page.fill("input[name=strata]", "stratum")
        page.fill("input[name=cluster]", "cluster_id")
        with page.expect_navigation():
            page.click("form.filters button[type=submit]")
        assert page.locator("svg.map path[data-pcode=PCODE1]").count() == 2
        assert page.locator("svg.chart").count() >= 2
        share = float(page.locator("#share-in-need strong").get_attribute("data-value") or "nan")
        assert 0.7 < share < 0.9  # the MSNA dummy round: about 80 % in need
        assert page.locator("#areas tbody tr").count() == 2
        assert page.evaluate(WIDEST)["scroll"] <= 390, page.evaluate(WIDEST)
        page.goto(page.url + "&lang=ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.evaluate(WIDEST)["scroll"] <= 390, page.evaluate(WIDEST)
        href = page.locator("a[href*='report.pdf']").get_attribute("href")
        assert href
        got = page.request.get(f"{live_server.url}{href}")
        assert got.status == 200 and got.body()[:5] == b"%PDF-"
    finally:
        context.close()
