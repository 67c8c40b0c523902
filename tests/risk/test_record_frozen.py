"""The record evaluator's output, frozen: every assessment (scores, phase, case level and the
whole explanation, key order included) of several thousand generated records is compared with
the output of the evaluator as it was before its explanation was rebuilt for speed (commit
98e13c4), stored in ``data/record-frozen.json``: a SHA-256 per case over all its documents, and
the first documents of each case in full, so a difference shows where it is.

The models are the test models and the benchmark model, never the shipped ones (their labels
and translations change). ``python -m tests.risk.test_record_frozen`` rewrites the fixture:
only do that for an intended change of the explanation.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from safepath.risk import evaluate, load_model, load_model_text
from safepath.risk.spec import RiskModel

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "record-frozen.json"
FULL = 12  # documents kept in full per case

# Every aggregation; components listed out of model order, indicators of one component on
# several levels, conditions, area answers, weights, floors and numeric map keys.
MIXED = """
id: frozen-mixed
version: "1"
title: every aggregation, out-of-order components
place_field: pcode
components:
  threat: {aggregation: top_half_mean, default: 1}
  vulnerability: {aggregation: weighted_mean, default: 2}
  capacity: {aggregation: max, default: 3}
indicators:
  - {id: c0, label: c0, level: household, component: capacity, field: c0,
     score: {map: {1: 2, 2: 4, "x": 1}}}
  - {id: t1, label: t1, level: individual, component: threat, field: t1,
     score: &xyz {map: {x: 1, y: 2, z: 5, "true": 4, "2": 3, "2.5": 2, "inf": 5,
                        "100000000000000000001": 4, "-3": 1, "07": 2, "nul": null}}}
  - {id: v0, label: v0, level: individual, component: vulnerability, field: v0, weight: 0.7,
     score: *xyz}
  - {id: t2, label: t2, level: household, component: threat, field: t2, score: *xyz}
  - {id: t3, label: t3, level: community, component: threat, field: t3, score: *xyz,
     floor: {min_score: 4, phase: 5}}
  - {id: v1, label: v1, level: household, component: vulnerability, field: v1, weight: 3,
     score: {thresholds: [[0, 1], [2, 3], [4.5, 5]]}}
  - {id: v2, label: v2, level: household, component: vulnerability, field: v2, weight: 0.1,
     applies_when: "t1 != 'x'", score: {multiple: {values: {a: 2, b: 4}, rule: sum_capped}}}
  - {id: c1, label: c1, level: community, component: capacity, field: c1,
     score: {map: {1: 2, 2: 4, "x": 1}}}
  - {id: c2, label: c2, level: structural, component: capacity, field: c2, source: area,
     score: {map: {1: 2, 2: 4}}}
  - {id: c3, label: c3, level: household, component: capacity, field: c3, score: *xyz}
"""

# max / mean / mean, as the shipped models: many ties between threat and vulnerability drivers
MAXMEAN = """
id: frozen-maxmean
version: "2"
title: max and mean, many ties
components:
  threat: {aggregation: max, default: 1}
  vulnerability: {aggregation: mean, default: 1}
  capacity: {aggregation: mean, default: 3}
severity: {cuts: [1.0, 2.0, 3.5, 6.0]}
indicators:
  - {id: cap_a, label: A capacity, level: household, component: capacity, field: ca,
     score: {map: {"0": 1, "1": 2, "2": 3, "3": 5}}}
  - {id: vul_a, label: A vulnerability, level: individual, component: vulnerability, field: va,
     score: {map: {"0": 1, "1": 3, "2": 4, "3": 5}}}
  - {id: thr_a, label: A threat, level: household, component: threat, field: ta,
     gpc_risks: [gbv], rights: [right_to_life],
     score: {map: {"0": 1, "1": 3, "2": 4, "3": 5}}, floor: {min_score: 5, phase: 4}}
  - {id: vul_b, label: B vulnerability, level: household, component: vulnerability, field: vb,
     score: {map: {"0": 1, "1": 3, "2": 4, "3": 5}}}
  - {id: thr_b, label: B threat, level: individual, component: threat, field: tb,
     score: {map: {"0": 1, "1": 3, "2": 4, "3": 5}}}
  - {id: cap_b, label: B capacity, level: community, component: capacity, field: cb,
     applies_when: "ta != '0'", score: {map: {"0": 1, "1": 2, "2": 3, "3": 5}}}
  - {id: thr_c, label: C threat, level: household, component: threat, field: tc,
     score: {map: {"0": 1, "1": 3, "2": 4, "3": 5}}}
  - {id: vul_c, label: C vulnerability, level: household, component: vulnerability, field: vc,
     score: {map: {"0": 1, "1": 3, "2": 4, "3": 5}}}
  - {id: cap_c, label: C capacity, level: household, component: capacity, field: cc,
     score: {map: {"0": 1, "1": 2, "2": 3, "3": 5}}}
