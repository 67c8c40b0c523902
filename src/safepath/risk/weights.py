"""Survey weights checked before any record is counted: both evaluators refuse the same rows.

A weight must be a number >= 0. Refused, naming file, row and column: a blank (it used to count
as 1, silently), a text that is not a number (a decimal comma ``0,5`` used to count as blank, so
as 1: read the file with ``--decimal ,``), NaN, infinity and a negative number. A weight of 0 is
allowed: the record represents no one, and a group whose weights sum to 0 has no population (no
shares, no phase). A model that names a ``weight_field`` the table lacks is refused too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from safepath.errors import InputError, Problem
from safepath.risk.codes import NUMERIC_RE
from safepath.risk.spec import RiskModel

MAX_SHOWN = 20
MISSING = "missing weight (blank or NaN: give the record its weight, or 0 to count no one)"
DECIMAL_HINT = (
    "weight is not a number (write decimals with a point, 0.5, or read the file with --decimal ,)"
)


def weight_problem(value: Any) -> str | None:
    """Why ``value`` is not a usable weight, or None when it is one."""
    if (
        value is None
        or (isinstance(value, str) and value.strip() == "")
        or (isinstance(value, float) and math.isnan(value))  # pandas reads a blank cell as NaN
    ):
        return MISSING
    if isinstance(value, bool):
        return "weight is not a number"
    if isinstance(value, str):
        text = value.strip()
        if not re.match(NUMERIC_RE, text):
            return DECIMAL_HINT if "," in text else "weight is not a number"
        number = float(text)
    elif isinstance(value, int | float):
        number = float(value)
    else:
        return "weight is not a number"
    if math.isnan(number):
        return MISSING
    if math.isinf(number):
        return "infinite weight"
    if number < 0:
        return "negative weight"
    return None


def weight_of(value: Any) -> float:
    """The weight of a checked value (``weight_problem`` returned None)."""
    return float(value.strip()) if isinstance(value, str) else float(value)


def _refuse(problems: list[Problem], total: int, column: str, source: str) -> None:
    if problems:
        raise InputError(
            f"{source}: {total} unusable weight(s) in {column!r} (weights must be numbers >= 0)",
            problems=problems,
        )


def _missing_column(column: str, source: str) -> InputError:
    return InputError(
        f"{source} lacks the weight column {column!r} the model weighs records by",
        problems=[Problem("missing weight column", scope=source, column=column)],
    )


def check_weight_values(
    values: Iterable[Any], *, column: str, source: str, first_row: int = 2
) -> None:
    """InputError naming the first rows whose weight is unusable (and how many there are)."""
    problems: list[Problem] = []
    total = 0
    for i, value in enumerate(values):
        why = weight_problem(value)
        if why is None:
            continue
        total += 1
        if len(problems) < MAX_SHOWN:
            shown = None if value is None else value if isinstance(value, str) else repr(value)
            problems.append(
                Problem(why, scope=source, row=first_row + i, column=column, value=shown)
            )
    _refuse(problems, total, column, source)


def check_weight_records(
    model: RiskModel,
    records: Iterable[Mapping[str, Any]],
    *,
    source: str = "records",
    first_row: int = 1,
) -> None:
    """The record evaluator's check (records counted from ``first_row``)."""
    wf = model.weight_field
    if wf is None:
        return
    rows = list(records)
    if rows and any(wf not in r for r in rows):
        raise _missing_column(wf, source)
    check_weight_values((r[wf] for r in rows), column=wf, source=source, first_row=first_row)


def check_weight_table(
    model: RiskModel, table: Any, *, source: str = "table", first_row: int = 1
) -> None:
    """The table evaluator's check: one aggregate over the weight column on the table's backend;
    only when it finds unusable weights is that column fetched to name the rows (in table
    order, counted from ``first_row``)."""
    import ibis

    wf = model.weight_field
    if wf is None:
        return
    if wf not in table.columns:
        raise _missing_column(wf, source)
    raw = table[wf]
    dtype = raw.type()
    if dtype.is_boolean():
        bad = raw.notnull() | raw.isnull()
    elif dtype.is_numeric():
        num = raw.cast("float64")
        # NaN differs from itself; infinity is beyond the largest double (portable: SQLite has
        # no isnan/isinf)
        bad = num.isnull() | (num != num) | (num > 1.7976931348623157e308) | (num < 0)
    elif dtype.is_string():
        text = raw.strip()
        num = text.try_cast("float64")
        looks = text.re_search(NUMERIC_RE)
        bad = raw.isnull() | ~looks.fill_null(False) | num.isnull() | (num < 0)
    else:
        bad = ibis.literal(True)
    n_bad = int(table.aggregate(n=bad.cast("int64").sum()).execute()["n"].iloc[0] or 0)
    if not n_bad:
        return
    values = table.select(wf).to_pyarrow().column(0).to_pylist()
    check_weight_values(values, column=wf, source=source, first_row=first_row)
    raise InputError(f"{source}: {n_bad} unusable weight(s) in {wf!r}")
