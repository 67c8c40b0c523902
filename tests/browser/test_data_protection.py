"""The data-protection focal point in a real browser: an analyst's round exports (refused, then
anonymised, through the API) appear on the data-protection page with the risk before and after;
the risk form measures the round for the keys typed in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from tests.browser.journey import sign_in
from tests.surveys.rounds_for_export import export_csv
from tests.surveys.sample import write_form

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser
ROUND = "browser-dp-round"


def _analyst_exports(base: str, tmp_path: Path) -> None:
    with httpx.Client(base_url=f"{base}/api/v1", timeout=60) as api:
        token = api.post(
            "/auth/token", data={"username": "analyst", "password": "analyst-demo-pass"}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        form = write_form(tmp_path / "sample.xlsx").read_bytes()
        r = api.post("/surveys/forms", headers=auth, files={"form": ("sample.xlsx", form)})
        assert r.status_code in (201, 409), r.text
        r = api.post(
            f"/surveys/rounds/{ROUND}/imports",
            headers=auth,
            data={"form": "sample_hh"},
            files={"export": ("round.csv", export_csv(unique=2).encode())},
        )
        assert r.status_code == 201, r.text
        refused = api.get(f"/surveys/rounds/{ROUND}/export", headers=auth)
        assert refused.status_code == 422
        done = api.get(f"/surveys/rounds/{ROUND}/export?anonymise=true", headers=auth)
        assert done.status_code == 200


def test_exports_and_the_risk_form(browser: Any, live_server: LiveServer, tmp_path: Path) -> None:
    _analyst_exports(live_server.url, tmp_path)
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server.url, "dpo", next_path="/data-protection")
        rows = page.locator("#exports tbody tr")
        newest, previous = rows.nth(0).inner_text(), rows.nth(1).inner_text()
        assert ROUND in newest and "anonymised" in newest and "3.7 %" in newest
        assert "2.43 %" in newest and "hh_size 2" in newest
        assert ROUND in previous and "refused" in previous
        page.select_option("select[name=round]", ROUND)
        page.fill("input[name=keys]", "hh_size, displaced")
        with page.expect_navigation():
            page.click("#risk-form button[type=submit]")
        risk = page.locator("#risk").inner_text()
        assert "162" in risk and "3.7 %" in risk  # (2 unique + 160/40) / 162
        assert "Records violating 3-anonymity\t2" in risk
    finally:
        context.close()
