"""applies_when: the Python predicate and the Ibis expression give the same, expected truth."""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa
import pytest

from safepath.risk.columns import ColumnView
from safepath.risk.expressions import Cmp, parse_condition

ROWS: list[dict[str, Any]] = [
    {"age": 12, "sex": "f", "code": "2", "x": 1.0},
    {"age": 40, "sex": "m", "code": "abc", "x": 2.5},
    {"age": None, "sex": "", "code": None, "x": None},
    {"age": 17, "sex": None, "code": "17", "x": float("nan")},
]
AREA = {"urban": "yes"}

CASES: list[tuple[str, list[bool]]] = [
    ("age < 18", [True, False, False, True]),
    ("18 > age", [True, False, False, True]),  # literal on the left is flipped
    ("age >= 12 and age <= 17", [True, False, False, True]),
    ("not (age < 18)", [False, True, True, False]),  # missing -> comparison false -> not = true
    ("age != 12", [False, True, False, True]),  # missing -> false even for !=
    ("sex == 'f' or sex == 'm'", [True, True, False, False]),
    ("sex in ['f', 'x']", [True, False, False, False]),
    ("sex not in ['f']", [False, True, False, False]),
    ("sex == ''", [False, False, False, False]),  # empty answer is missing
    ("code == 2", [True, False, False, False]),  # numeric text read as a number
    ("code > 10", [False, False, False, True]),
    ("code == '17'", [False, False, False, True]),
    ("age == '12'", [True, False, False, False]),  # canonical string of a number
    ("age == '12.0'", [False, False, False, False]),
    ("x == 1", [True, False, False, False]),
    ("x == '1'", [True, False, False, False]),  # 1.0 is canonically "1"
    ("x == '2.5'", [False, True, False, False]),
    ("x >= 1", [True, True, False, False]),  # NaN is missing
    ("nope == 1 or age < 18", [True, False, False, True]),  # absent field -> false
    ("area.urban == 'yes' and age > 30", [False, True, False, False]),
    ("area.other == 'yes'", [False, False, False, False]),
]


@pytest.fixture(scope="module")
def table() -> Any:
    con = ibis.duckdb.connect()
    data = pa.table(
        {
            "rid": list(range(len(ROWS))),
            "age": pa.array([r["age"] for r in ROWS], pa.int64()),
            "sex": [r["sex"] for r in ROWS],
            "code": [r["code"] for r in ROWS],
            "x": pa.array([r["x"] for r in ROWS], pa.float64()),
        }
    )
    con.con.register("rows", data)
    return con.table("rows")


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_python_and_ibis_agree(table: Any, text: str, expected: list[bool]) -> None:
    cond = parse_condition(text)
    pred = cond.predicate()
    assert [pred(r, AREA) for r in ROWS] == expected

    def resolve(source: str, name: str) -> ColumnView | None:
        if source == "area":
            return ColumnView(ibis.literal(AREA[name]), "duckdb") if name in AREA else None
        return ColumnView(table[name], "duckdb") if name in table.columns else None

    got = table.select("rid", ok=cond.to_ibis(resolve)).order_by("rid").to_pyarrow()
    assert got["ok"].to_pylist() == expected


def test_parse_tree_and_fields() -> None:
    cond = parse_condition("age < 18 and (area.urban == 'yes' or sex in ['f', 'm'])")
    assert cond.fields() == [("record", "age"), ("area", "urban"), ("record", "sex")]
    assert isinstance(cond.root.items[0], Cmp)  # type: ignore[union-attr]
    assert cond.root.items[0] == Cmp("record", "age", "<", (18.0,))  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("age", "a bare field name is not allowed; expected a comparison at position 1"),
        ("len(age) > 1", "a comparison needs a field on one side at position 1"),
        ("other.x == 1", "only area.<field> may be dotted, not 'other' at position 1"),
        ("age in 3", "expected a non-empty list after 'in' at position 8"),
        ("age == True", "expected a number or a quoted string at position 8"),
        ("age == -'a'", "a sign needs a number at position 8"),
    ],
)
def test_errors(text: str, error: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_condition(text)
    assert str(err.value) == f"{text!r}: {error}"
