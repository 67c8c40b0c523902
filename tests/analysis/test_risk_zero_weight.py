"""Issue 13, item 1.1, in the risk engine:
a group whose weights sum to 0 was phase 5 in the table evaluator (DuckDB orders NaN above every
number, so NaN >= 0.25 held) while the record evaluator divided by zero. Both now report the
group with no population: no shares, no area phase."""

from __future__ import annotations

import pandas as pd

from safepath.risk import classify_areas, load_model_text, score_table
from safepath.risk.areas import classify_records

MODEL = load_model_text(
    """
id: zero-weight
version: "1"
title: Zero weight
weight_field: w
places: {adm1: a}
indicators:
  - {id: e, label: Eviction, level: household, component: threat, field: e,
     score: {map: {"yes": 4, "no": 1}}}
"""
)
DATA = pd.DataFrame({"a": ["X", "X", "Y"], "e": ["yes", "no", "yes"], "w": [1.0, 1.0, 0.0]})


def test_table_evaluator_gives_a_zero_weight_group_no_phase() -> None:
    out = classify_areas(MODEL, score_table(MODEL, DATA), by=["adm1"]).to_pandas()
    y = out[out.adm1 == "Y"].iloc[0]
    assert y.population == 0
    assert pd.isna(y.area_phase) and pd.isna(y.phase_5)


def test_record_evaluator_agrees() -> None:
    scored = score_table(MODEL, DATA).to_pandas().to_dict("records")
    y = next(g for g in classify_records(MODEL, scored, by=["adm1"]) if g["adm1"] == "Y")
    assert y["area_phase"] is None and y["phase_5"] is None
