"""Design-based estimates without R: closed-form checks, refusals naming rows, no NaN ever."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from safepath.analysis.design import Design
from safepath.analysis.estimates import Estimate, estimate
from safepath.cli.main import _register, app
from safepath.errors import InputError
from safepath.risk.table import as_table
from safepath.settings import reset_settings

_register()


def _frame(**cols: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(cols)
    frame["_row"] = range(2, len(frame) + 2)
    return frame


def _one(rows: list[Estimate], value: str | None = None, group: tuple[str, ...] = ()) -> Estimate:
    return next(e for e in rows if e.value == value and e.group == group)


def test_simple_random_sample_has_the_textbook_standard_error() -> None:
    y = ["yes"] * 7 + ["no"] * 13
    rows = estimate(as_table(_frame(y=y)), "y", Design(row="_row"))
    e = _one(rows, "yes")
    p, n = 7 / 20, 20
    # with-replacement linearisation, one stratum, each record a PSU: p(1-p)/(n-1)
    assert e.estimate == pytest.approx(p)
    assert e.se == pytest.approx(math.sqrt(p * (1 - p) / (n - 1)))
    assert e.ci_low == pytest.approx(p - 1.959963984540054 * e.se)  # type: ignore[operator]
    assert (e.n, e.count, e.weighted_n, e.small_n) == (20, 7, 20.0, True)


def test_weighted_mean_standard_error_by_hand() -> None:
    x, w = [1.0, 2.0, 4.0, 8.0, None], [1.0, 3.0, 2.0, 0.5, 9.0]
    rows = estimate(as_table(_frame(x=x, w=w)), "x", Design(weight="w", row="_row"))
    e = rows[0]
    pairs = [(xi, wi) for xi, wi in zip(x, w, strict=True) if xi is not None]
    big_w = sum(wi for _, wi in pairs)
    mean = sum(xi * wi for xi, wi in pairs) / big_w
    z = [wi * (xi - mean) / big_w for xi, wi in pairs]
    n_psu = 5  # the unanswered record is still a PSU of the design (its total is 0)
    zbar = sum(z) / n_psu
    v = n_psu / (n_psu - 1) * (sum((zi - zbar) ** 2 for zi in z) + zbar**2)
    assert (e.stat, e.value, e.count) == ("mean", None, None)
    assert e.estimate == pytest.approx(mean)
    assert e.se == pytest.approx(math.sqrt(v))
    assert e.n == 4 and e.weighted_n == pytest.approx(big_w)


def test_clusters_are_nested_in_strata() -> None:
    # cluster "c1" of stratum A and "c1" of stratum B are two PSUs (nest=TRUE)
    data = _frame(
        st=["A", "A", "A", "B", "B", "B"],
        cl=["c1", "c1", "c2", "c1", "c2", "c2"],
        y=[1.0, 0.0, 1.0, 0.0, 0.0, 1.0],
    )
    same = estimate(as_table(data), "y", Design(strata="st", cluster="cl", row="_row"))
    unique = data.assign(cl=data.st + "-" + data.cl)
    other = estimate(as_table(unique), "y", Design(strata="st", cluster="cl", row="_row"))
    assert same[0].se == pytest.approx(other[0].se)
    assert same[0].se and same[0].se > 0


@pytest.mark.parametrize(
    ("weight", "why"),
    [
        ("-1", "negative weight"),
        ("0,5", "write decimals with a point"),
        ("", "missing weight"),
        ("abc", "not a number"),
        ("nan", "not a number"),
        ("inf", "infinite weight"),
    ],
)
def test_unusable_weights_are_refused_naming_rows(weight: str, why: str) -> None:
    data = _frame(w=["1", "2", weight, "1.5"], y=["a", "b", "a", "b"])
    with pytest.raises(InputError) as caught:
        estimate(as_table(data), "y", Design(weight="w", row="_row", source="round.csv"))
    [problem] = caught.value.problems
    assert (problem.scope, problem.row, problem.column) == ("round.csv", 4, "w")
    assert why in problem.message
    assert "1 unusable weight" in caught.value.message


def test_blank_strata_and_clusters_are_refused() -> None:
    data = _frame(st=["A", None, "B"], cl=["1", "2", " "], y=[1, 2, 3])
    with pytest.raises(InputError) as caught:
        estimate(as_table(data), "y", Design(strata="st", cluster="cl", row="_row"))
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (3, "st", "blank stratum"),
        (4, "cl", "blank cluster"),
    ]


def test_a_group_weighing_nothing_has_no_population_and_no_nan() -> None:
    data = _frame(g=["x", "x", "z", "z"], w=[1.0, 2.0, 0.0, 0.0], y=["a", "b", "a", "a"])
    rows = estimate(as_table(data), "y", Design(weight="w", row="_row"), by=["g"])
    z = [e for e in rows if e.group == ("z",)]
    assert len(z) == 2 and all(e.no_population for e in z)
    assert all(e.estimate is None and e.se is None and e.ci_low is None for e in z)
    assert all(e.n == 0 and e.weighted_n == 0 for e in z)
    x = _one(rows, "a", ("x",))
    assert not x.no_population and x.estimate == pytest.approx(1 / 3)
    json.dumps([e.as_dict() for e in rows], allow_nan=False)  # no NaN anywhere


def test_a_lonely_psu_fails_by_default_naming_the_stratum() -> None:
    data = _frame(st=["A", "A", "B"], cl=["1", "2", "1"], y=[1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="single PSU.*SAFEPATH_ANALYSIS_LONELY_PSU") as caught:
        estimate(as_table(data), "y", Design(strata="st", cluster="cl", row="_row", source="r"))
    assert [p.value for p in caught.value.problems] == ["B"]
    ok = estimate(
        as_table(data), "y", Design(strata="st", cluster="cl", lonely_psu="certainty", row="_row")
    )
    assert ok[0].se is not None


def test_grouping_values_missing_or_numeric() -> None:
    data = _frame(g=[1.0, 1.0, None, 2.0], y=["a", "b", "a", "a"])
    rows = estimate(as_table(data), "y", Design(row="_row"), by=["g"])
    assert {e.group for e in rows if e.by} == {("1",), ("2",), ("(missing)",)}


def test_text_in_a_numeric_answer_is_refused_naming_rows() -> None:
    data = _frame(x=["1", "2.5", "many", ""])
    with pytest.raises(InputError) as caught:
        estimate(as_table(data), "x", Design(row="_row"), kind="mean")
    assert [(p.row, p.value) for p in caught.value.problems] == [(4, "many")]


def test_one_hot_columns_must_be_zero_or_one() -> None:
    data = _frame(**{"q/a": [1.0, 0.0], "q/b": [2.0, 1.0]})
    with pytest.raises(InputError, match="not 0 or 1") as caught:
        estimate(as_table(data), "q", Design(row="_row"))
    assert caught.value.problems[0].column == "q/b"


def test_space_separated_and_one_hot_agree() -> None:
    answers = ["a b", "b", None, "c a", "b c"]
    hot = {f"q/{o}": [None if v is None else float(o in v.split()) for v in answers] for o in "abc"}
    data = _frame(q=answers, w=[1.0, 2.0, 3.0, 4.0, 5.0], **hot)
    design = Design(weight="w", row="_row")
    one_hot = estimate(as_table(data), "q", design)
    spaced = estimate(as_table(data.drop(columns=list(hot))), "q", design, kind="multiple")
    assert [e.as_dict() for e in one_hot] == [e.as_dict() for e in spaced]
    assert _one(one_hot, "b").estimate == pytest.approx((1 + 2 + 5) / 12)


def test_exclude_is_for_single_choice_questions() -> None:
    data = _frame(x=[1.0, 2.0])
    with pytest.raises(InputError, match="categorical"):
        estimate(as_table(data), "x", Design(row="_row"), exclude=["dnk"])


def test_cli_csv_output_and_refusal(tmp_path: Path) -> None:
    good = tmp_path / "round.csv"
    _frame(
        st=["A", "A", "B", "B"], g=["x", "y", "x", "y"], w=["1", "2", "1", "2"], y=[1, 2, 3, 4]
    ).drop(columns="_row").to_csv(good, index=False)
    runner = CliRunner()  # in-process: the subprocess runs are the acceptance tests
    args = ["analysis", "estimate", str(good), "--var", "y", "--by", "g,st", "--weight", "w"]
    done = runner.invoke(app, [*args, "--format", "csv"])
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("var,value,by,group,mean,se,ci_low,ci_high,n,count,")
    assert lines[1].startswith("y,,,,2.6666666666666665,")  # (1+4+3+8)/6
    assert any(line.startswith("y,,g|st,x|A,1.0,") for line in lines)
    bad = tmp_path / "bad.csv"
    bad.write_text("w,y\n1,1\n0;5,2\n-3,1\n", encoding="utf-8")
    done = runner.invoke(app, ["analysis", "estimate", str(bad), "--var", "y", "--weight", "w"])
    stderr = " ".join(done.stderr.split())  # rich wraps at 80 columns
    assert done.exit_code == 2 and done.stdout == ""
    assert "bad.csv, row 4, column 'w': negative weight" in stderr
    assert "bad.csv, row 3, column 'w': weight is not a number" in stderr


def test_cli_lonely_psu_and_small_n_come_from_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lonely.csv"
    path.write_text("st,cl,y\nA,1,1\nA,2,2\nB,1,3\n", encoding="utf-8")
    args = ["analysis", "estimate", str(path), "--var", "y", "--strata", "st", "--cluster", "cl"]
    runner = CliRunner()
    failed = runner.invoke(app, args)
    assert failed.exit_code == 2 and "single PSU" in failed.stderr and "B" in failed.stderr
    monkeypatch.setenv("SAFEPATH_ANALYSIS_LONELY_PSU", "certainty")
    monkeypatch.setenv("SAFEPATH_ANALYSIS_SMALL_N", "3")
    reset_settings()
    try:
        done = runner.invoke(app, args)
        assert done.exit_code == 0, done.stderr
        [row] = json.loads(done.stdout)
        assert row["mean"] == 2.0 and row["n"] == 3 and row["small_n"] is False
        # B is a certainty unit (0); A's PSU totals -1/3 and 0: 2/(2-1) * 2 * (1/6)^2 = 1/9
        assert row["se"] == pytest.approx(1 / 3)
        averaged = runner.invoke(app, [*args, "--lonely-psu", "average"])
        assert json.loads(averaged.stdout)[0]["se"] > row["se"]
    finally:
        monkeypatch.undo()
        reset_settings()
