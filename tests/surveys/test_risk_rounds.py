"""Risk models on stored rounds: household indicators from repeat rows, ``else`` for unlisted
choices, group-path names, the model checked against its form, unscored answers summarised."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import Engine
from tests.cli_process import run_cli
from tests.surveys.rounds_for_export import lenient_policy
from tests.surveys.sample import write_form, write_kobo_xlsx

from safepath.privacy.actor import SYSTEM
from safepath.risk import evaluate, load_model_text, score_table
from safepath.risk.unmapped import unmapped
from safepath.rounds import service
from safepath.rounds.forms import add_form
from safepath.store.db import session_scope
from safepath.surveys.household import with_household_columns
from safepath.surveys.modelcheck import check_model
from safepath.surveys.xlsform import load_form

MODEL = """
id: sample-hh
version: "1"
title: Sample
form: sample_hh
indicators:
  - {id: needs, label: Needs, level: household, component: threat, field: hh/needs,
     score: {multiple: {values: {food: 4}, none: [], else: 2}}}
  - {id: displaced, label: Displaced, level: household, component: vulnerability,
     field: displaced, applies_when: "hh/hh_size > 1", score: {map: {"yes": 4, "no": 1}}}
  - id: member_disability
    label: A member with a lot of difficulty or worse (Washington Group)
    level: household
    component: vulnerability
    field: member_wg_a_lot
    aggregate: {table: members, kind: any, fields: [wg_seeing],
                values: [lot_of_difficulty, cannot_do]}
    score: {map: {"yes": 5, "no": 1}}
  - id: children
    label: Children under 18
    level: household
    component: vulnerability
    field: children
    aggregate: {table: members, kind: count, where: "age < 18"}
    score: {thresholds: [[0, 1], [1, 3], [3, 5]]}
"""


def test_else_scores_unlisted_choices_in_both_evaluators() -> None:
    model = load_model_text(MODEL.split("  - id: member_disability")[0])
    records = [{"needs": "food"}, {"needs": "water"}, {"needs": "water food"}, {"needs": ""}]
    table = score_table(model, pa.Table.from_pylist(records)).to_pyarrow().to_pylist()
    for rec, row in zip(records, table, strict=True):
        assert evaluate(model, rec).threat == row["threat"], rec
    assert [r["threat"] for r in table] == [4.0, 2.0, 4.0, 1.0]


def test_applies_when_takes_group_paths() -> None:
    model = load_model_text(MODEL.split("  - id: member_disability")[0])
    assert model.indicators[0].field == "needs"
    assert evaluate(model, {"displaced": "yes", "hh_size": 2}).vulnerability == 4.0
    assert evaluate(model, {"displaced": "yes", "hh_size": 1}).vulnerability == 1.0


def test_household_indicators_from_repeat_rows(engine: Engine, tmp_path: Path) -> None:
    model = load_model_text(MODEL)
    form_path = write_form(tmp_path / "f.xlsx")
    with session_scope() as s:
        form = add_form(s, form_path, by="t").row
        service.import_round(
            s, form, write_kobo_xlsx(tmp_path / "e.xlsx"), round_name="r", actor=SYSTEM, by="t"
        )
        main = service.load_table(s, "r")
        members = service.load_table(s, "r", "members")
    data = with_household_columns(model, main, {"members": members})
    by_key = {r["_key"]: r for r in data.to_pylist()}
    # u-1: ages 34 and 9, one "a lot of difficulty"; u-2: 71, some; u-3: 40, cannot do
    assert [
        (by_key[k]["member_wg_a_lot"], by_key[k]["children"]) for k in ("u-1", "u-2", "u-3")
    ] == [("yes", 1), ("no", 0), ("yes", 0)]
    assert check_model(model, load_form(form_path), extra_columns=main.column_names) == []


def test_the_model_is_checked_against_its_form(tmp_path: Path) -> None:
    model = load_model_text(
        MODEL.replace("field: displaced", "field: displacd").replace(
            "values: {food: 4}, none: [], else: 2", "values: {food: 4}"
        )
    )
    found = {
        (p.scope, p.column, p.message.split(":")[0])
        for p in check_model(model, load_form(write_form(tmp_path / "f.xlsx")))
    }
    assert ("sample-hh", "displacd", "not a field of the form") in found
    assert ("needs", "needs", "choices of 'needs' the model does not score") in found


def test_unscored_answers_are_counted() -> None:
    model = load_model_text(MODEL.split("  - id: member_disability")[0].replace(", else: 2", ""))
    table = pa.Table.from_pylist(
        [
            {"needs": "Food", "displaced": "Yes"},
            {"needs": "food", "displaced": "yes"},
            {"needs": "water", "displaced": None},
        ]
    )
    found = {u.indicator: (u.records, u.values) for u in unmapped(model, table)}
    assert found == {"needs": (2, [("Food", 1), ("water", 1)]), "displaced": (1, [("Yes", 1)])}


@pytest.mark.usefixtures("engine")
def test_risk_score_on_a_round_cli(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(MODEL, encoding="utf-8")
    with session_scope() as s:
        form = add_form(s, write_form(tmp_path / "f.xlsx"), by="t").row
        service.import_round(
            s, form, write_kobo_xlsx(tmp_path / "e.xlsx"), round_name="r", actor=SYSTEM, by="t"
        )
    args = [
        "risk",
        "score",
        "--round",
        "r",
        "--model",
        str(model),
        "--out",
        str(tmp_path / "o.csv"),
    ]
    refused = run_cli(args)  # three households: a stored round's records may not leave as they are
    assert refused.returncode == 2 and "refused by the disclosure policy" in refused.stderr
    assert not (tmp_path / "o.csv").exists()
    policy = str(lenient_policy(tmp_path))
    done = run_cli(args, SAFEPATH_DISCLOSURE_POLICY_FILE=policy)  # an operation that allows it
    assert done.returncode == 0, done.stderr
    assert "scored 3 records" in done.stdout
    assert "model vs form" not in done.stderr
