"""Record evaluator on hand-computed examples (tests/risk/data/small.yaml and inline models)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from safepath.risk import evaluate, load_model, load_model_text
from safepath.risk.record import r6
from safepath.risk.spec import RiskModel

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def small() -> RiskModel:
    return load_model(DATA / "small.yaml")


def test_full_record_with_area(small: RiskModel) -> None:
    rec = {
        "eviction": "yes",
        "violence": "threats beating",
        "age": 12,
        "alone": "no",
        "hh_size": 6,
        "income": "work aid",
    }
    a = evaluate(small, rec, {"services": "some"})
    # T = max(eviction 4, violence max(3, 4) = 4) = 4
    # V = mean(child_alone 1, hh_size 6 -> 2) = 1.5
    # C = mean(income sum_capped 1 + (3-1) + (2-1) = 4, services some 3) = 3.5
    # R = (4 + 1.5) / 3.5 = 1.5714285... -> 1.571429 -> phase 2 (1 <= R < 2) -> low, 168 h
    assert (a.threat, a.vulnerability, a.capacity, a.risk) == (4.0, 1.5, 3.5, 1.571429)
    assert (a.phase, a.case_level, a.deadline_hours) == (2, "low", 168)
    ex = a.explanation
    assert ex["unanswered"] == [] and ex["unmapped"] == [] and ex["floors"] == []
    assert ex["defaulted"] == []
    assert ex["components"]["capacity"] == {
        "value": 3.5,
        "aggregation": "mean",
        "answered": 2,
        "defaulted": False,
    }
    # contributions add up to the component value; max credits the first highest score
    hh = ex["levels"]["household"]
    assert hh["threat"] == {
        "value": 4.0,
        "indicators": [{"id": "eviction", "score": 4, "weight": 1.0, "contribution": 4.0}],
    }
    assert ex["levels"]["individual"]["threat"]["indicators"][0]["contribution"] == 0.0
    assert hh["capacity"]["indicators"][0]["contribution"] == 2.0
    assert ex["levels"]["community"]["capacity"] == {
        "value": 3.0,
        "indicators": [{"id": "services", "score": 3, "weight": 1.0, "contribution": 1.5}],
    }
    assert [d["id"] for d in ex["drivers"]] == ["eviction", "violence"]
    assert ex["phase_from_risk"] == 2
    json.dumps(a.as_dict())  # JSON-serialisable


def test_floor_raises_phase_and_null_map_is_unanswered(small: RiskModel) -> None:
    rec = {
        "eviction": "dont_know",
        "violence": "sexual",
        "age": 30,
        "alone": "yes",
        "hh_size": 9,
        "income": "none",
    }
    a = evaluate(small, rec, {"services": "good"})
    # eviction dont_know -> null -> unanswered (not unmapped); child_alone not applicable (30)
    # T = 5 (sexual); V = hh_size 9 -> 4; C = mean(none -> 1, good 5) = 3; R = 9/3 = 3 -> phase 3
    # violence floor (score 5 >= 5) -> phase >= 4 -> high, 24 h
    assert (a.threat, a.vulnerability, a.capacity, a.risk) == (5.0, 4.0, 3.0, 3.0)
    assert (a.phase, a.case_level, a.deadline_hours) == (4, "high", 24)
    ex = a.explanation
    assert ex["unanswered"] == ["eviction"]
    assert ex["unmapped"] == []
    assert ex["floors"] == [{"indicator": "violence", "score": 5, "min_score": 5, "phase": 4}]
    assert ex["phase_from_risk"] == 3
    assert "child_alone" not in json.dumps(ex)


def test_missing_answers_defaults_and_unmapped(small: RiskModel) -> None:
    rec = {
        "eviction": None,
        "violence": "",
        "age": None,
        "alone": "yes",
        "hh_size": 0,
        "income": "other",
    }
    a = evaluate(small, rec)  # no area row: services is unanswered
    # nothing scores: T, V default 1, C default 3; R = 2/3 = 0.666667 -> phase 1 -> none
    assert (a.threat, a.vulnerability, a.capacity, a.risk) == (1.0, 1.0, 3.0, 0.666667)
    assert (a.phase, a.case_level, a.deadline_hours) == (1, "none", None)
    ex = a.explanation
    # child_alone: age missing -> applies_when false -> neither scored nor listed
    assert ex["unanswered"] == ["eviction", "violence", "hh_size", "income", "services"]
    assert ex["unmapped"] == [
        {"indicator": "hh_size", "value": 0},
        {"indicator": "income", "value": "other"},
    ]
    assert ex["defaulted"] == ["threat", "vulnerability", "capacity"]
    assert ex["components"]["threat"]["defaulted"] is True
    assert ex["drivers"] == [] and ex["levels"] == {}


def test_applies_when_child_floor_and_select_multiple_none(small: RiskModel) -> None:
    rec = {
        "eviction": "maybe",
        "violence": "none",
        "age": 10,
        "alone": "yes",
        "income": "work aid remittances",
    }
    a = evaluate(small, rec, {"services": float("nan")})
    # eviction unmapped; violence none -> 1; child alone (age 10 < 18) -> 5 -> floor phase 5
    # T = 1, V = 5 (hh_size absent), C = income 1 + 2 + 1 + 1 = 5 (capped at 5), services NaN
    # R = 6/5 = 1.2 -> phase 2, floor -> 5
    assert (a.threat, a.vulnerability, a.capacity, a.risk, a.phase) == (1.0, 5.0, 5.0, 1.2, 5)
    ex = a.explanation
    assert ex["unmapped"] == [{"indicator": "eviction", "value": "maybe"}]
    assert ex["unanswered"] == ["eviction", "hh_size", "services"]
    assert ex["floors"][0]["indicator"] == "child_alone"
    assert [d["id"] for d in ex["drivers"]] == ["child_alone"]


AGG_MODEL = """
id: agg
version: "1"
title: aggregations
components:
  threat: {aggregation: top_half_mean, default: 1}
  vulnerability: {aggregation: weighted_mean, default: 2}
  capacity: {aggregation: max, default: 3}
