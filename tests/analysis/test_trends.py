"""Rounds and trends: the change per area and group between two rounds, significant only when
the change's interval (independent rounds: sqrt(se_a^2 + se_b^2)) excludes 0, and the alerts.
Hand-worked tables first, then the MSNA dummy round against a perturbed copy of itself."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from tests.cli_process import run_cli

from safepath.analysis.design import Design
from safepath.analysis.estimates import estimate
from safepath.analysis.trends import (
    GroupSummary,
    RoundSummary,
    TrendRequest,
    alerts,
    compare,
    round_trends,
    summarise_round,
)
from safepath.risk import load_model, load_model_text
from safepath.risk.table import as_table

MODEL_YAML = """
id: trend
version: "1"
title: Trend test
weight_field: w
places: {adm1: a}
indicators:
  - {id: e, label: Eviction, level: household, component: threat, field: e,
     score: {map: {"yes": 5, "no": 1}}}
"""
MODEL = load_model_text(MODEL_YAML)


def scored(phases: dict[str, list[int]], weights: dict[str, list[float]]) -> Any:
    rows = [
        {"a": area, "phase": p, "w": w}
        for area in phases
        for p, w in zip(phases[area], weights[area], strict=True)
    ]
    return as_table(pa.Table.from_pylist(rows))


def test_one_round_hand_worked() -> None:
    # X: weights 1, 1, 2 at phases 1, 3, 4: share at >= 3 = 3/4, PiN = 0.75 * 4 = 3 (weights);
    # the 25 % rule: >= 4 holds 2/4 = 50 % -> phase 4. Y: phase 1 only: share 0, phase 1.
    t = scored({"X": [1, 3, 4], "Y": [1, 1]}, {"X": [1.0, 1.0, 2.0], "Y": [1.0, 1.0]})
    s = summarise_round(MODEL, t, Design(weight="w"), name="r1", by=["adm1"])
    x, y = s.groups[("X",)], s.groups[("Y",)]
    assert x.share == pytest.approx(0.75) and x.pin == pytest.approx(3.0)
    assert (x.area_phase, x.n) == (4, 3)
    assert (y.share, y.pin, y.area_phase) == (0.0, 0.0, 1)
    assert s.groups[()].share == pytest.approx(3 / 6)  # overall: 3 of 6 weighted people
    assert (s.rule, s.phase) == ("jiaf-25", 3) and s.rule_citation.startswith("JIAF 1.0")
    # the standard error is the estimates module's (one stratum, records as PSUs)
    t2 = t.mutate(_in=(t.phase >= 3).ifelse(1.0, 0.0))
    want = estimate(t2, "_in", Design(weight="w"), by=["a"], kind="mean")
    assert x.se == pytest.approx(next(e.se for e in want if e.group == ("X",)))


def summary(name: str, **groups: tuple[float, float, int, float]) -> RoundSummary:
    return RoundSummary(
        name,
        ("adm1",),
        3,
        "jiaf-25",
        "cite",
        {
            (g,): GroupSummary((g,), share, se, 100, False, pin, "weights", phase)
            for g, (share, se, phase, pin) in groups.items()
        },
    )


def test_significant_only_when_the_change_interval_excludes_zero() -> None:
    # A: 0.30 -> 0.45, se 0.05 each: change 0.15, se 0.0707, interval 0.011..0.289: significant
    # B: 0.30 -> 0.40, the same se: change 0.10, interval -0.039..0.239: not significant, though
    #    a naive reading of two intervals might call it; C: only in the later round
    a = summary("r1", A=(0.30, 0.05, 3, 300.0), B=(0.30, 0.05, 3, 300.0))
    b = summary("r2", A=(0.45, 0.05, 4, 450.0), B=(0.40, 0.05, 3, 330.0), C=(0.5, 0.1, 3, 5.0))
    rows = {tuple(r["group"]): r for r in compare(a, b)}
    ra, rb, rc = rows[("A",)], rows[("B",)], rows[("C",)]
    assert ra["share_change"] == pytest.approx(0.15)
    assert ra["change_se"] == pytest.approx(0.05 * 2**0.5)
    assert ra["change_low"] == pytest.approx(0.15 - 1.959964 * 0.0707107, abs=1e-6)
    assert ra["significant"] and not rb["significant"]
    assert (rc["share_a"], rc["share_change"], rc["significant"], rc["small_n"]) == (
        None,
        None,
        False,
        True,
    )
    # alerts: A's phase rose 3 -> 4 and its PiN +50 %; B's PiN +10 % is under the 20 % default
    found = {tuple(r["group"]): r["alert"] for r in alerts(list(rows.values()))}
    assert set(found) == {("A",)}
    assert found[("A",)] == (
        "area phase 3 -> 4 (rise of 1 or more); PiN 300 -> 450 (+50%, above +20%; significant)"
    )
    assert {tuple(r["group"]) for r in alerts(list(rows.values()), pin_rise=0.05)} == {
        ("A",),
        ("B",),
    }
    assert alerts(list(rows.values()), phase_rise=2, pin_rise=0.6) == []


MSNA = "data/reach-msna-2024/dummy_raw_data.xlsx"


@pytest.fixture(scope="module")
def two_rounds(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The MSNA dummy round and a later one: in PCODE1 every household now fears kidnapping
    always and is at risk of eviction; PCODE2 is unchanged."""
    first = pd.read_excel(shared_dir / MSNA, sheet_name="main", engine="openpyxl")
    later = first.copy()
    in_one = later["admin1"] == "PCODE1"
    later.loc[in_one, "prot_concern_hh_freq_kidnapping"] = "always"
    later.loc[in_one, "hlp_risk_eviction"] = "yes"
    folder = tmp_path_factory.mktemp("rounds")
    a, b = folder / "round-a.parquet", folder / "round-b.parquet"
    for frame, path in ((first, a), (later, b)):
        frame.astype({c: str for c in frame.columns if frame[c].dtype == object}).to_parquet(path)
    return a, b


