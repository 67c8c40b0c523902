"""safepath.analysis against R's ``survey`` package (the reference implementation), to 1e-6.

One Rscript run computes every figure of this module (``oracle`` fixture): the shared REACH
MSNA 2024 dummy round with ``svydesign(ids=~cluster_id, strata=~stratum, weights=~weight,
nest=TRUE)``, ``svymean``/``svyby``/``confint``/``svyratio``, and a synthetic design with a
lonely PSU under each ``survey.lonely.psu`` rule. Skips without R unless SAFEPATH_REQUIRE_R=1.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.analysis.r_oracle import require_r, run_oracle
from tests.cli_process import run_cli

from safepath.analysis.design import Design, LonelyPsu
from safepath.analysis.estimates import Estimate, Kind, estimate
from safepath.analysis.pin import people_in_need
from safepath.analysis.population import from_frame
from safepath.analysis.variance import DeffMethod
from safepath.errors import InputError
from safepath.risk import load_model, score_table
from safepath.risk.table import as_table
from safepath.surveys.tables import read_table

REACH = "data/reach-msna-2024"
TOL = 1e-6
MSNA = Design(weight="weight", strata="stratum", cluster="cluster_id", row="_row", source="m")
LONELY: tuple[LonelyPsu, ...] = ("remove", "certainty", "adjust", "average")


def _synthetic() -> pd.DataFrame:
    """Strata A (3 PSUs), B (2), C (1: lonely); group y is absent from B; group z weighs 0."""
    rng = random.Random(11)
    rows = []
    for stratum, psus in (("A", 3), ("B", 2), ("C", 1)):
        for p in range(1, psus + 1):
            for _ in range(rng.randint(4, 8)):
                g = rng.choice(("x", "y")) if stratum != "B" else "x"
                rows.append(
                    {
                        "st": stratum,
                        "psu": f"c{p}",  # the same ids in every stratum: nest=TRUE matters
                        "g": g,
                        "w": round(rng.uniform(5, 30), 3),
                        "cat": rng.choice(("p", "q", "r", None)),
                        "num": rng.choice((None, round(rng.uniform(0, 100), 2))),
                    }
                )
            rows.append({"st": stratum, "psu": f"c{p}", "g": "z", "w": 0.0, "cat": "q", "num": 5})
    rows[0]["w"] = 0.0  # a zero weight inside a populated group
    frame = pd.DataFrame(rows)
    frame["_row"] = range(2, len(frame) + 2)
    return frame


@pytest.fixture(scope="module")
def msna(shared_dir: Path) -> pd.DataFrame:
    frame = read_table(shared_dir / REACH / "dummy_raw_data.xlsx", sheet="main").copy()
    frame["_row"] = range(2, len(frame) + 2)
    return frame


@pytest.fixture(scope="module")
def scored(msna: pd.DataFrame) -> pd.DataFrame:
    model = load_model("reach-msna-2024-protection")
    out: pd.DataFrame = score_table(model, msna).to_pandas()
    return out


def _msna_for_r(msna: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    cols = [
        "stratum",
        "cluster_id",
        "weight",
        "admin1",
        "resp_gender",
        "setting",
        "prot_concern_freq_displaced",
        "hlp_risk_eviction",
        "resp_age",
        "hoh_age",
        "health_facility_time",
        "aap_priority_challenge",
        "hh_size",
    ]
    frame = msna[cols].copy()
    for c in msna.columns:
        if c.startswith("snfi_shelter_issue/"):
            frame["oh_" + c.split("/", 1)[1]] = msna[c]
    frame["phase"] = scored["phase"].to_numpy()
    return frame


def _case(id: str, data: str, vars: Sequence[str], **kw: Any) -> dict[str, Any]:
    design = kw.pop("design", {"cluster": "cluster_id", "strata": "stratum", "weight": "weight"})
    return {
        "id": id,
        "data": data,
        "vars": list(vars),
        "by": kw.pop("by", []),
        "lonely": kw.pop("lonely", "fail"),
        "deff": kw.pop("deff", "TRUE"),
        **design,
        **kw,
    }


SYN = {"cluster": "psu", "strata": "st", "weight": "w"}


@pytest.fixture(scope="module")
def oracle(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[dict[str, Any]]]:
    """Every R figure of the module from one Rscript run (the MSNA cases when ../shared is)."""
    require_r()  # before any work
    tmp = tmp_path_factory.mktemp("r")
    s = str(tmp / "synthetic.csv")
    _synthetic().drop(columns="_row").to_csv(s, index=False)
    cases = _synthetic_cases(s)
    try:
        msna, scored = request.getfixturevalue("msna"), request.getfixturevalue("scored")
    except pytest.skip.Exception:
        return run_oracle(cases, tmp)
    m = str(tmp / "msna.csv")
    _msna_for_r(msna, scored).to_csv(m, index=False)
    return run_oracle([*cases, *_msna_cases(m, msna, scored)], tmp)


def _synthetic_cases(s: str) -> list[dict[str, Any]]:
    return [
        _case("s_fail", s, ["cat"], by=["g"], kind="factor", design=SYN),
        *(
            _case(f"s_cat_{r}", s, ["cat"], by=["g"], kind="factor", lonely=r, design=SYN)
            for r in LONELY
        ),
        *(_case(f"s_num_{r}", s, ["num"], by=["g"], lonely=r, design=SYN) for r in LONELY),
        _case(
            "s_rows", s, ["cat"], by=["g"], kind="factor", lonely="adjust", design={"strata": "st"}
        ),
        _case("s_one_stratum", s, ["num"], by=["g"], design={"cluster": "psu", "weight": "w"}),
        _case("s_unweighted", s, ["cat"], kind="factor", lonely="remove", design={"strata": "st"}),
    ]


def _msna_cases(m: str, msna: pd.DataFrame, scored: pd.DataFrame) -> list[dict[str, Any]]:
    shelter = sorted(c for c in _msna_for_r(msna, scored).columns if c.startswith("oh_"))
    return [
        _case("displaced", m, ["prot_concern_freq_displaced"], by=["admin1"], kind="factor"),
        _case(
            "displaced_wr",
            m,
            ["prot_concern_freq_displaced"],
            by=["admin1"],
            kind="factor",
            deff="replace",
        ),
        _case(
            "displaced_excl",
            m,
            ["prot_concern_freq_displaced"],
            by=["admin1"],
            kind="factor",
            exclude=["dnk", "pnta"],
        ),
        _case("eviction", m, ["hlp_risk_eviction"], by=["admin1", "resp_gender"], kind="factor"),
        _case("age", m, ["resp_age", "hoh_age"], by=["admin1"], deff="replace"),
        _case("facility", m, ["health_facility_time"], by=["setting"]),
        _case("shelter", m, shelter, by=["admin1"]),
        _case("challenge", m, ["aap_priority_challenge"], by=["admin1"], kind="tokens"),
        _case(
            "in_need",
            m,
            [],
            by=["admin1"],
            indicator={"name": "in_need", "column": "phase", "at_least": 3},
            ratio="hh_size",
        ),
    ]


def _key(e: Estimate, label: str) -> tuple[str, str]:
    return (".".join(e.group), label)


def _check(
    r_rows: list[dict[str, Any]],
    estimates: list[Estimate],
    label: Any,
    *,
    deff: bool = True,
) -> None:
    """Every R figure has a Python twin within TOL; Python rows R lacks have no population."""
    assert r_rows and "error" not in r_rows[0], r_rows[:1]
    mine = {_key(e, label(e)): e for e in estimates}
    for r in r_rows:
        e = mine.pop((r["group"], r["name"]))
        assert e.estimate == pytest.approx(r["est"], abs=TOL), r
        assert e.se == pytest.approx(r["se"], abs=TOL), r
        assert e.ci_low == pytest.approx(r["lo"], abs=TOL), r
        assert e.ci_high == pytest.approx(r["hi"], abs=TOL), r
        if deff:
            if r["deff"] is None:
                assert e.deff is None, (r, e)
            else:
                assert e.deff == pytest.approx(r["deff"], abs=TOL), r
    assert all(e.no_population for e in mine.values()), sorted(mine)


def _est(
    frame: pd.DataFrame,
    var: str,
    design: Design,
    by: Sequence[str],
    kind: Kind = "auto",
    exclude: Sequence[str] = (),
    deff: DeffMethod = "without_replacement",
) -> list[Estimate]:
    used = [*design.columns(), "_row", *by, var, *(c for c in frame.columns if c.startswith(var))]
    table = as_table(frame[[c for c in dict.fromkeys(used) if c in frame.columns]])
    return estimate(table, var, design, by=by, kind=kind, exclude=exclude, deff=deff)


@pytest.mark.shared
def test_acceptance_cli_json_equals_r(
    shared_dir: Path, oracle: dict[str, list[dict[str, Any]]]
) -> None:
    done = run_cli(
        [
            "analysis",
            "estimate",
            str(shared_dir / REACH / "dummy_raw_data.xlsx"),
            "--sheet",
            "main",
            "--var",
            "prot_concern_freq_displaced",
            "--by",
            "admin1",
            "--strata",
            "stratum",
            "--cluster",
            "cluster_id",
            "--weight",
            "weight",
            "--format",
            "json",
        ]
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 6 * 3  # six answers, overall and in two admin1 groups
    r_rows = oracle["displaced"]
    assert len(r_rows) == 18
    by_key = {(".".join(r["group"]), r["var"] + r["value"]): r for r in rows}
    for r in r_rows:
        mine = by_key[(r["group"], r["name"])]
        for ours, theirs in (("prop", "est"), ("se", "se"), ("ci_low", "lo"), ("ci_high", "hi")):
            assert mine[ours] == pytest.approx(r[theirs], abs=TOL), (ours, r)
        assert mine["by"] == (["admin1"] if r["group"] else [])
        assert mine["deff"] is None and r["deff"] is None  # weights sum to 234 < n = 241: R NA
    overall = [r for r in rows if not r["by"]]
    assert sum(r["prop"] for r in overall) == pytest.approx(1.0)
    assert {r["n"] for r in overall} == {241} and sum(r["count"] for r in overall) == 241
    assert all(r["small_n"] is False and r["no_population"] is False for r in rows)


@pytest.mark.shared
def test_categorical_and_deff_with_replacement(
    msna: pd.DataFrame, oracle: dict[str, list[dict[str, Any]]]
) -> None:
    var = "prot_concern_freq_displaced"
    est = _est(msna, var, MSNA, ["admin1"], deff="with_replacement")
    _check(oracle["displaced_wr"], est, lambda e: var + e.value)
    assert all(e.deff is not None and e.deff > 0 for e in est)


@pytest.mark.shared
def test_excluded_answers_leave_the_base(
    msna: pd.DataFrame, oracle: dict[str, list[dict[str, Any]]]
) -> None:
    var = "prot_concern_freq_displaced"
    est = _est(msna, var, MSNA, ["admin1"], exclude=["dnk", "pnta"])
    _check(oracle["displaced_excl"], est, lambda e: var + e.value)
    assert {e.value for e in est} == {"always", "never", "once_or_twice", "several_times"}
    assert est[0].n == 241 - 30 - 50


@pytest.mark.shared
def test_two_groupings_are_one_domain_each(
    msna: pd.DataFrame, oracle: dict[str, list[dict[str, Any]]]
) -> None:
    var = "hlp_risk_eviction"
    est = _est(msna, var, MSNA, ["admin1", "resp_gender"])
    _check(oracle["eviction"], est, lambda e: var + e.value)
    assert {e.group for e in est if e.by} == {
        (a, g) for a in ("PCODE1", "PCODE2") for g in ("female", "male", "other", "pnta")
    }
    assert any(e.small_n for e in est if e.by and e.n < 30)
    assert not any(e.small_n for e in est if e.by and e.n >= 30)


@pytest.mark.shared
def test_means_with_missing_answers(
    msna: pd.DataFrame, oracle: dict[str, list[dict[str, Any]]]
) -> None:
    rows = oracle["age"]
    for var in ("resp_age", "hoh_age"):
        est = _est(msna, var, MSNA, ["admin1"], deff="with_replacement")
        _check([r for r in rows if r["var"] == var], est, lambda e, v=var: v)
        assert all(e.stat == "mean" and e.value is None and e.count is None for e in est)
    hoh = _est(msna, "hoh_age", MSNA, [])
    assert hoh[0].n == 241 - 112  # the unanswered are outside the base


@pytest.mark.shared
def test_mean_by_setting(msna: pd.DataFrame, oracle: dict[str, list[dict[str, Any]]]) -> None:
    est = _est(msna, "health_facility_time", MSNA, ["setting"])
    _check(oracle["facility"], est, lambda e: "health_facility_time")


@pytest.mark.shared
def test_select_multiple_one_hot_and_space_separated(
    msna: pd.DataFrame, oracle: dict[str, list[dict[str, Any]]]
) -> None:
    est = _est(msna, "snfi_shelter_issue", MSNA, ["admin1"])  # auto: one-hot columns exist
    _check(oracle["shelter"], est, lambda e: "oh_" + e.value)
    shares = [e.estimate for e in est if not e.by and e.estimate is not None]
    assert sum(shares) > 1  # several options per household: shares do not add to 1
    text = msna[["stratum", "cluster_id", "weight", "_row", "admin1", "aap_priority_challenge"]]
    est = _est(text, "aap_priority_challenge", MSNA, ["admin1"], kind="multiple")
    _check(oracle["challenge"], est, lambda e: "tok_" + e.value)


@pytest.mark.shared
def test_pin_share_equals_r_and_people_use_the_frame(
    shared_dir: Path, scored: pd.DataFrame, oracle: dict[str, list[dict[str, Any]]]
) -> None:
    frame = read_table(shared_dir / REACH / "loa.xlsx", sheet="sample_frame")
    pops = frame.groupby("admin1")["pop"].sum().to_dict()
    population = from_frame(frame, ["admin1"], source="loa.xlsx")
    rows = oracle["in_need"]
    for size, var in ((None, "in_need"), ("hh_size", "in_need/hh_size")):
        pin = people_in_need(
            as_table(
                scored[["stratum", "cluster_id", "weight", "_row", "admin1", "hh_size", "phase"]]
            ),
            MSNA,
            population,
            phase=3,
            by=["admin1"],
            household_size=size,
        )
        r_rows = [r for r in rows if r["var"] == var]
        assert len(pin) == len(r_rows) == 3
        for p in pin:
            r = next(r for r in r_rows if r["group"] == ".".join(p.group))
            pop = pops[p.group[0]] if p.group else sum(pops.values())
            assert p.population == pop
            assert p.share == pytest.approx(r["est"], abs=TOL)
            assert p.se == pytest.approx(r["se"], abs=TOL)
            assert p.pin == pytest.approx(r["est"] * pop, abs=TOL * pop)
            assert p.pin_low == pytest.approx(max(0, r["lo"]) * pop, abs=TOL * pop)
            assert p.pin_high == pytest.approx(min(1, r["hi"]) * pop, abs=TOL * pop)
            assert p.pin_low < p.pin < p.pin_high  # type: ignore[operator]


@pytest.mark.shared
def test_pin_cli_in_people_with_intervals(
    shared_dir: Path, oracle: dict[str, list[dict[str, Any]]]
) -> None:
    done = run_cli(
        [
            "analysis",
            "pin",
            str(shared_dir / REACH / "dummy_raw_data.xlsx"),
            "--sheet",
            "main",
            "--model",
            "reach-msna-2024-protection",
            "--frame",
            str(shared_dir / REACH / "loa.xlsx"),
            "--by",
            "adm1",  # the model's place name for admin1
            "--strata",
            "stratum",
            "--cluster",
            "cluster_id",
            "--household-size",
            "hh_size",
        ]
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    r_rows = {r["group"]: r for r in oracle["in_need"] if r["var"] == "in_need/hh_size"}
    assert [(r["group"], r["population"]) for r in rows] == [
        ([], 7000),
        (["PCODE1"], 3000),
        (["PCODE2"], 4000),
    ]
    for row in rows:
        r = r_rows[".".join(row["group"])]
        assert row["pin"] == pytest.approx(r["est"] * row["population"], abs=1e-3)
        assert row["pin_low"] == pytest.approx(r["lo"] * row["population"], abs=1e-3)
        assert row["pin_high"] == pytest.approx(r["hi"] * row["population"], abs=1e-3)


@pytest.mark.parametrize("rule", LONELY)
def test_lonely_psu_rules_equal_r(rule: LonelyPsu, oracle: dict[str, list[dict[str, Any]]]) -> None:
    data = _synthetic()
    design = Design(weight="w", strata="st", cluster="psu", lonely_psu=rule, row="_row")
    cat = _est(data, "cat", design, ["g"])
    _check(oracle[f"s_cat_{rule}"], cat, lambda e: "cat" + e.value)
    num = _est(data, "num", design, ["g"])
    _check(oracle[f"s_num_{rule}"], num, lambda e: "num")
    z = [e for e in cat if e.group == ("z",)]
    assert z and all(e.no_population and e.estimate is None and e.se is None for e in z)


def test_lonely_psu_fails_by_default_as_r_does(oracle: dict[str, list[dict[str, Any]]]) -> None:
    assert "only one PSU" in oracle["s_fail"][0]["error"]
    design = Design(weight="w", strata="st", cluster="psu", row="_row", source="syn.csv")
    with pytest.raises(InputError, match="single PSU") as caught:
        _est(_synthetic(), "cat", design, ["g"])
    assert [p.value for p in caught.value.problems] == ["C"]


def test_designs_without_clusters_strata_or_weights(
    oracle: dict[str, list[dict[str, Any]]],
) -> None:
    data = _synthetic()
    rows = Design(strata="st", lonely_psu="adjust", row="_row")  # every record its own PSU
    _check(oracle["s_rows"], _est(data, "cat", rows, ["g"]), lambda e: "cat" + e.value)
    one = Design(weight="w", cluster="psu", row="_row")
    # one stratum: the psu ids c1, c2 ... are then shared across A, B and C, as R reads them
    _check(oracle["s_one_stratum"], _est(data, "num", one, ["g"]), lambda e: "num")
    unweighted = Design(strata="st", lonely_psu="remove", row="_row")
    _check(oracle["s_unweighted"], _est(data, "cat", unweighted, []), lambda e: "cat" + e.value)
