"""The outcomes report on demo data against an independent computation over the raw tables,
small-cell suppression, and the CLI."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select
from tests.cases.conftest import Staff, TestClient
from typer.testing import CliRunner

from safepath.demo.cases import load_demo_cases
from safepath.settings import get_settings
from safepath.store.db import session_scope
from safepath.store.models.cases import Case

N = 200


@pytest.fixture
def demo(staff: Staff, engine: Engine) -> Engine:
    with session_scope() as s:
        assert load_demo_cases(s, N, seed=5) == N
    with session_scope() as s:  # idempotent: a second load adds nothing
        assert load_demo_cases(s, N, seed=5) == 0
        assert s.scalar(select(func.count(Case.id))) == N
    return engine


def _expected(engine: Engine, dims: list[str], k: int) -> list[dict[str, Any]]:
    """Plain pandas over the raw tables, written apart from the service."""
    cases = pd.read_sql(
        "SELECT id, status, thematic_areas, gpc_risks, place_pcode, population_group, "
        "outcome_achieved, delta_risk FROM cases",
        engine,
    )
    for col in ("thematic_areas", "gpc_risks"):
        cases[col] = cases[col].map(lambda v: json.loads(v) if isinstance(v, str) else v)
    plans = pd.read_sql("SELECT DISTINCT case_id, modality FROM case_interventions", engine)
    frame = cases.rename(columns={"place_pcode": "place"})
    frame["thematic_area"] = frame["thematic_areas"]
    frame["gpc_risk"] = frame["gpc_risks"]
    for dim in dims:
        if dim in ("thematic_area", "gpc_risk"):
            frame = frame.explode(dim).dropna(subset=[dim])
        if dim == "modality":
            frame = frame.merge(plans, left_on="id", right_on="case_id")
    rows = []
    for key, g in frame.groupby(dims, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        n = int(g["id"].nunique())
        closed = g[g["status"] == "closed"]
        measured = closed[closed["outcome_achieved"].notna()]
        row: dict[str, Any] = dict(zip(dims, key, strict=True))
        if n < k:
            row |= {
                "cases": None,
                "closed": None,
                "outcome_achieved_pct": None,
                "mean_delta_risk": None,
                "suppressed": True,
            }
        else:
            hide_closed = 0 < len(closed) < k
            show = len(measured) >= k
            row |= {
                "cases": n,
                "closed": None if hide_closed else len(closed),
                "outcome_achieved_pct": round(
                    100.0 * measured["outcome_achieved"].astype(bool).sum() / len(measured), 1
                )
                if show
                else None,
                "mean_delta_risk": round(float(measured["delta_risk"].mean()), 3) if show else None,
                "suppressed": hide_closed or (0 < len(measured) < k),
            }
        rows.append(row)
    return sorted(rows, key=lambda r: tuple(str(r[d]) for d in dims))


BYS = ["modality", "thematic_area", "gpc_risk", "place", "population_group", "modality,place"]


def test_outcomes_report_matches_an_independent_computation(
    client: TestClient, staff: Staff, demo: Engine
) -> None:
    for by in BYS:
        _check_report(client, staff, demo, by)
    _check_no_small_numbers(client, staff)
    _check_cli_json(demo)


def _check_report(client: TestClient, staff: Staff, demo: Engine, by: str) -> None:
    r = client.get(f"/api/v1/outcomes?by={by}", headers=staff.auth("analyst"))
    assert r.status_code == 200, r.text
    got = r.json()
    expected = _expected(demo, by.split(","), get_settings().disclosure_threshold)
    assert len(got) == len(expected) > 0
    for g, e in zip(got, expected, strict=True):
        for key, value in e.items():
            if isinstance(value, float):
                assert g[key] == pytest.approx(value, abs=1e-3), (g, e)
            else:
                assert g[key] == value, (g, e)
    # the figures are real: some groups have measured outcomes, and small ones are hidden
    if by == "modality":
        assert all(row["cases"] >= 5 for row in got)
        assert any(row["outcome_achieved_pct"] is not None for row in got)
    if by == "modality,place":
        hidden = [row for row in got if row["suppressed"]]
        assert hidden and all(
            row["cases"] is None or row["cases"] >= 5 for row in hidden
        )  # never a count below 5


def _check_no_small_numbers(client: TestClient, staff: Staff) -> None:
    rows = client.get(
        "/api/v1/outcomes?by=place,population_group,modality", headers=staff.auth("supervisor")
    ).json()
    for row in rows:
        for fig in ("cases", "closed"):
            assert row[fig] is None or row[fig] == 0 or row[fig] >= 5, row
    assert client.get("/api/v1/outcomes?by=name", headers=staff.auth("analyst")).status_code == 422
    assert client.get("/api/v1/outcomes", headers=staff.auth("partner")).status_code == 403


def _check_cli_json(demo: Engine) -> None:
    from safepath.cli.main import _register, app

    _register()
    result = CliRunner().invoke(app, ["outcomes", "--by", "modality", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    expected = _expected(demo, ["modality"], get_settings().disclosure_threshold)
    assert [r["modality"] for r in rows] == [e["modality"] for e in expected]
    assert {r["modality"] for r in rows} <= {
        "preventive",
        "responsive",
        "remedial",
        "environment_building",
    }
    assert [r["cases"] for r in rows] == [e["cases"] for e in expected]
    assert [r["mean_delta_risk"] for r in rows] == [e["mean_delta_risk"] for e in expected]