severity: {cuts: [1.0, 2.0, 3.5, 6.0]}
indicators:
  - {id: t1, label: t1, level: individual, component: threat, field: t1,
     score: &xyz {map: {x: 1, y: 2, z: 5}}}
  - {id: t2, label: t2, level: household, component: threat, field: t2,
     score: *xyz}
  - {id: t3, label: t3, level: community, component: threat, field: t3,
     score: *xyz}
  - {id: t4, label: t4, level: structural, component: threat, field: t4,
     score: *xyz}
  - {id: t5, label: t5, level: household, component: threat, field: t5,
     score: *xyz}
  - {id: v1, label: v1, level: household, component: vulnerability, field: v1, weight: 3,
     score: {thresholds: [[0, 1], [2, 3], [4.5, 5]]}}
  - {id: v2, label: v2, level: household, component: vulnerability, field: v2, weight: 1,
     score: {thresholds: [[0, 1], [2, 3], [4.5, 5]]}}
  - {id: c1, label: c1, level: community, component: capacity, field: c1,
     score: {map: {1: 2, 2: 4}}}
  - {id: c2, label: c2, level: community, component: capacity, field: c2,
     score: {map: {1: 2, 2: 4}}}
"""


@pytest.fixture(scope="module")
def agg() -> RiskModel:
    return load_model_text(AGG_MODEL)


@pytest.mark.parametrize(
    ("answers", "threat"),
    [
        # top half of [5, 2, 2, 1, 1] = top ceil(5/2) = 3: (5 + 2 + 2) / 3 = 3
        ({"t1": "z", "t2": "y", "t3": "y", "t4": "x", "t5": "x"}, 3.0),
        # [5, 1, 1, 1]: top 2 = (5 + 1) / 2 = 3
        ({"t1": "x", "t2": "x", "t3": "z", "t4": "x"}, 3.0),
        # [2, 1]: top 1 = 2 ; [1] -> 1
        ({"t1": "y", "t2": "x"}, 2.0),
        ({"t4": "x"}, 1.0),
        # [5, 5, 2]: top 2 = 5
        ({"t1": "z", "t2": "z", "t3": "y"}, 5.0),
    ],
)
def test_top_half_mean(agg: RiskModel, answers: dict[str, Any], threat: float) -> None:
    assert evaluate(agg, answers).threat == threat


def test_weighted_mean_thresholds_and_numeric_map_keys(agg: RiskModel) -> None:
    # v1 = 5 (>= 4.5) weight 3, v2 = "2" (numeric text, >= 2) -> 3 weight 1: (15 + 3) / 4 = 4.5
    # c1 = 2.0 matches map key 2 ("2") -> 4; c2 = 1 -> 2; max -> 4
    a = evaluate(agg, {"t1": "y", "v1": 5, "v2": "2", "c1": 2.0, "c2": 1})
    assert (a.threat, a.vulnerability, a.capacity) == (2.0, 4.5, 4.0)
    assert a.risk == r6(6.5 / 4) == 1.625
    assert a.phase == 2
    # below the first bound and non-numeric text are unanswered (and reported)
    b = evaluate(agg, {"v1": -1, "v2": "2,5", "c1": 1.5})
    assert b.vulnerability == 2.0  # default
    assert b.capacity == 3.0  # default; 1.5 is not a key
    assert b.explanation["unmapped"] == [
        {"indicator": "v1", "value": -1},
        {"indicator": "v2", "value": "2,5"},
        {"indicator": "c1", "value": 1.5},
    ]


def test_weighted_contributions_add_up(agg: RiskModel) -> None:
    a = evaluate(agg, {"v1": 5, "v2": 0})
    cells = a.explanation["levels"]["household"]["vulnerability"]
    # (3*5 + 1*1) / 4 = 4: contributions 15/4 and 1/4
    assert cells == {
        "value": 4.0,
        "indicators": [
            {"id": "v1", "score": 5, "weight": 3.0, "contribution": 3.75},
            {"id": "v2", "score": 1, "weight": 1.0, "contribution": 0.25},
        ],
    }


def test_rounding_is_half_up_in_binary() -> None:
    assert r6(1.0000005) == 1.000001
    assert r6(2 / 3) == 0.666667
    assert r6(10 / 7) == 1.428571
    assert r6(0.4) == 0.4


def test_cut_boundaries(agg: RiskModel) -> None:
    # R exactly on a cut goes up: C = 2 (c1 "1"), T = V default -> T 1, V 2: R = 1.5 -> phase 2
    assert evaluate(agg, {"c1": 1}).phase == 2
    # T = 5, V = 5, C = 2 (default 3 when absent) -> R = 5 -> phase 4; with C = 4 -> 2.5 -> 3
    assert evaluate(agg, {"t1": "z", "v1": 9, "c1": 1}).phase == 4
    a = evaluate(agg, {"t1": "z", "v1": 9, "c1": 2})
    assert (a.risk, a.phase, a.case_level) == (2.5, 3, "medium")


def test_model_copy_is_recompiled(agg: RiskModel) -> None:
    from safepath.risk.spec import ComponentSpec

    assert evaluate(agg, {"t1": "y", "t2": "x"}).threat == 2.0  # compiles and caches
    changed = agg.model_copy(
        update={
            "components": {**agg.components, "threat": ComponentSpec(aggregation="mean", default=1)}
        }
    )
    assert evaluate(changed, {"t1": "y", "t2": "x"}).threat == 1.5
    assert changed.fingerprint() != agg.fingerprint()


# Indicators deliberately out of component order: the drivers' tie-breaking is component order
# (threat before vulnerability), then model order, after score and contribution.
DRIVERS = """
id: drivers
version: "1"
title: driver ordering
components:
  threat: {aggregation: max, default: 1}
  vulnerability: {aggregation: mean, default: 1}
  capacity: {aggregation: mean, default: 3}
