"""Area phases from the protection analysis: ``safepath risk areas --save`` stores each area's
classification; a re-run replaces it, a newer round supersedes it; the advocacy issue and the area
page show the latest phase with its date and source."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from tests.cli_process import run_cli
from tests.feedback.conftest import People
from typer.testing import CliRunner

from safepath.demo.cases import synthetic_answers
from safepath.errors import InputError
from safepath.places.area_phases import latest_area_phases, save_area_phases
from safepath.privacy import identity
from safepath.settings import reset_settings
from safepath.store.db import dispose_engines, session_scope
from safepath.store.models import AreaPhase, Place

MODEL = "safepath-domv-v1"


def _row(pcode: str, phase: int | None, n: int = 10) -> dict[str, object]:
    return {"adm2": pcode, "area_phase": phase, "population": float(n), "pin": 2.0, "n": n}


def test_saved_phases_replace_and_the_newest_wins(engine: Engine) -> None:
    with session_scope() as s:
        for pcode, level, parent in (("XM", 0, None), ("XM01", 1, "XM"), ("XM0101", 2, "XM01")):
            s.add(Place(pcode=pcode, level=level, parent_pcode=parent, country="XMR", name=pcode))
    old = datetime(2026, 3, 1, tzinfo=UTC)
    with session_scope() as s, pytest.raises(InputError, match="ZZ0101"):
        save_area_phases(s, MODEL, "round 1", "adm2", [_row("XM0101", 3), _row("ZZ0101", 2)])
    with session_scope() as s:
        assert s.scalar(select(func.count(AreaPhase.id))) == 0  # nothing of the refused file
        rows = [_row("XM0101", 3), _row("(missing)", 4), _row("XM0101", None)]
        saved = save_area_phases(s, MODEL, "round 1", "adm2", rows[:2], at=old)
        assert (saved.saved, saved.replaced, saved.skipped) == (1, 0, 1)
        save_area_phases(s, MODEL, "round 1", "adm1", [{**_row("XM01", 2), "adm1": "XM01"}])
    with session_scope() as s:  # the same round again: replaced, not added (adm1 stays)
        again = save_area_phases(s, MODEL, "round 1", "adm2", [_row("XM0101", 4)], at=old)
        assert (again.saved, again.replaced) == (1, 1)
        assert s.scalar(select(func.count(AreaPhase.id))) == 2
    with session_scope() as s:
        latest = latest_area_phases(s, ["XM0101", "XM01", "XM"])
        assert set(latest) == {"XM0101", "XM01"}
        assert (latest["XM0101"].phase, latest["XM0101"].classified_at) == (4, old)
        save_area_phases(s, MODEL, "round 2", "adm2", [_row("XM0101", 2)], at=old + timedelta(30))
    with session_scope() as s:
        newest = latest_area_phases(s, ["XM0101"])["XM0101"]
        assert (newest.phase, newest.source) == (2, "round 2")


def _survey(path: Path) -> Path:
    """Screening submissions: Alder Ridge barely hit, Birchfield hard hit."""
    rng = random.Random(7)
    rows = [
        synthetic_answers(rng, pcode, severity, age=30, sex="female", group="idp")
        for pcode, severity in (("XM0101", 0.0), ("XM0102", 1.0))
        for _ in range(12)
    ]
    frame = pd.DataFrame(rows)
    frame["n_unaccompanied"] = 0
    frame["n_separated"] = 0
    frame["resp_unaccompanied"] = None  # adults only
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def sqlite_places(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """One SQLite database with the two districts (the CLI runs in its own process on it)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(sqlite_template, data_dir / "safepath.db")
    monkeypatch.setenv("SAFEPATH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SAFEPATH_ENVIRONMENT", "test")
    monkeypatch.delenv("SAFEPATH_DATABASE_URL", raising=False)
    reset_settings()
    dispose_engines()
    with session_scope() as s:
        s.add(Place(pcode="XM01", level=1, country="XMR", name="Northern Highlands"))
        for pcode in ("XM0101", "XM0102"):
            s.add(Place(pcode=pcode, level=2, parent_pcode="XM01", country="XMR", name=pcode))
    yield data_dir
    dispose_engines()
    reset_settings()


