"""The explanation column computed in DuckDB SQL parses to the record evaluator's explanation
on the shipped models, the benchmark model and the real REACH round (random models:
test_property.py); other backends keep the row-by-row path."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any, cast

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from safepath.risk import evaluate, load_model, score_table
from safepath.risk.spec import RiskModel
from safepath.surveys.forms import form_path
from safepath.surveys.xlsform import load_form

MODELS = Path(__file__).resolve().parents[2] / "src" / "safepath" / "risk" / "models"
PROFILE = MODELS / "safepath-domv-v1.area-profile.csv"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return cast(
        list[dict[str, Any]], frame.astype(object).where(frame.notna(), None).to_dict("records")
    )


def check(
    model: RiskModel, frame: pd.DataFrame, profile: pd.DataFrame | None = None, key: str = ""
) -> int:
    """Every row's SQL explanation = the record evaluator's; returns the number of rows."""
    data = pa.Table.from_pandas(frame, preserve_index=False)
    data = data.append_column("row_id", pa.array(range(len(frame))))  # a join may reorder rows
    area = None if profile is None else pa.Table.from_pandas(profile, preserve_index=False)
    scored = score_table(model, data, area, explain=True)
    assert "explanation" in scored.columns
    got = sorted(scored.to_pyarrow().to_pylist(), key=lambda r: r["row_id"])
    areas = {} if profile is None else {r["pcode"]: r for r in _records(profile)}
    for rec, row in zip(_records(frame), got, strict=True):
        want = evaluate(model, rec, areas.get(rec.get(key))).explanation
        assert json.loads(row["explanation"]) == want, rec
    return len(got)


def test_domv_with_area_profile() -> None:
    model = load_model("safepath-domv-v1")
    form = load_form(form_path("safepath-screening-v1"))
    rng = random.Random(5)
    pcodes = [*pd.read_csv(PROFILE, dtype=str)["pcode"], "XA0999", None]
    rows: list[dict[str, Any]] = []
    for _ in range(400):
        row: dict[str, Any] = {}
        for name in model.record_fields():
            f = form.fields[name]
            if rng.random() < 0.1:
                row[name] = None
            elif f.type == "select_one":
                row[name] = rng.choice([*sorted(f.choice_names), "not_a_choice"])
            elif f.type == "select_multiple":
                row[name] = " ".join(rng.sample(sorted(f.choice_names), rng.randint(1, 3)))
            else:
                row[name] = rng.randint(0, 3) if name.startswith("n_") else rng.randint(0, 90)
        row["adm2_pcode"] = rng.choice(pcodes)
        rows.append(row)
    profile = pd.read_csv(PROFILE, dtype=str)
    for col in ("social_tension_index", "services_functional_pct", "conflict_events_90d"):
        profile[col] = pd.to_numeric(profile[col])
    assert check(model, pd.DataFrame(rows), profile, key="adm2_pcode") == 400


def test_benchmark_model(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    if str(root) not in sys.path:  # `bench` is a top-level package next to src/
        sys.path.insert(0, str(root))
    from bench.risk import generate

    model = load_model(generate.write_model(tmp_path / "m.yaml"))
    data = generate.write_households(tmp_path / "h.parquet", 2000)
    assert check(model, pd.read_parquet(data)) == 2000


@pytest.mark.shared
def test_reach_round(shared_dir: Path) -> None:
    model = load_model("reach-msna-2024-protection")
    frame = pd.read_excel(
        shared_dir / "data/reach-msna-2024/dummy_raw_data.xlsx",
        sheet_name="main",
        engine="openpyxl",
    )
    assert check(model, frame) == 241


def test_sqlite_keeps_the_row_by_row_explanation() -> None:
    model = load_model("safepath-domv-v1")
    con = ibis.sqlite.connect()
    con.con.execute("CREATE TABLE r (adm2_pcode TEXT, documents TEXT, resp_age INTEGER)")
    con.con.execute("INSERT INTO r VALUES ('XA0101', 'held_by_other', 15), (NULL, 'x', NULL)")
    out = score_table(model, con.table("r"), explain=True).to_pyarrow().to_pylist()
    for row in out:
        rec = {k: row[k] for k in ("adm2_pcode", "documents", "resp_age")}
        assert json.loads(row["explanation"]) == evaluate(model, rec).explanation
    assert json.loads(out[1]["explanation"])["unmapped"][0] == {
        "indicator": "documents_withheld",
        "value": "x",
    }
