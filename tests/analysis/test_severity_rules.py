"""Area severity rules as configuration, on hand-worked tables of ten households (weight 1):
share rule 25 % and 20 %, a critical indicator setting a minimum phase, the phase-5 guard, the
maximum across areas of responsibility. The table and record evaluators agree on every area,
and every row names and cites its rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from safepath.errors import InputError
from safepath.risk import load_model, load_model_text
from safepath.risk.areas import classify_records_with_rule, classify_with_rule
from safepath.risk.severity import load_rule, rule_names

MODEL = load_model_text(
    """
id: sev
version: "1"
title: Severity test
weight_field: w
places: {adm1: a}
indicators:
  - {id: kidnap, label: Kidnapping feared, level: household, component: threat, field: k,
     score: {map: {always: 5, never: 1}}}
  - {id: separation, label: Why a child is away, level: household, component: threat,
     field: sep, score: {map: {kidnapped: 5, study: 1}}}
  - {id: eviction, label: Eviction, level: household, component: threat, field: ev,
     score: {map: {"yes": 4, "no": 1}}}
"""
)
RULES = """
default: r25
rules:
  r25: &base
    title: Test 25
    citation: Test manual, 25 % rule
    share: 0.25
    phase5: {share: 0.25, critical: true}
    critical:
      - {indicator: separation, min_score: 5, phase: 4, share: 0.10}
      - {indicator: kidnap, min_score: 5, phase: 5}
    aors:
      hlp: {label: Housing land and property, indicators: [eviction]}
  r20:
    <<: *base
    title: Test 20
    citation: Test manual, 20 % variant
    share: 0.20
"""


def area(name: str, phases: list[int], **answers: list[str]) -> list[dict[str, Any]]:
    rows = []
    for i, phase in enumerate(phases):
        row: dict[str, Any] = {"a": name, "w": 1.0, "phase": phase, "k": "never"}
        row.update({"sep": "study", "ev": "no"})
        row.update({f: values[i] for f, values in answers.items() if i < len(values)})
        rows.append(row)
    return rows


RECORDS = [
    # S: >= 4: 20 %, >= 3: 30 % -> 3 by the 25 % rule, 4 by the 20 % rule
    *area("S", [1] * 6 + [2, 3, 4, 4]),
    # C: all phase 1; 1 in 10 (10 %) has a child away after kidnapping -> critical: at least 4
    *area("C", [1] * 10, sep=["kidnapped"]),
    # G: 30 % at phase 5 but no kidnapping feared: the guard holds it at 4
    *area("G", [1] * 7 + [5] * 3),
    # F: the same, and 3 in 10 always fear kidnapping (critical, phase 5): phase 5
    *area("F", [1] * 7 + [5] * 3, k=["always"] * 3),
    # H: all phase 1, 3 in 10 at risk of eviction (HLP severity 4): the AoR maximum gives 4
    *area("H", [1] * 10, ev=["yes"] * 3),
]


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "sev.severity.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


def by_area(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(r["a"] if "a" in r else r["adm1"]): r for r in rows}


def both(rule: Any) -> dict[str, dict[str, Any]]:
    table = by_area(classify_with_rule(MODEL, pa.Table.from_pylist(RECORDS), ["adm1"], rule))
    records = by_area(classify_records_with_rule(MODEL, RECORDS, ["adm1"], rule))
    keys = ["area_phase", "share_phase", "critical_phase", "aor_hlp", "phase5_guard", "rule"]
    for name, row in table.items():
        assert {k: row[k] for k in keys} == {k: records[name][k] for k in keys}, name
        assert row["phase_reason"] == records[name]["phase_reason"], name
    return table


def test_the_share_rule_at_25_and_20_percent(rules: Path) -> None:
    r25 = both(load_rule(MODEL, file=rules))["S"]
    r20 = both(load_rule(MODEL, "r20", file=rules))["S"]
    assert (r25["area_phase"], r25["share_phase"], r25["phase_reason"]) == (
        3,
        3,
        "30% at phase >= 3",
    )
    assert (r20["area_phase"], r20["phase_reason"]) == (4, "20% at phase >= 4")
    assert (r25["rule"], r25["rule_citation"]) == ("r25", "Test manual, 25 % rule")
    assert (r20["rule"], r20["rule_citation"]) == ("r20", "Test manual, 20 % variant")


def test_a_critical_indicator_sets_a_minimum_phase(rules: Path) -> None:
    c = both(load_rule(MODEL, file=rules))["C"]
    assert (c["share_phase"], c["critical_phase"], c["area_phase"]) == (1, 4, 4)
    assert c["phase_reason"] == "critical indicator separation: 10% score >= 5"


def test_the_phase_5_guard(rules: Path) -> None:
    got = both(load_rule(MODEL, file=rules))
    g, f = got["G"], got["F"]
    assert (g["share_phase"], g["area_phase"], g["phase5_guard"]) == (5, 4, True)
    assert g["phase_reason"].startswith("phase-5 guard (no triggered phase-5 critical indicator)")
    assert (f["share_phase"], f["critical_phase"], f["area_phase"], f["phase5_guard"]) == (
        5,
        5,
        5,
        False,
    )


def test_the_maximum_across_areas_of_responsibility(rules: Path) -> None:
    h = both(load_rule(MODEL, file=rules))["H"]
    assert (h["share_phase"], h["aor_hlp"], h["area_phase"]) == (1, 4, 4)
    assert h["phase_reason"] == "Housing land and property: 30% at severity >= 4"


def test_rule_files_are_checked_against_the_model(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(RULES.replace("indicator: kidnap,", "indicator: abduction,"), "utf-8")
    with pytest.raises(InputError, match="names 1 indicator"):
        load_rule(MODEL, file=bad)
    with pytest.raises(InputError, match="no severity rule 'r30'"):
        load_rule(load_model("reach-msna-2024-protection"), "r30")
    bad.write_text("default: x\nrules: {y: {title: t, citation: c}}\n", "utf-8")
    with pytest.raises(InputError, match="default 'x' is not one of its rules"):
        load_rule(MODEL, file=bad)


def test_shipped_rules_name_25_and_20_percent() -> None:
    msna = load_model("reach-msna-2024-protection")
    assert rule_names(msna) == ["jiaf-25", "jiaf-20"]
    assert load_rule(msna).share == 0.25 and load_rule(msna, "jiaf-20").share == 0.20
    assert set(load_rule(msna).aors) == {"child_protection", "gbv", "hlp"}
    generic = load_rule(load_model("safepath-domv-v1"), "jiaf-20")
    assert (generic.share, generic.critical, generic.phase5.critical) == (0.20, [], False)


def test_the_rule_rows_carry_the_shares_of_classify_areas(rules: Path) -> None:
    from safepath.risk import classify_areas

    data = pa.Table.from_pylist(RECORDS)
    plain = classify_areas(MODEL, data, ["adm1"]).to_pyarrow().to_pylist()
    ruled = classify_with_rule(MODEL, data, ["adm1"], load_rule(MODEL, file=rules))
    keys = ["adm1", "n", "population", *(f"phase_{p}" for p in range(1, 6)), "pin"]
    assert [{k: r[k] for k in keys} for r in ruled] == [
        {k: pytest.approx(r[k]) if isinstance(r[k], float) else r[k] for k in keys} for r in plain
    ]
    assert [r["adm1"] for r in ruled] == ["C", "F", "G", "H", "S"]