indicators:
  - {id: cap_a, label: cap_a, level: household, component: capacity, field: cap_a, score: &s
     {map: {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}}}
  - {id: vul_a, label: vul_a, level: individual, component: vulnerability, field: vul_a,
     score: *s}
  - {id: thr_a, label: thr_a, level: household, component: threat, field: thr_a, score: *s}
  - {id: vul_b, label: vul_b, level: household, component: vulnerability, field: vul_b,
     score: *s}
  - {id: thr_b, label: thr_b, level: individual, component: threat, field: thr_b, score: *s}
  - {id: cap_b, label: cap_b, level: community, component: capacity, field: cap_b, score: *s}
  - {id: thr_c, label: thr_c, level: household, component: threat, field: thr_c, score: *s}
  - {id: vul_c, label: vul_c, level: household, component: vulnerability, field: vul_c,
     score: *s}
  - {id: cap_c, label: cap_c, level: household, component: capacity, field: cap_c, score: *s}
"""


@pytest.mark.parametrize(
    ("answers", "drivers"),
    [
        # score first; on a tie the larger contribution: thr_b is threat's first maximum (5.0),
        # vul_a has 5/3, thr_c none, although vul_a and thr_c come first in model order;
        # capacity: the lowest scores, ties in model order
        (
            {"thr_a": 4, "thr_b": 5, "thr_c": 5, "vul_a": 5, "vul_b": 4, "vul_c": 1}
            | {"cap_a": 2, "cap_b": 1, "cap_c": 1},
            [("thr_b", 5), ("vul_a", 5), ("thr_c", 5), ("cap_b", 1), ("cap_c", 1)],
        ),
        # same score and contribution (5.0 each): threat before vulnerability, although vul_b
        # comes first in the model; only scores >= 3 and <= 2 count
        (
            {"thr_a": 1, "thr_c": 5, "vul_b": 5, "cap_a": 3, "cap_b": 2, "cap_c": 5},
            [("thr_c", 5), ("vul_b", 5), ("cap_b", 2)],
        ),
        # same score and contribution within a component (vul_a, vul_c: 1.0 each): model
        # order, after thr_b (3.0); at most 3 and 2
        (
            {"thr_a": 1, "vul_a": 3, "vul_b": 1, "vul_c": 3, "thr_b": 3, "thr_c": 3}
            | {"cap_a": 2, "cap_b": 2, "cap_c": 1},
            [("thr_b", 3), ("vul_a", 3), ("vul_c", 3), ("cap_c", 1), ("cap_a", 2)],
        ),
    ],
)
def test_driver_ordering(answers: dict[str, Any], drivers: list[tuple[str, int]]) -> None:
    model = load_model_text(DRIVERS)
    ex = evaluate(model, {k: str(v) for k, v in answers.items()}).explanation
    assert [(d["id"], d["score"]) for d in ex["drivers"]] == drivers
    assert [set(d) for d in ex["drivers"]] == [
        {"id", "label", "level", "component", "gpc_risks", "rights", "score"}
    ] * len(drivers)
