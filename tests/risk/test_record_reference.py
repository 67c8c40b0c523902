"""The generated record evaluator gives exactly the previous evaluator's output (kept unchanged
in ``reference_record.py``): scores, phase, case level and the whole explanation, on the test
models, the shipped models, the benchmark model and the real REACH round."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest
from tests.risk import reference_record

from safepath.risk import evaluate, load_model, load_model_text
from safepath.risk.spec import RiskModel
from safepath.surveys.forms import form_path
from safepath.surveys.xlsform import load_form

DATA = Path(__file__).parent / "data"
PROFILE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "safepath"
    / "risk"
    / "models"
    / "safepath-domv-v1.area-profile.csv"
)


def same(model: RiskModel, record: dict[str, Any], area: dict[str, Any] | None = None) -> None:
    for explain in (True, False):
        new = evaluate(model, record, area, explain=explain).as_dict()
        old = reference_record.evaluate(model, record, area, explain=explain).as_dict()
        assert new == old, record
        # the same document, key order included
        assert json.dumps(new) == json.dumps(old), record


def test_small_model_hand_records() -> None:
    model = load_model(DATA / "small.yaml")
    rows: list[dict[str, Any]] = [
        {"eviction": "yes", "violence": "threats beating", "age": 12, "alone": "no"},
        {"eviction": "dont_know", "violence": "sexual", "age": 30, "alone": "yes", "hh_size": 9},
        {"eviction": None, "violence": "", "age": None, "alone": "yes", "hh_size": 0},
        {"eviction": "maybe", "violence": "none", "age": 10, "income": "work aid remittances"},
        {"eviction": True, "violence": 5, "age": "12", "hh_size": "7", "income": float("nan")},
        {},
    ]
    for row in rows:
        for area in (None, {"services": "some"}, {"services": float("nan")}, {"services": 3}):
            same(model, row, area)


AGG = """
id: agg
version: "1"
title: every aggregation, numeric map keys
place_field: pcode
components:
  threat: {aggregation: top_half_mean, default: 1}
  vulnerability: {aggregation: weighted_mean, default: 2}
  capacity: {aggregation: max, default: 3}
indicators:
  - {id: t1, label: t1, level: individual, component: threat, field: t1,
     score: &xyz {map: {x: 1, y: 2, z: 5, "true": 4, "2": 3, "2.5": 2, "inf": 5,
                        "100000000000000000001": 4, "-3": 1, "07": 2, "nul": null}}}
  - {id: t2, label: t2, level: household, component: threat, field: t2, score: *xyz}
  - {id: t3, label: t3, level: community, component: threat, field: t3, score: *xyz,
     floor: {min_score: 4, phase: 5}}
  - {id: v1, label: v1, level: household, component: vulnerability, field: v1, weight: 3,
     score: {thresholds: [[0, 1], [2, 3], [4.5, 5]]}}
  - {id: v2, label: v2, level: household, component: vulnerability, field: v2, weight: 0.1,
     applies_when: "t1 != 'x'", score: {multiple: {values: {a: 2, b: 4}, rule: sum_capped}}}
  - {id: c1, label: c1, level: community, component: capacity, field: c1,
     score: {map: {1: 2, 2: 4}}}
  - {id: c2, label: c2, level: structural, component: capacity, field: c2, source: area,
     score: {map: {1: 2, 2: 4}}}
"""

ODD_VALUES: list[Any] = [
    None, "", float("nan"), "x", "z", "true", True, False, 1, 2, 2.0, 2.5, "2.5", "2", "02",
    float("inf"), "inf", 10**20 + 1, float(10**20), -3, "-3", -3.0, 7, "07", "nul",
    Decimal("2"), Decimal("2.0"), "a b", "b a a", 4.5, 0, -1, "4.5",
]  # fmt: skip


def test_every_aggregation_and_answer_type() -> None:
    model = load_model_text(AGG)
    rng = random.Random(11)
    for _ in range(3000):
        row = {f: rng.choice(ODD_VALUES) for f in ("t1", "t2", "t3", "v1", "v2", "c1")}
        area = rng.choice([None, {"c2": rng.choice(ODD_VALUES)}])
        same(model, row, area)


def test_domv_with_random_form_answers_and_area_rows() -> None:
    model = load_model("safepath-domv-v1")
    form = load_form(form_path("safepath-screening-v1"))
    profile = pd.read_csv(PROFILE, dtype=str, keep_default_na=False)
    areas = [
        {str(k): (None if v == "" else v) for k, v in row.items()}
        for row in cast(list[dict[str, Any]], profile.to_dict("records"))
    ]
    rng = random.Random(3)
    for _ in range(500):
        row: dict[str, Any] = {}
        for name in model.record_fields():
            f = form.fields[name]
            if rng.random() < 0.1:
                row[name] = rng.choice([None, "", float("nan")])
            elif f.type == "select_one":
                row[name] = rng.choice(sorted(f.choice_names))
            elif f.type == "select_multiple":
                row[name] = " ".join(rng.sample(sorted(f.choice_names), rng.randint(1, 3)))
            else:
                row[name] = rng.choice([rng.randint(0, 90), float(rng.randint(0, 9)), "3"])
        same(model, row, rng.choice([None, *areas]))


def test_benchmark_model_on_generated_households(tmp_path: Path) -> None:
    import sys

    root = Path(__file__).resolve().parents[2]
    if str(root) not in sys.path:  # `bench` is a top-level package next to src/
        sys.path.insert(0, str(root))
    import pyarrow.parquet as pq
    from bench.risk import generate

    model = load_model(generate.write_model(tmp_path / "m.yaml"))
    data = generate.write_households(tmp_path / "h.parquet", 3000)
    for row in pq.read_table(data).to_pylist():
        same(model, row)


@pytest.mark.shared
def test_reach_round(shared_dir: Path) -> None:
    model = load_model("reach-msna-2024-protection")
    frame = pd.read_excel(
        shared_dir / "data/reach-msna-2024/dummy_raw_data.xlsx",
        sheet_name="main",
        engine="openpyxl",
    )
    records = cast(
        list[dict[str, Any]], frame.astype(object).where(frame.notna(), None).to_dict("records")
    )
    raw = cast(list[dict[str, Any]], frame.to_dict("records"))  # NaN and numpy types as read
    assert len(records) == 241
    for row in [*records, *raw]:
        same(model, row)