def test_risk_areas_save_in_its_own_process(sqlite_places: Path, tmp_path: Path) -> None:
    survey, out = _survey(tmp_path / "round.csv"), tmp_path / "areas.csv"
    args = ["risk", "areas", str(survey), "--model", MODEL, "--by", "adm2", "--out", str(out)]
    done = run_cli([*args, "--save", "--source", "June round"])
    assert done.returncode == 0, done.stderr
    assert "saved the area phase of 2 adm2 area(s) from June round" in done.stdout
    classified = pd.read_csv(out).set_index("adm2")["area_phase"].to_dict()
    with session_scope() as s:
        stored = latest_area_phases(s, ["XM0101", "XM0102"])
    assert {p: v.phase for p, v in stored.items()} == classified
    assert classified["XM0101"] < classified["XM0102"]
    assert {v.source for v in stored.values()} == {"June round"}


def test_risk_areas_save_refuses_what_is_not_an_area(sqlite_places: Path, tmp_path: Path) -> None:
    from safepath.cli.main import _register, app

    _register()
    runner = CliRunner()
    survey, out = _survey(tmp_path / "round.csv"), tmp_path / "areas.csv"
    base = ["risk", "areas", str(survey), "--model", MODEL, "--out", str(out), "--save"]
    by_sex = runner.invoke(app, [*base, "--by", "adm2,sex"])
    assert by_sex.exit_code != 0 and "place levels only" in " ".join(by_sex.output.split())
    frame = pd.read_csv(survey)
    frame.loc[0, "adm2_pcode"] = "ZZ0909"
    frame.to_csv(survey, index=False)
    unknown = runner.invoke(app, [*base, "--by", "adm2"])
    assert unknown.exit_code != 0 and "ZZ0909" in " ".join(unknown.output.split())
    assert not out.exists()  # refused before any output file
    with session_scope() as s:
        assert s.scalar(select(func.count(AreaPhase.id))) == 0


def test_the_issue_and_the_area_page_show_the_latest_phase(
    client: TestClient, people: People
) -> None:
    at = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    with session_scope() as s:
        save_area_phases(s, MODEL, "June round", "adm2", [_row("XM0101", 4)], at=at)
    issue = {
        "title": "Evictions",
        "duty_bearer": "Municipality",
        "duty_bearer_level": "local",
        "gpc_risks": ["theft_extortion_eviction"],
        "areas": ["XM0101", "XM0102"],
    }
    body = client.post("/api/v1/advocacy", json=issue, headers=people.auth("supervisor")).json()
    assert body["areas"][0] == {
        "pcode": "XM0101",
        "name": "XM0101",
        "area_phase": 4,
        "area_phase_at": at.isoformat(),
        "area_phase_source": "June round",
    }
    assert body["areas"][1]["area_phase"] is None  # no classification covers it
    area = client.get("/api/v1/areas/XM0101", headers=people.auth("caseworker")).json()
    assert area["analysis_phase"] == 4
    assert area["analysis"] == {
        "phase": 4,
        "classified_at": at.isoformat(),
        "source": "June round",
        "model_id": MODEL,
    }
    with session_scope() as s:
        sid = identity.start_session(s, identity.find_user(s, "caseworker.a"))
    client.cookies.set("safepath_session", sid)
    page = client.get("/areas/XM0101").text
    shown = page.split('id="analysis-phase"', 1)[1].split("</dd>", 1)[0]
    assert "Extreme (4)" in shown and "Oct 20, 2026" in shown and "June round" in shown
    issue_page = client.get(f"/advocacy/{body['code']}").text
    assert "Extreme (4)" in issue_page and "2026-10-20" in issue_page
    french = client.get("/areas/XM0102", params={"lang": "fr"}).text
    assert "Aucune analyse enregistrée" in french
    client.cookies.clear()


