"""Area classification, hand-checked: weights, missing places, dimensions,
the threshold rule and people in need; the Ibis version equals the pure-Python reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from safepath.errors import InputError
from safepath.risk import classify_areas, load_model
from safepath.risk.areas import classify_records
from safepath.risk.spec import RiskModel

DATA = Path(__file__).parent / "data"

# Already-scored records (phase given), so every figure below is checked by hand.
SCORED = pa.table(
    {
        "admin1": ["A", "A", "A", "A", "B", "B", None, ""],
        "admin2": ["A1", "A1", "A2", "A2", "B1", "B1", "X1", "X1"],
        "sex": ["f", "m", "f", "x", "f", None, "m", "f"],
        "age": pa.array([10, 30, 70, None, 4, -1, 17, 60], pa.float64()),
        "wg_see": [
            "a_lot_of_difficulty",
            "no_difficulty",
            None,
            None,
            "some_difficulty",
            None,
            "cannot_do_at_all",
            "no_difficulty",
        ],
        "wg_walk": [None, None, None, None, None, None, None, "a_lot_of_difficulty"],
        "weight": pa.array([2.0, 1.0, 1.0, 1.0, 0.5, 1.5, 3.0, 1.0], pa.float64()),
        "phase": pa.array([4, 1, 2, 3, 1, 5, 3, 2], pa.int64()),
    }
)


@pytest.fixture(scope="module")
def small() -> RiskModel:
    return load_model(DATA / "small.yaml")


def as_rows(result: Any) -> list[dict[str, Any]]:
    return [
        {k: (round(v, 9) if isinstance(v, float) else v) for k, v in r.items()}
        for r in result.to_pyarrow().to_pylist()
    ]


def test_by_admin1(small: RiskModel) -> None:
    got = as_rows(classify_areas(small, SCORED, ["adm1"]))
    # A: weights 2 (p4), 1 (p1), 1 (p2), 1 (p3): population 5
    #    shares p1 .2, p2 .2, p3 .2, p4 .4; at >= 4: .4 >= .25 -> area phase 4; PiN = 1 + 2 = 3
    # B: 0.5 (p1), 1.5 (p5): population 2; >= 5: .75 -> phase 5; PiN 1.5
    # (missing): None and "" places: 3 (p3), 1 (p2): >= 3: .75 -> phase 3; PiN 3
    assert got == [
        {
            "adm1": "(missing)",
            "n": 2,
            "population": 4.0,
            "phase_1": 0.0,
            "phase_2": 0.25,
            "phase_3": 0.75,
            "phase_4": 0.0,
            "phase_5": 0.0,
            "area_phase": 3,
            "pin": 3.0,
        },
        {
            "adm1": "A",
            "n": 4,
            "population": 5.0,
            "phase_1": 0.2,
            "phase_2": 0.2,
            "phase_3": 0.2,
            "phase_4": 0.4,
            "phase_5": 0.0,
            "area_phase": 4,
            "pin": 3.0,
        },
        {
            "adm1": "B",
            "n": 2,
            "population": 2.0,
            "phase_1": 0.25,
            "phase_2": 0.0,
            "phase_3": 0.0,
            "phase_4": 0.0,
            "phase_5": 0.75,
            "area_phase": 5,
            "pin": 1.5,
        },
    ]


def test_threshold_rule_takes_the_highest_phase_reaching_it() -> None:
    model = load_model(DATA / "small.yaml").model_copy(deep=True)
    data = pa.table({"admin1": ["Z"] * 5, "weight": [1.0] * 5, "phase": [1, 1, 1, 2, 5]})
    got = as_rows(classify_areas(model, data, ["adm1"]))[0]
    # phase >= 5: 0.2 < 0.25; >= 4: 0.2; >= 3: 0.2; >= 2: 0.4 -> area phase 2
    assert (got["area_phase"], got["pin"]) == (2, 1.0)
    data = pa.table({"admin1": ["Z"] * 4, "weight": [1.0] * 4, "phase": [1, 1, 1, 5]})
    # exactly 25% at phase 5 -> 5
    assert as_rows(classify_areas(model, data, ["adm1"]))[0]["area_phase"] == 5


def test_dimensions(small: RiskModel) -> None:
    got = as_rows(classify_areas(small, SCORED, ["sex", "age_bracket", "disability"]))
    keys = [(r["sex"], r["age_bracket"], r["disability"], r["n"], r["population"]) for r in got]
    assert keys == [
        ("(missing)", "(missing)", "(missing)", 1, 1.5),  # sex None, age -1, no WG answers
        ("(unmapped)", "(missing)", "(missing)", 1, 1.0),  # sex "x", age None
        ("female", "age_0_4", "no_disability", 1, 0.5),  # some difficulty only
        ("female", "age_5_11", "disability", 1, 2.0),
        ("female", "age_60_plus", "(missing)", 1, 1.0),  # age 70, WG all missing
        ("female", "age_60_plus", "disability", 1, 1.0),  # age 60, walking: a lot
        ("male", "age_12_17", "disability", 1, 3.0),  # cannot do at all
        ("male", "age_18_59", "no_disability", 1, 1.0),
    ]


def test_ibis_equals_python_reference(small: RiskModel) -> None:
    records = SCORED.to_pylist()
    for by in (["adm1"], ["adm2", "sex"], ["adm1", "disability", "age_bracket"], []):
        assert as_rows(classify_areas(small, SCORED, by)) == [
            {k: (round(v, 9) if isinstance(v, float) else v) for k, v in r.items()}
            for r in classify_records(small, records, by)
        ], by


def test_on_sqlite(small: RiskModel, load_table: Any) -> None:
    con = ibis.sqlite.connect()
    t = load_table(con, "scored", SCORED)
    got = as_rows(classify_areas(small, t, ["adm1", "sex"]))
    assert got == [
        {k: (round(v, 9) if isinstance(v, float) else v) for k, v in r.items()}
        for r in classify_records(small, SCORED.to_pylist(), ["adm1", "sex"])
    ]


def test_unweighted_model_and_bad_groups(small: RiskModel) -> None:
    unweighted = small.model_copy(update={"weight_field": None})
    got = as_rows(classify_areas(unweighted, SCORED, ["adm1"]))
    assert [(r["adm1"], r["population"]) for r in got] == [
        ("(missing)", 2.0),
        ("A", 4.0),
        ("B", 2.0),
    ]
    with pytest.raises(InputError, match=r"cannot group by \['district'\]"):
        classify_areas(small, SCORED, ["district"])
    with pytest.raises(InputError, match="no 'phase' column"):
        classify_areas(small, SCORED.drop(["phase"]), ["adm1"])
