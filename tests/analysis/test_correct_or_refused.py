"""Issue 13, "correct or refused": each silent wrong number found on real data is now a correct
number or an error naming file, row and column, in the table (Ibis) evaluator and in the record
evaluator alike.

Weights: a negative, NaN or blank weight used to be taken (blank as 1); a decimal comma ``0,5``
was read as blank, so as 1. HXL: the hashtag row of a DTM table was a record (a group
``#adm1+code``). Area profiles: duplicate P-codes multiplied records. ``multiple``: an answer
of unlisted choices only scores the model's ``else``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.cli_process import run_cli

from safepath.errors import InputError
from safepath.risk import classify_areas, evaluate, load_model_text, score_table
from safepath.risk.area_profile import AreaProfile
from safepath.risk.areas import classify_records
from safepath.risk.table import as_table
from safepath.surveys.tables import first_row, read_table

MODEL_YAML = """
id: weights
version: "1"
title: Weights
weight_field: w
places: {adm1: a}
indicators:
  - {id: e, label: Eviction, level: household, component: threat, field: e,
     score: {map: {"yes": 4, "no": 1}}}
  - {id: needs, label: Needs, level: household, component: vulnerability, field: needs,
     score: {multiple: {values: {food: 4}, none: [none], else: 3}}}
"""
MODEL = load_model_text(MODEL_YAML)


def table_groups(data: Any, **kw: Any) -> dict[str, dict[str, Any]]:
    out = classify_areas(MODEL, score_table(MODEL, data), by=["adm1"], **kw).to_pandas()
    return {str(r["adm1"]): dict(r) for r in out.to_dict("records")}


def record_groups(data: pd.DataFrame, **kw: Any) -> dict[str, dict[str, Any]]:
    scored = score_table(MODEL, data).to_pandas().to_dict("records")
    return {str(g["adm1"]): g for g in classify_records(MODEL, scored, by=["adm1"], **kw)}


def frame(weights: list[Any]) -> pd.DataFrame:
    n = len(weights)
    return pd.DataFrame(
        {"a": ["X"] * n, "e": ["yes"] * n, "needs": ["food"] * n, "w": pd.Series(weights)}
    )


@pytest.mark.parametrize(
    ("weights", "row", "why"),
    [
        ([1.0, -2.0, 1.0], 3, "negative weight"),
        ([1.0, 1.0, float("nan")], 4, "missing weight"),  # pandas reads NaN as a blank
        (["1", "", "2"], 3, "missing weight"),
        (["1", "nan", "2"], 3, "not a number"),
        (["1", "0,5", "2"], 3, "--decimal ,"),
        ([1.0, float("inf")], 3, "infinite weight"),
    ],
)
def test_both_evaluators_refuse_an_unusable_weight_naming_the_row(
    weights: list[Any], row: int, why: str
) -> None:
    data = frame(weights)
    for classify in (table_groups, record_groups):
        with pytest.raises(InputError) as caught:
            classify(data, source="round.csv", first_row=2)
        problem = caught.value.problems[0]
        assert (problem.scope, problem.row, problem.column) == ("round.csv", row, "w"), classify
        assert why in problem.message, classify
        assert "1 unusable weight(s) in 'w'" in caught.value.message


def test_a_missing_weight_column_is_refused_by_both() -> None:
    data = frame([1.0]).drop(columns=["w"])
    with pytest.raises(InputError, match="lacks the weight column 'w'"):
        table_groups(data)
    with pytest.raises(InputError, match="lacks the weight column 'w'"):
        record_groups(data)


def test_zero_weights_are_allowed_and_sum_to_no_population() -> None:
    data = pd.concat([frame([2.0, 0.0]), frame([0.0]).assign(a="Y")], ignore_index=True)
    for groups in (table_groups(data), record_groups(data)):
        assert groups["X"]["population"] == 2.0 and groups["X"]["area_phase"] == 3
        assert groups["Y"]["population"] == 0.0 and pd.isna(groups["Y"]["area_phase"])


def test_decimal_commas_are_read_when_the_file_says_so(tmp_path: Path) -> None:
    # A semicolon-separated CSV (the layout of a spreadsheet in a comma-decimal locale): 0,5 is
    # one half. Before, it was text, read as missing and counted as 1: population 3, not 2.
    semi = tmp_path / "semi.csv"
    semi.write_text("a;e;needs;w\nX;yes;food;0,5\nX;no;food;1,5\n", encoding="utf-8")
    data = read_table(semi)
    assert data["w"].tolist() == [0.5, 1.5]
    phases = score_table(MODEL, data).to_pandas()["phase"].tolist()
    assert phases == [3, 2]  # R = (4 + 4) / 3 and (1 + 4) / 3
    for groups in (table_groups(data), record_groups(data)):
        assert groups["X"]["population"] == 2.0
        assert groups["X"]["phase_3"] == pytest.approx(0.25)  # 0.5 of 2
    # A comma-separated CSV quoting "0,5" says nothing: refused (above) unless --decimal ,
    comma = tmp_path / "comma.csv"
    comma.write_text('a,e,needs,w\nX,yes,food,"0,5"\nX,no,food,2\n', encoding="utf-8")
    assert read_table(comma)["w"].tolist() == ["0,5", "2"]
    assert read_table(comma, decimal=",")["w"].tolist() == [0.5, 2.0]
    # a column mixing both marks stays text, so it is refused rather than half-read
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("a;e;needs;w\nX;yes;food;0,5\nX;no;food;0.5\n", encoding="utf-8")
    assert read_table(mixed)["w"].tolist() == ["0,5", "0.5"]
    with pytest.raises(InputError, match="--decimal"):
        read_table(comma, decimal="x")


HXL_CSV = (
    "a,e,needs,w\n#adm1+code,#indicator+eviction,#indicator+needs,#indicator+weight\n"
    "X,yes,food,1\nX,no,food,3\n"
)


def test_an_hxl_hashtag_row_is_not_a_record(tmp_path: Path) -> None:
    path = tmp_path / "dtm.csv"
    path.write_text(HXL_CSV, encoding="utf-8")
    data = read_table(path)
    assert len(data) == 2 and data["w"].tolist() == [1, 3]  # numbers, not text
    assert first_row(data) == 3 and data.attrs["hxl"]["a"] == "#adm1+code"
    for groups in (table_groups(data), record_groups(data)):
        assert list(groups) == ["X"]  # before: a group "#adm1+code" with n = 1
        assert groups["X"]["n"] == 2 and groups["X"]["population"] == 4.0
    # the table evaluator given the file itself (DuckDB reads it) skips the row too
    assert as_table(path).to_pandas()["w"].tolist() == [1, 3]
    # and rows are the file's: the hashtag row is row 2, so the first record is row 3
    bad = tmp_path / "bad.csv"
    bad.write_text(HXL_CSV.replace("X,no,food,3", "X,no,food,-3"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        table_groups(read_table(bad), source=bad.name, first_row=first_row(read_table(bad)))
    assert caught.value.problems[0].row == 4


def test_an_hxl_row_in_a_workbook_is_not_a_record(tmp_path: Path) -> None:
    path = tmp_path / "dtm.xlsx"
    rows = [line.split(",") for line in HXL_CSV.strip().splitlines()]
    pd.DataFrame(rows[1:], columns=rows[0]).assign(w=["#indicator+weight", 1, 3]).to_excel(
        path, index=False, engine="openpyxl"
    )
    data = read_table(path)
    assert data["w"].tolist() == [1, 3] and first_row(data) == 3
    assert list(table_groups(data)) == list(record_groups(data)) == ["X"]


def test_the_dtm_table_is_read_without_its_hashtag_row(shared_dir: Path) -> None:
    dtm = read_table(shared_dir / "data/iom-dtm-hxl/global-iom-dtm-from-api-admin-0-to-2.csv")
    assert not dtm["admin0Pcode"].astype(str).str.startswith("#").any()
    assert dtm["numPresentIdpInd"].dtype.kind in "if"  # figures are numbers again
    # Issue case 2: the DTM table keyed by admin-2 P-code repeats codes (one row per round).
    # As an area profile it would multiply the records joined to it: refused, naming them.
    rows = dtm.rename(columns={"admin2Pcode": "pcode"})[["pcode", "numPresentIdpInd"]]
    rows = rows[rows["pcode"].notna()].head(400)
    repeated = sorted(set(rows["pcode"][rows["pcode"].duplicated()]))
    assert repeated
    with pytest.raises(InputError) as caught:
        AreaProfile.from_rows(
            [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")],
            source="dtm.csv",
            first_row=3,
        )
    assert f"duplicate P-codes {', '.join(repeated)}" in caught.value.message
    assert {p.value for p in caught.value.problems} == set(repeated)


def test_unlisted_choices_only_score_else_in_both_evaluators() -> None:
    data = pd.DataFrame(
        {
            "a": ["X", "X", "X"],
            "e": ["no", "no", "no"],
            "needs": ["shelter", "food", "none"],
            "w": [1.0, 1.0, 1.0],
        }
    )
    table = score_table(MODEL, data, explain=False).to_pandas()
    records = [
        evaluate(MODEL, {str(k): v for k, v in r.items()}, explain=False)
        for r in data.to_dict("records")
    ]
    # only unlisted "shelter": else 3 (before: unanswered, vulnerability defaulted to 1)
    assert table["vulnerability"].tolist() == [3.0, 4.0, 1.0]
    assert [a.vulnerability for a in records] == [3.0, 4.0, 1.0]


def test_risk_areas_cli_names_the_file_row_of_a_bad_weight(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(MODEL_YAML, encoding="utf-8")
    data = tmp_path / "round.csv"
    data.write_text(HXL_CSV.replace("X,no,food,3", "X,no,food,-3"), encoding="utf-8")
    done = run_cli(
        [
            "risk",
            "areas",
            str(data),
            "--model",
            str(model),
            "--by",
            "adm1",
            "--out",
            str(tmp_path / "areas.csv"),
        ]
    )
    assert done.returncode == 2, done.stderr
    assert "round.csv: 1 unusable weight(s) in 'w'" in done.stderr
    assert "row 4" in done.stderr and "negative weight" in done.stderr
    assert not (tmp_path / "areas.csv").exists()


def test_an_area_profile_text_with_an_hxl_row() -> None:
    text = "pcode,services\n#adm2+code,#indicator+services\nA1,good\nA1,poor\n"
    with pytest.raises(InputError) as caught:
        AreaProfile.from_csv_text(text, source="profile.csv")
    assert [p.row for p in caught.value.problems] == [3, 4]  # the hashtag row is not an area
    assert len(AreaProfile.from_csv_text(text.replace("A1,poor", "A2,poor"))) == 2