def test_msna_dummy_round_against_a_perturbed_copy(two_rounds: tuple[Path, Path]) -> None:
    model = load_model("reach-msna-2024-protection")
    tables = [(p.stem, pd.read_parquet(p).assign(_row=range(1, 242))) for p in two_rounds]
    request = TrendRequest(by=("adm1",), strata="stratum", cluster="cluster_id", row="_row")
    rows = {tuple(r["group"]): r for r in round_trends(model, tables, request)}
    one, two = rows[("PCODE1",)], rows[("PCODE2",)]
    assert (one["n_a"], one["n_b"], two["n_a"]) == (118, 118, 123)
    assert one["share_change"] > 0 and one["significant"]
    assert one["change_low"] > 0
    assert two["share_change"] == pytest.approx(0.0) and not two["significant"]
    assert two["pin_change"] == pytest.approx(0.0)
    assert one["rule"] == "jiaf-25" and one["phase_reason_b"]
    # the share of round a is the design-based estimate of `analysis estimate`
    scored_a = as_table(tables[0][1])
    from safepath.risk import score_table

    t = score_table(model, scored_a)
    t = t.mutate(_in=(t.phase >= 3).ifelse(1.0, 0.0))
    design = Design(weight="weight", strata="stratum", cluster="cluster_id")
    want = estimate(t, "_in", design, by=["admin1"], kind="mean")
    got = next(e for e in want if e.group == ("PCODE1",))
    assert one["share_a"] == pytest.approx(got.estimate, abs=1e-12)
    # early warning: PCODE1's PiN rose by more than 10 %, PCODE2's did not move
    found = alerts(list(rows.values()), pin_rise=0.10)
    assert [r["group"] for r in found] == [["PCODE1"]]


def test_trends_and_alerts_cli(tmp_path: Path) -> None:
    # eviction yes: R = (5 + 1) / 3 = 2 -> phase 3; no: 2 / 3 -> phase 1. X: 1 of 5 at phase 3
    # (20 %: area phase 1), then 5 of 5 (phase 3); Y: none at phase 3 in either round
    model = tmp_path / "trend.yaml"
    model.write_text(MODEL_YAML, encoding="utf-8")
    head = "a,e,w\n"
    before = head + "X,yes,1\n" + "X,no,1\n" * 4 + "Y,no,1\n" * 2
    after = head + "X,yes,1\n" * 5 + "Y,no,1\n" * 2
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(before, encoding="utf-8")
    b.write_text(after, encoding="utf-8")
    common = [str(a), str(b), "--model", str(model), "--by", "adm1"]
    done = run_cli(["analysis", "trends", *common, "--format", "csv"])
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(io.StringIO(done.stdout)).fillna({"group": ""})
    assert table["group"].tolist() == ["", "X", "Y"]
    assert table["share_change"].tolist() == pytest.approx([4 / 7, 0.8, 0.0])
    assert table["significant"].tolist() == [True, True, False]
    assert table["area_phase_b"].fillna(0).tolist() == [0, 3, 1]
    assert set(table["rule"]) == {"jiaf-25"}
    done = run_cli(["analysis", "alerts", *common])
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [(r["group"], r["area_phase_a"], r["area_phase_b"]) for r in found] == [(["X"], 1, 3)]
    assert found[0]["alert"].startswith("area phase 1 -> 3")


def test_two_rounds_are_needed() -> None:
    from safepath.cli.analysis import _two_rounds
    from safepath.errors import InputError

    with pytest.raises(InputError, match="give two rounds to compare"):
        _two_rounds([Path("a.csv")], None)
    with pytest.raises(InputError, match="give two rounds to compare"):
        _two_rounds([Path("a.csv")], ["r1"])
