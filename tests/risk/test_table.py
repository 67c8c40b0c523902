"""Table evaluator = hand-computed values on DuckDB, SQLite and PostgreSQL; input forms;
explanations; the compiled-SQL cache and the DuckDB list-literal lookup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from safepath.errors import InputError
from safepath.risk import load_model, load_model_text, score_table
from safepath.risk.spec import RiskModel
from safepath.risk.table import _score_sql, as_table

DATA = Path(__file__).parent / "data"

RECORDS = pa.table(
    {
        "rid": [0, 1, 2, 3],
        "pcode": ["A1", "A2", "A3", None],
        "eviction": ["yes", "dont_know", None, "maybe"],
        "violence": ["threats beating", "sexual", "", "none"],
        "age": pa.array([12, 30, None, 10], pa.int64()),
        "alone": ["no", "yes", "yes", "yes"],
        "hh_size": pa.array([6, 9, 0, None], pa.int64()),
        "income": ["work aid", "none", "other", "work aid remittances"],
    }
)
AREA = pa.table({"pcode": ["A1", "A2"], "services": ["some", "good"]})
# Hand-computed in test_record.py (same records): T, V, C, R, phase, case level.
EXPECTED = [
    (4.0, 1.5, 3.5, 1.571429, 2, "low"),
    (5.0, 4.0, 3.0, 3.0, 4, "high"),
    (1.0, 1.0, 3.0, 0.666667, 1, "none"),
    (1.0, 5.0, 5.0, 1.2, 5, "high"),
]
OUT = ["threat", "vulnerability", "capacity", "risk", "phase", "case_level"]


@pytest.fixture(scope="module")
def small() -> RiskModel:
    return load_model(DATA / "small.yaml")


def rows(result: Any) -> list[tuple[Any, ...]]:
    df = result.order_by("rid").to_pandas()
    return [(*(float(x) for x in r[:4]), int(r[4]), r[5]) for r in df[OUT].itertuples(index=False)]


@pytest.fixture(scope="module")
def duck() -> Any:
    return ibis.duckdb.connect()


@pytest.fixture(scope="module")
def lite() -> Any:
    return ibis.sqlite.connect()


def _check_backend(con: Any, model: RiskModel, put: Any) -> None:
    t = put(con, "recs", RECORDS)
    a = put(con, "area", AREA)
    out = score_table(model, t, a)
    assert rows(out) == EXPECTED
    assert out.columns[: len(RECORDS.column_names)] == tuple(RECORDS.column_names)
    assert list(out.columns[-6:]) == OUT
    # an in-memory area profile is uploaded to the table's backend
    assert rows(score_table(model, t, AREA.to_pandas())) == EXPECTED


def test_duckdb(duck: Any, small: RiskModel, load_table: Any) -> None:
    _check_backend(duck, small, load_table)


def test_sqlite(lite: Any, small: RiskModel, load_table: Any) -> None:
    _check_backend(lite, small, load_table)


@pytest.mark.postgres
def test_postgres(pg: Any, small: RiskModel, load_table: Any) -> None:
    _check_backend(pg, small, load_table)


def test_input_forms(small: RiskModel, tmp_path: Path) -> None:
    area = AREA.to_pandas()
    assert rows(score_table(small, RECORDS.to_pandas(), area)) == EXPECTED
    assert rows(score_table(small, RECORDS, AREA)) == EXPECTED
    assert rows(score_table(small, ibis.memtable(RECORDS), ibis.memtable(AREA))) == EXPECTED
    pq.write_table(RECORDS, tmp_path / "r.parquet")
    assert rows(score_table(small, tmp_path / "r.parquet", AREA)) == EXPECTED
    pacsv.write_csv(RECORDS, tmp_path / "r.csv")
    assert rows(score_table(small, str(tmp_path / "r.csv"), AREA)) == EXPECTED
    with pytest.raises(InputError, match="no such file"):
        score_table(small, tmp_path / "missing.parquet")
    with pytest.raises(InputError, match="unsupported file type '.xlsx'"):
        (tmp_path / "x.xlsx").write_text("")
        score_table(small, tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="area profile has no 'pcode' column"):
        score_table(small, RECORDS, pa.table({"code": ["A1"]}))


def test_without_area_profile_area_indicators_are_unanswered(small: RiskModel) -> None:
    out = rows(score_table(small, RECORDS))
    # record 0 without services: C = income 4 -> R = 5.5 / 4 = 1.375 -> phase 2
    assert out[0] == (4.0, 1.5, 4.0, 1.375, 2, "low")


def test_explain_column_is_the_record_evaluators(small: RiskModel) -> None:
    out = score_table(small, RECORDS, AREA, explain=True).order_by("rid").to_pandas()
    assert [
        (*(float(x) for x in r[:4]), int(r[4]), r[5]) for r in out[OUT].itertuples(index=False)
    ] == EXPECTED
    ex = [json.loads(e) for e in out["explanation"]]
    assert ex[1]["floors"] == [{"indicator": "violence", "score": 5, "min_score": 5, "phase": 4}]
    assert ex[2]["unanswered"] == ["eviction", "violence", "hh_size", "income", "services"]
    assert ex[3]["unmapped"] == [{"indicator": "eviction", "value": "maybe"}]


def test_output_columns_in_input_are_replaced(small: RiskModel) -> None:
    t = RECORDS.append_column("risk", pa.array(["old"] * 4)).append_column(
        "phase", pa.array([9] * 4)
    )
    out = score_table(small, t, AREA)
    assert list(out.columns).count("risk") == 1
    assert rows(out) == EXPECTED


INT_MODEL = """
id: coded
version: "1"
title: integer-coded answers
indicators:
  - {id: q1, label: q1, level: household, component: threat, field: q1,
     score: {map: {0: 1, 1: 3, 2: 5, 99: null}}}
  - {id: q2, label: q2, level: household, component: vulnerability, field: q2,
     score: {map: {1: 2, 3: 4}}}