"""

ODD_VALUES: list[Any] = [
    None, "", float("nan"), "x", "y", "z", "true", True, False, 1, 2, 2.0, 2.5, "2.5", "2",
    "02", float("inf"), "inf", 10**20 + 1, float(10**20), -3, "-3", -3.0, 7, "07", "nul",
    Decimal("2"), Decimal("2.0"), "a b", "b a a", 4.5, 0, -1, "4.5", "a", "b",
]  # fmt: skip


def _mixed() -> Iterator[tuple[RiskModel, dict[str, Any], dict[str, Any] | None]]:
    model = load_model_text(MIXED)
    rng = random.Random(20261201)
    fields = ("c0", "t1", "v0", "t2", "t3", "v1", "v2", "c1", "c3")
    for _ in range(3000):
        row = {f: rng.choice(ODD_VALUES) for f in fields if rng.random() < 0.9}
        yield model, row, rng.choice([None, {}, {"c2": rng.choice(ODD_VALUES)}])


def _maxmean() -> Iterator[tuple[RiskModel, dict[str, Any], dict[str, Any] | None]]:
    model = load_model_text(MAXMEAN)
    rng = random.Random(7)
    fields = ("ca", "va", "ta", "vb", "tb", "cb", "tc", "vc", "cc")
    for _ in range(3000):
        row: dict[str, Any] = {}
        for f in fields:
            r = rng.random()
            row[f] = None if r < 0.1 else "9" if r < 0.13 else rng.choice("0123")
        yield model, row, None


def _small() -> Iterator[tuple[RiskModel, dict[str, Any], dict[str, Any] | None]]:
    model = load_model(DATA / "small.yaml")
    rng = random.Random(5)
    answers: dict[str, list[Any]] = {
        "eviction": ["yes", "no", "dont_know", "maybe", None, True],
        "violence": ["threats beating", "sexual", "none", "", "threats", "beating x", 5],
        "age": [12, 30, None, "12", 17.5, float("nan")],
        "alone": ["yes", "no", None],
        "hh_size": [0, 1, 4, 5, 7, 8, 9, "7", None, "many"],
        "income": ["work aid remittances", "aid", "none", "work", "", float("nan"), "x"],
    }
    for _ in range(2000):
        row = {k: rng.choice(v) for k, v in answers.items() if rng.random() < 0.9}
        area = rng.choice([None, {"services": rng.choice(["good", "some", "none", 3, None])}])
        yield model, row, area


def _bench() -> Iterator[tuple[RiskModel, dict[str, Any], dict[str, Any] | None]]:
    root = Path(__file__).resolve().parents[2]
    if str(root) not in sys.path:  # `bench` is a top-level package next to src/
        sys.path.insert(0, str(root))
    import pyarrow.parquet as pq
    from bench.risk import generate

    with tempfile.TemporaryDirectory() as tmp:
        model = load_model(generate.write_model(Path(tmp) / "m.yaml"))
        rows = pq.read_table(generate.write_households(Path(tmp) / "h.parquet", 2000)).to_pylist()
    for row in rows:
        yield model, row, None


CASES = {"mixed": _mixed, "maxmean": _maxmean, "small": _small, "bench": _bench}


def documents(case: str) -> Iterator[str]:
    """Each record's assessment as JSON, with and without the explanation."""
    for model, row, area in CASES[case]():
        for explain in (True, False):
            yield json.dumps(evaluate(model, row, area, explain=explain).as_dict())


def frozen(case: str) -> dict[str, Any]:
    docs = list(documents(case))
    digest = hashlib.sha256("\n".join(docs).encode()).hexdigest()
    return {"documents": len(docs), "sha256": digest, "first": docs[:FULL]}


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_is_frozen(case: str, expected: dict[str, Any]) -> None:
    got = frozen(case)
    want = expected[case]
    for n, (g, w) in enumerate(zip(got["first"], want["first"], strict=True)):
        assert json.loads(g) == json.loads(w), f"{case}: document {n}"
        assert g == w, f"{case}: document {n} (key order)"
    assert got["documents"] == want["documents"]
    assert got["sha256"] == want["sha256"], f"{case}: a later document differs"


def test_fixture_covers_drivers_floors_unmapped_and_defaults(expected: dict[str, Any]) -> None:
    """The frozen documents exercise what the rebuilt explanation has to get right."""
    docs = [json.loads(d)["explanation"] for case in expected.values() for d in case["first"]]
    docs = [d for d in docs if d]
    assert any(len(d["drivers"]) >= 4 for d in docs)
    assert any(d["floors"] for d in docs)
    assert any(d["unmapped"] for d in docs)
    assert any(d["defaulted"] for d in docs)
    assert any(len(d["levels"]) >= 3 for d in docs)


if __name__ == "__main__":
    FIXTURE.write_text(
        json.dumps({case: frozen(case) for case in CASES}, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {FIXTURE}")
