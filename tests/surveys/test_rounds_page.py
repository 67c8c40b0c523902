"""The analyst page of survey rounds: rounds with their tables, and the problems of an import,
in the user's language; personal values never shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.apps import shared_app
from tests.surveys.sample import MAIN_HEADER, MAIN_ROWS, NAME, write_form, write_kobo_xlsx
from tests.surveys.test_risk_rounds import MODEL
from tests.web.test_case_pages import _token

from safepath.privacy import identity
from safepath.privacy.actor import SYSTEM
from safepath.rounds import scoring, service
from safepath.rounds.forms import add_form
from safepath.store.db import session_scope


@pytest.fixture
def analyst(db_url: str) -> Iterator[TestClient]:
    with session_scope() as s:
        identity.add_user(s, "an", "analyst", "agency-a", "tern lagoon 123 quartz")
    with TestClient(shared_app(), follow_redirects=False) as c:
        r = c.post(
            "/login",
            data={
                "username": "an",
                "password": "tern lagoon 123 quartz",
                "csrf_token": _token(c.get("/login").text),
                "next": "/analysis/rounds",
            },
        )
        assert r.status_code == 303
        yield c


def test_rounds_page_lists_tables_and_problems(analyst: TestClient, tmp_path: Path) -> None:
    assert "No survey round is stored yet." in analyst.get("/analysis/rounds").text
    rows = [list(r) for r in MAIN_ROWS]
    rows[1][5] = "maybe"
    lines = [",".join(MAIN_HEADER)] + [
        ",".join("" if v is None else str(v) for v in r) for r in rows
    ]
    export = tmp_path / "may.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with session_scope() as s:
        form = add_form(s, write_form(tmp_path / "f.xlsx"), by="t").row
        service.import_round(s, form, export, round_name="may", actor=SYSTEM, by="t")
    page = analyst.get("/analysis/rounds")
    assert page.status_code == 200 and "sample_hh" in page.text and "main 2" in page.text
    detail = analyst.get("/analysis/rounds", params={"round": "may", "lang": "fr"}).text
    assert "Problèmes du dernier import" in detail
    assert "maybe" in detail and "hh/displaced" in detail
    assert NAME not in detail


def test_scoring_a_round_on_the_page(analyst: TestClient, tmp_path: Path) -> None:
    with session_scope() as s:
        form = add_form(s, write_form(tmp_path / "f.xlsx"), by="t").row
        service.import_round(
            s, form, write_kobo_xlsx(tmp_path / "e.xlsx"), round_name="may", actor=SYSTEM, by="t"
        )
    page = analyst.get(
        "/analysis/rounds", params={"round": "may", "model": "reach-msna-2024-protection"}
    ).text
    assert "lacks" in page and "prot_concern_hh_freq_violence" in page  # not this form's model
    model = tmp_path / "m.yaml"
    model.write_text(MODEL, encoding="utf-8")
    with session_scope() as s:
        score = scoring.score_round(s, "may", str(model))
    assert score.scored == 3
    assert sum(n or 0 for n in score.phases.values()) == 0  # 3 households: all below k = 5
    assert set(score.phases.values()) <= {0, None}
