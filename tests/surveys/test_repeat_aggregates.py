"""Household indicators from the MSNA 2024 dummy round's roster: any member with a Washington
Group answer "a lot of difficulty" or worse, and the number of children under 18. The table
path (household columns, then the Ibis evaluator) and the record evaluator (a household with its
roster rows) agree, and both match a count made straight from the export's sheets."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
from tests.surveys.exports import EXPORT_FILE, FORM_FILE, MSNA, sheet

from safepath.risk import evaluate, load_model_text, score_table
from safepath.surveys.household import with_household_columns
from safepath.surveys.submissions import KEY, SUBMISSION, read_export
from safepath.surveys.xlsform import load_form

WG = ["wgq_vision", "wgq_hearing", "wgq_mobility", "wgq_cognition", "wgq_self_care",
      "wgq_communication"]  # fmt: skip
A_LOT = {"lot_of_difficulty", "cannot_do"}
MODEL = f"""
id: msna-members
version: "1"
title: MSNA household members
indicators:
  - id: member_wg
    label: A member with a lot of difficulty or worse (Washington Group)
    level: household
    component: vulnerability
    field: member_wg_a_lot
    aggregate: {{table: roster, kind: any, fields: [{", ".join(WG)}],
                values: [lot_of_difficulty, cannot_do]}}
    score: {{map: {{"yes": 5, "no": 1}}}}
  - id: member_seeing
    label: A member with a lot of difficulty seeing or worse
    level: household
    component: vulnerability
    field: member_seeing
    aggregate: {{table: roster, kind: any, fields: [wgq_vision],
                values: [lot_of_difficulty, cannot_do]}}
    score: {{map: {{"yes": 4, "no": 1}}}}
  - id: children
    label: Children under 18
    level: household
    component: threat
    field: children
    aggregate: {{table: roster, kind: count, where: "ind_age < 18"}}
    score: {{thresholds: [[0, 1], [1, 2], [3, 4], [5, 5]]}}
"""


def _oracle(src: Path) -> tuple[dict[str, bool], dict[str, bool], dict[str, int]]:
    """Per household UUID, from the sheets as written: linked by index / _parent_index."""
    main = sheet(src / EXPORT_FILE, "main")
    roster = sheet(src / EXPORT_FILE, "roster")
    mh, rh = main[0], roster[0]
    uuid_of = {row[mh.index("index")]: row[mh.index("uuid")] for row in main[1:]}
    any_wg: dict[str, bool] = dict.fromkeys(uuid_of.values(), False)
    seeing = dict(any_wg)
    children: Counter[str] = Counter()
    for row in roster[1:]:
        hh = uuid_of[row[rh.index("_parent_index")]]
        if any(row[rh.index(q)] in A_LOT for q in WG):
            any_wg[hh] = True
        if row[rh.index("wgq_vision")] in A_LOT:
            seeing[hh] = True
        age = row[rh.index("ind_age")]
        if isinstance(age, (int, float)) and age < 18:
            children[hh] += 1
    return any_wg, seeing, {k: children[k] for k in any_wg}


def test_both_evaluators_aggregate_the_roster(shared_dir: Path) -> None:
    src = shared_dir / MSNA
    model = load_model_text(MODEL)
    parsed = read_export(load_form(src / FORM_FILE), src / EXPORT_FILE)
    main, roster = parsed.tables["main"].data, parsed.tables["roster"].data
    assert (main.num_rows, roster.num_rows) == (241, 965)
    # the table path: household columns, then the table evaluator
    data = with_household_columns(model, main, {"roster": roster})
    any_wg, seeing, children = _oracle(src)
    keys = data.column(KEY).to_pylist()
    got_wg = dict(zip(keys, data.column("member_wg_a_lot").to_pylist(), strict=True))
    got_children = dict(zip(keys, data.column("children").to_pylist(), strict=True))
    assert got_wg == {k: "yes" if v else "no" for k, v in any_wg.items()}
    assert got_children == children
    got_seeing = data.column("member_seeing").to_pylist()
    assert got_seeing == ["yes" if seeing[k] else "no" for k in keys]
    assert 0 < sum(seeing.values()) < 241 and len(set(children.values())) > 2  # not trivial
    table = score_table(model, data.select(model.record_fields())).to_pyarrow().to_pylist()
    # the record evaluator: each household with its own roster rows (no household columns)
    members: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in roster.to_pylist():
        members[row[SUBMISSION]].append(row)
    for key, row in zip(keys, table, strict=True):
        household = {"roster": members.get(key, [])}
        one = evaluate(model, household, explain=False)
        assert (one.threat, one.vulnerability, one.risk, one.phase) == (
            row["threat"],
            row["vulnerability"],
            row["risk"],
            row["phase"],
        ), key
        # and from the household columns, as a record that carries them
        cols = {
            "member_wg_a_lot": got_wg[key],
            "member_seeing": "yes" if seeing[key] else "no",
            "children": got_children[key],
        }
        assert evaluate(model, cols, explain=False).risk == row["risk"]
    # Kobo's JSON names the roster's answers with their group path: the same values
    first = keys[0]
    nested = [{f"roster/{k}": v for k, v in r.items()} for r in members[first]]
    assert evaluate(model, {"roster": nested}).risk == table[0]["risk"]


def test_a_household_without_rows() -> None:
    model = load_model_text(MODEL)
    empty = evaluate(model, {"roster": []})
    # no member: the any-indicator is unanswered, the count is 0 (score 1), as on the table path
    table = with_household_columns(
        model,
        pa.table({KEY: ["h1"]}),
        {"roster": pa.table({SUBMISSION: pa.array([], pa.string()), "ind_age": [], **{
            q: pa.array([], pa.string()) for q in WG}})},
    )  # fmt: skip
    assert table.column("member_wg_a_lot").to_pylist() == [None]
    assert table.column("member_seeing").to_pylist() == [None]
    assert table.column("children").to_pylist() == [0]
    assert "member_wg" in empty.explanation["unanswered"]
    assert empty.threat == 1.0
