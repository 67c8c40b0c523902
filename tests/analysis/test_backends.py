"""The estimator is Ibis expressions: on PostgreSQL it gives DuckDB's figures."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import ibis
import pandas as pd
import pytest

from safepath.analysis.design import Design
from safepath.analysis.estimates import Kind, estimate
from safepath.risk.table import as_table

PG_URL = re.sub(
    r"^postgresql\+\w+://",
    "postgresql://",
    os.environ.get("SAFEPATH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
)
DATA = pd.DataFrame(
    {
        "st": ["A", "A", "A", "B", "B", "B", "C"],
        "cl": ["1", "2", "2", "1", "2", "2", "1"],
        "w": [1.0, 2.0, 0.5, 1.5, 1.0, 3.0, 2.0],
        "g": ["x", "y", "x", "y", "x", "x", None],
        "y": ["a", "b", "a", "a", None, "c", "b"],
        "q": ["p r", "r", None, "p", "q p", "", "q"],
        "x": [1.0, 2.0, 3.0, None, 5.0, 8.0, 13.0],
    }
)


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    try:
        con = ibis.connect(PG_URL)
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not available"
        if os.environ.get("SAFEPATH_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    schema = f"sp_analysis_{uuid.uuid4().hex[:10]}"
    con.raw_sql(f'CREATE SCHEMA "{schema}"')
    con.raw_sql(f'SET search_path TO "{schema}"')
    try:
        yield con
    finally:
        con.raw_sql(f'DROP SCHEMA "{schema}" CASCADE')
        con.disconnect()


@pytest.mark.postgres
def test_postgres_gives_duckdb_figures(pg: Any) -> None:
    design = Design(weight="w", strata="st", cluster="cl", lonely_psu="adjust")
    on_pg, on_duck = as_table(DATA, pg), as_table(DATA)
    cases: list[tuple[str, Kind]] = [("y", "categorical"), ("x", "mean"), ("q", "multiple")]
    for var, kind in cases:
        theirs = [e.as_dict() for e in estimate(on_pg, var, design, by=["g"], kind=kind)]
        ours = [e.as_dict() for e in estimate(on_duck, var, design, by=["g"], kind=kind)]
        assert len(theirs) == len(ours) > 3
        for a, b in zip(theirs, ours, strict=True):
            numbers = [k for k, v in b.items() if isinstance(v, float)]
            assert {k: a[k] for k in numbers} == pytest.approx(
                {k: b[k] for k in numbers}, rel=1e-12, abs=1e-12
            )
            assert {k: v for k, v in a.items() if k not in numbers} == {
                k: v for k, v in b.items() if k not in numbers
            }
