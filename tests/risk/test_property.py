"""Property: the record evaluator and the table evaluator give identical outputs on random models
(every aggregation and score form, floors, applies_when, area indicators) and random records
(missing answers, unmapped values, numbers in text columns)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, cast

import ibis
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepath.risk import evaluate
from safepath.risk.spec import RiskModel, validate_model
from safepath.risk.table import score_table

TEXT = ["a", "b", "c", "none", "", None, "a b", "c a b", "1", "2", "2.5", "zz", "b  a"]
TEXT_COLS = ["t0", "t1", "t2"]
INT_COLS = ["i0", "i1"]
FLOAT_COLS = ["f0"]
AREA_TEXT = ["x", "y", "", None]
CHOICES = ["a", "b", "c", "1", "2", "zz"]
PCODES = ["P1", "P2", "P3"]

scores = st.integers(1, 5)
weights = st.sampled_from([0.5, 1.0, 2.0, 3.3, 0.1])


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(
        st.sampled_from(["num", "text", "in", "area"] + (["bool"] * 2 if depth < 2 else []))
    )
    if kind == "num":
        col = draw(st.sampled_from(INT_COLS + FLOAT_COLS + ["t2"]))
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        lit = draw(st.sampled_from(["0", "1", "2.5", "3", "-1"]))
        return f"{col} {op} {lit}"
    if kind == "text":
        col = draw(st.sampled_from(TEXT_COLS + INT_COLS))
        op = draw(st.sampled_from(["==", "!="]))
        lit = draw(st.sampled_from(["a", "b", "1", "2.5", ""]))
        return f"{col} {op} '{lit}'"
    if kind == "in":
        col = draw(st.sampled_from(TEXT_COLS + INT_COLS))
        op = draw(st.sampled_from(["in", "not in"]))
        lits = draw(
            st.lists(st.sampled_from(["'a'", "'c'", "'1'", "2", "'zz'"]), min_size=1, max_size=3)
        )
        return f"{col} {op} [{', '.join(lits)}]"
    if kind == "area":
        return f"area.ta {draw(st.sampled_from(['==', '!=']))} 'x'"
    left = draw(conditions(depth + 1))
    how = draw(st.sampled_from(["and", "or", "not"]))
    if how == "not":
        return f"not ({left})"
    return f"({left}) {how} ({draw(conditions(depth + 1))})"


@st.composite
def score_specs(draw: st.DrawFn, col: str) -> dict[str, Any]:
    forms = ["map", "thresholds"] + (["multiple"] if col in TEXT_COLS or col == "ta" else [])
    form = draw(st.sampled_from(forms))
    if form == "map":
        keys = (
            ["-1", "0", "1", "2", "3", "7", "2.5", "a"]
            if col in INT_COLS + FLOAT_COLS + ["ia"]
            else [k for k in TEXT if k] + ["x", "y"]
        )
        chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=5, unique=True))
        return {
            "map": {
                k: draw(st.one_of(st.none(), scores)) if i else draw(scores)
                for i, k in enumerate(chosen)
            }
        }
    if form == "thresholds":
        bounds = sorted(
            draw(
                st.lists(
                    st.sampled_from([-1, 0, 1, 2, 2.5, 3, 5, 8]),
                    min_size=1,
                    max_size=4,
                    unique=True,
                )
            )
        )
        return {"thresholds": [[b, draw(scores)] for b in bounds]}
    values = draw(st.lists(st.sampled_from(CHOICES), min_size=1, max_size=4, unique=True))
    none = [c for c in ("none",) if draw(st.booleans())]
    return {
        "multiple": {
            "values": {c: draw(scores) for c in values},
            "rule": draw(st.sampled_from(["max", "sum_capped"])),
            "none": none,
        }
    }


@st.composite
def models(draw: st.DrawFn) -> RiskModel:
    n = draw(st.integers(1, 7))
    indicators = []
    for i in range(n):
        area = draw(st.integers(0, 5)) == 0
        col = (
            draw(st.sampled_from(["ta", "ia"]))
            if area
            else draw(st.sampled_from(TEXT_COLS + INT_COLS + FLOAT_COLS))
        )
        ind: dict[str, Any] = {
            "id": f"ind{i}",
            "label": f"Indicator {i}",
            "level": draw(st.sampled_from(["individual", "household", "community", "structural"])),
            "component": draw(st.sampled_from(["threat", "vulnerability", "capacity"])),
            "field": col,
            "source": "area" if area else "record",
            "score": draw(score_specs(col)),
            "weight": draw(weights),
        }
        if draw(st.integers(0, 2)) == 0:
            ind["applies_when"] = draw(conditions())
        if draw(st.integers(0, 3)) == 0:
            ind["floor"] = {"min_score": draw(scores), "phase": draw(scores)}
        indicators.append(ind)
    aggs = st.sampled_from(["max", "mean", "weighted_mean", "top_half_mean"])
    cuts = sorted(
        draw(
            st.lists(
                st.sampled_from([0.5, 0.8, 1.0, 1.5, 2.0, 2.4, 3.0, 3.5, 5.0, 6.0, 8.0]),
                min_size=4,
                max_size=4,
                unique=True,
            )
        )
    )
    return validate_model(
        {
            "id": "prop",
            "version": "1",
            "title": "property",
            "place_field": "pcode",
            "components": {
                c: {"aggregation": draw(aggs), "default": draw(st.sampled_from([1, 2.5, 3, 5]))}
                for c in ("threat", "vulnerability", "capacity")
            },
            "severity": {"cuts": cuts},
            "indicators": indicators,
        }
    )


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    ints = st.one_of(st.none(), st.integers(-2, 9))
    floats = st.one_of(st.none(), st.sampled_from([0.0, 1.0, 2.0, 2.5, 3.7, -1.0, 7.0]))
    row = st.fixed_dictionaries(
        {
            "pcode": st.sampled_from([*PCODES, "P9", None]),
            **{c: st.sampled_from(TEXT) for c in TEXT_COLS},
            **dict.fromkeys(INT_COLS, ints),
            **dict.fromkeys(FLOAT_COLS, floats),
        }
    )
    return draw(st.lists(row, min_size=1, max_size=12))


AREA = pd.DataFrame(
    {"pcode": PCODES, "ta": ["x", "a b", None], "ia": pd.array([1, None, 3], dtype="Int64")}
)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df.insert(0, "rid", range(len(rows)))
    for c in INT_COLS:
        df[c] = pd.array(df[c].tolist(), dtype="Int64")
    for c in FLOAT_COLS:
        df[c] = df[c].astype("float64")
    for c in ["pcode", *TEXT_COLS]:
        df[c] = df[c].astype(object)
    return df


def _arrow(df: pd.DataFrame) -> pa.Table:
    types = {
        "rid": pa.int64(),
        **{c: pa.int64() for c in [*INT_COLS, "ia"]},
        **{c: pa.float64() for c in FLOAT_COLS},
    }
    schema = pa.schema([(c, types.get(c, pa.string())) for c in df.columns])
    return pa.Table.from_pandas(df, schema=schema, preserve_index=False)


def check_agree(model: RiskModel, rows: list[dict[str, Any]], table: Any, area: Any) -> None:
    out = score_table(model, table, area).order_by("rid").to_pandas()
    profile = {r["pcode"]: r for r in cast(list[dict[str, Any]], AREA.to_dict("records"))}
    assert len(out) == len(rows)
    for rec, got in zip(rows, out.to_dict("records"), strict=True):
        exp = evaluate(model, rec, profile.get(rec["pcode"]), explain=False)
        want = (exp.threat, exp.vulnerability, exp.capacity, exp.risk, exp.phase, exp.case_level)
        have = (
            got["threat"],
            got["vulnerability"],
            got["capacity"],
            got["risk"],
            int(got["phase"]),
            got["case_level"],
        )
        assert want == have, f"record {rec}: record evaluator {want} != table evaluator {have}"
        assert not any(isinstance(x, float) and math.isnan(x) for x in have)


@pytest.fixture(scope="module")
def duck(load_table: Any) -> Iterator[Any]:
    con = ibis.duckdb.connect()
    load_table(con, "area", _arrow(AREA))
    yield con
    con.disconnect()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=models(), rows=records())
def test_duckdb_agrees_with_record_evaluator(
    duck: Any, load_table: Any, model: RiskModel, rows: list[dict[str, Any]]
) -> None:
    check_agree(model, rows, load_table(duck, "recs", _arrow(_frame(rows))), duck.table("area"))


@pytest.fixture(scope="module")
def lite(load_table: Any) -> Iterator[Any]:
    con = ibis.sqlite.connect()
    load_table(con, "area", _arrow(AREA))
    yield con
    con.disconnect()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=models(), rows=records())
def test_sqlite_agrees_with_record_evaluator(
    lite: Any, load_table: Any, model: RiskModel, rows: list[dict[str, Any]]
) -> None:
    load_table(lite, "recs", _arrow(_frame(rows)))
    check_agree(model, rows, lite.table("recs"), lite.table("area"))


@pytest.fixture(scope="module")
def pg_area(pg: Any, load_table: Any) -> Any:
    load_table(pg, "area", _arrow(AREA))
    return pg


@pytest.mark.postgres
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=models(), rows=records())
def test_postgres_agrees_with_record_evaluator(
    pg_area: Any, load_table: Any, model: RiskModel, rows: list[dict[str, Any]]
) -> None:
    check_agree(
        model, rows, load_table(pg_area, "recs", _arrow(_frame(rows))), pg_area.table("area")
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=models(), rows=records())
def test_record_evaluator_matches_the_previous_one(
    model: RiskModel, rows: list[dict[str, Any]]
) -> None:
    """The generated record evaluator = the one it replaced (tests/risk/reference_record.py),
    explanation included, on random models and records."""
    from tests.risk import reference_record

    profile = {r["pcode"]: r for r in cast(list[dict[str, Any]], AREA.to_dict("records"))}
    for rec in rows:
        area = profile.get(rec["pcode"])
        for explain in (True, False):
            new = evaluate(model, rec, area, explain=explain).as_dict()
            old = reference_record.evaluate(model, rec, area, explain=explain).as_dict()
            assert new == old, rec


# each example compiles a new model's SQL (~0.5 s): fewer examples than the scoring property
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=models(), rows=records())
def test_duckdb_explanation_column_is_the_record_evaluators(
    duck: Any, load_table: Any, model: RiskModel, rows: list[dict[str, Any]]
) -> None:
    """The explanation built in SQL parses to the record evaluator's explanation, row by row."""
    import json

    table = load_table(duck, "recs", _arrow(_frame(rows)))
    out = score_table(model, table, duck.table("area"), explain=True).to_pyarrow().to_pylist()
    out.sort(key=lambda r: r["rid"])
    profile = {r["pcode"]: r for r in cast(list[dict[str, Any]], AREA.to_dict("records"))}
    for rec, got in zip(rows, out, strict=True):
        want = evaluate(model, rec, profile.get(rec["pcode"])).explanation
        assert json.loads(got["explanation"]) == want, rec