"""


def test_integer_codes_use_list_literal_on_duckdb(duck: Any, load_table: Any) -> None:
    model = load_model_text(INT_MODEL)
    data = pa.table(
        {
            "rid": [0, 1, 2, 3, 4],
            "q1": pa.array([2, 99, -1, None, 300], pa.int64()),
            "q2": pa.array([3.0, 1.0, 1.5, float("nan"), None], pa.float64()),
        }
    )
    t = load_table(duck, "coded", data)
    cached = _score_sql(model, t, None, duck, None)
    assert cached is not None and "ARRAY_EXTRACT" in cached[0].upper()
    got = score_table(model, t).order_by("rid").to_pandas()
    # q1: 2 -> 5; 99 -> null; -1, None, 300 -> unanswered (T default 1)
    assert got["threat"].tolist() == [5.0, 1.0, 1.0, 1.0, 1.0]
    # q2: 3.0 -> 4; 1.0 -> 2; 1.5 not a key; NaN and None missing (V default 1)
    assert got["vulnerability"].tolist() == [4.0, 2.0, 1.0, 1.0, 1.0]


def test_compiled_sql_is_cached(duck: Any, small: RiskModel, load_table: Any) -> None:
    from safepath.risk import table

    t = load_table(duck, "recs2", RECORDS)
    table._SQL_CACHE.clear()
    score_table(small, t)
    assert len(table._SQL_CACHE) == 1
    ((key, (sql, schema)),) = table._SQL_CACHE.items()
    table._SQL_CACHE[key] = (sql.replace("'low'", "'LOW (cached)'"), schema)
    assert "LOW (cached)" in rows(score_table(small, t))[0]  # the second call used the cache
    table._SQL_CACHE.clear()


def test_as_table_registers_dataframes_on_duckdb() -> None:
    t = as_table(pd.DataFrame({"a": [1, 2]}))
    assert t.count().execute() == 2


def test_package_docstring_example_runs() -> None:
    import doctest

    import safepath.risk

    result = doctest.testmod(safepath.risk, raise_on_error=False)
    assert result.attempted >= 8
    assert result.failed == 0