def test_the_demo_classifies_its_round_so_the_issues_show_phases(sqlite_places: Path) -> None:
    from safepath.demo import analysis, load_demo

    load_demo()
    first = analysis.load()
    assert first[0].startswith("area phases: 22 areas")  # 4 provinces, 18 districts
    assert analysis.load()[0].endswith("(already loaded)")
    with session_scope() as s:
        assert s.scalar(select(func.count(AreaPhase.id))) == 22
        latest = latest_area_phases(s, ["XM0102", "XM02", "XM0301"])
    assert set(latest) == {"XM0102", "XM02", "XM0301"}  # the demo issues' areas
    assert all(1 <= p.phase <= 5 and p.source == analysis.SOURCE for p in latest.values())
    assert latest["XM02"].population == 5 * analysis.HOUSEHOLDS_PER_DISTRICT  # five districts


SAMPLE_MODEL = """
id: sample-areas
version: "1"
title: Sample household areas
form: sample_hh
places:
  adm2: district
indicators:
  - {id: displaced, label: Displaced, level: household, component: vulnerability,
     field: displaced, score: {map: {"yes": 5, "no": 1}}}
"""


def test_a_stored_round_classified_and_saved(
    sqlite_places: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--round``: a stored round (personal columns left out) classified and saved under its
    name."""
    from tests.surveys import sample

    from safepath.cli.main import _register, app
    from safepath.privacy.actor import SYSTEM
    from safepath.rounds import service
    from safepath.rounds.forms import add_form

    # a select_one: free text answers are personal and stay encrypted, out of the analysis
    district = {"type": "select_one districts", "name": "district", "label::english": "District"}
    district["label::french"] = "District"
    choices = [
        *sample.CHOICES,
        *(
            {"list_name": "districts", "name": p, "label::english": p, "label::french": p}
            for p in ("XM0101", "XM0102")
        ),
    ]
    end = next(i for i, q in enumerate(sample.SURVEY) if q.get("type") == "end_group")
    survey = [*sample.SURVEY[:end], district, *sample.SURVEY[end:]]
    at = sample.MAIN_HEADER.index("hh/displaced") + 1
    header = [*sample.MAIN_HEADER[:at], "hh/district", *sample.MAIN_HEADER[at:]]
    places = ("XM0101", "XM0101", "XM0102")
    rows = [[*r[:at], p, *r[at:]] for r, p in zip(sample.MAIN_ROWS, places, strict=True)]
    monkeypatch.setattr(sample, "MAIN_HEADER", header)  # write_kobo_xlsx reads it from there
    export = sample.write_kobo_xlsx(tmp_path / "e.xlsx", main=rows)
    with session_scope() as s:
        form = add_form(s, sample.write_form(tmp_path / "f.xlsx", survey, choices), by="t").row
        service.import_round(s, form, export, round_name="june", actor=SYSTEM, by="t")
    model = tmp_path / "model.yaml"
    model.write_text(SAMPLE_MODEL, encoding="utf-8")
    out = tmp_path / "areas.csv"
    _register()
    args = ["risk", "areas", "--round", "june", "--model", str(model), "--by", "adm2"]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--save"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "saved the area phase of 2 adm2 area(s) from june" in " ".join(result.output.split())
    classified = pd.read_csv(out).set_index("adm2")
    assert classified["n"].to_dict() == {"XM0101": 2, "XM0102": 1}
    with session_scope() as s:
        stored = latest_area_phases(s, ["XM0101", "XM0102"])
    assert {p: v.phase for p, v in stored.items()} == classified["area_phase"].to_dict()
    assert {(v.source, v.model_id) for v in stored.values()} == {("june", "sample-areas")}
    both = CliRunner().invoke(app, ["risk", "areas", str(out), *args[2:], "--out", str(out)])
    assert both.exit_code != 0 and "either an input file or --round" in " ".join(
        both.output.split()
    )
