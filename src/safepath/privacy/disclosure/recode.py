"""Global recoding: fewer, broader categories for every record (Templ 2017, sec. 4.1).

- ``recode_age``: single-year age to the catalogue's age brackets (``age_brackets``: 0–4, 5–11,
  12–17, 18–59, 60+), or to brackets given as (code, min, max);
- ``recode_breaks``: any numeric variable to intervals [b_i, b_{i+1});
- ``recode_map``: merge categories of a categorical variable (sdcMicro's ``groupAndRename``);
- ``top_code`` / ``bottom_code``: values above (below) a bound replaced by a value.

A missing value stays missing (it already matches any category in the frequency counts). The
functions return a new Ibis table; the backend does the work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from safepath.errors import InputError, Problem
from safepath.framework.catalogue import catalogue
from safepath.privacy.disclosure.tables import missing_as_null, require

AgeBracket = tuple[str, int, int | None]  # code, min_age, max_age (None: open-ended)


def catalogue_age_brackets() -> list[AgeBracket]:
    """The framework catalogue's age brackets, in order (without its ``unknown`` entry)."""
    return [
        (e.code, e.min_age, e.max_age)
        for e in catalogue().get("age_brackets").entries
        if e.min_age is not None
    ]


def _numeric(table: ir.Table, column: str, source: str) -> ir.NumericColumn:
    require(table, [column], source=source)
    col = table[column]
    if not col.type().is_numeric():
        raise InputError(
            f"{source}: {column!r} is not numeric ({col.type()}); recoding needs numbers",
            problems=[Problem("not numeric", scope=source, column=column)],
        )
    return col


def recode_age(
    table: ir.Table,
    column: str,
    *,
    brackets: Sequence[AgeBracket] | None = None,
    into: str | None = None,
    source: str = "the table",
) -> ir.Table:
    """Age in completed years to bracket codes (``into``: a new column; default: in place).
    Fractional ages are floored (completed years); a negative age is an input error."""
    table = missing_as_null(table, [column])
    age = _numeric(table, column, source).floor()
    chosen = list(brackets) if brackets is not None else catalogue_age_brackets()
    negative = int(table.filter(age < 0).count().to_pyarrow().as_py())
    if negative:
        raise InputError(
            f"{source}: {negative} record(s) have a negative age in {column!r}",
            problems=[Problem("negative age", scope=source, column=column)],
        )
    cases = [
        ((age >= lo) & (age <= hi) if hi is not None else (age >= lo), ibis.literal(code))
        for code, lo, hi in chosen
    ]
    uncovered = int(
        table.filter(age.notnull() & ~ibis.or_(*[c for c, _ in cases])).count().to_pyarrow().as_py()
    )
    if uncovered:
        raise InputError(
            f"{source}: {uncovered} age(s) in {column!r} fall in no bracket",
            problems=[Problem("age in no bracket", scope=source, column=column)],
        )
    recoded = ibis.cases(*cases, else_=ibis.null("string"))
    return table.mutate(**{into or column: recoded})


def recode_breaks(
    table: ir.Table,
    column: str,
    breaks: Sequence[float],
    labels: Sequence[str] | None = None,
    *,
    into: str | None = None,
    source: str = "the table",
) -> ir.Table:
    """Values to intervals [b_i, b_{i+1}) (the last closed); outside all intervals: missing."""
    table = missing_as_null(table, [column])
    col = _numeric(table, column, source)
    b = sorted(float(x) for x in breaks)
    if len(b) < 2 or len(set(b)) != len(b):
        raise InputError("recoding needs at least two distinct breaks")
    pairs = list(zip(b, b[1:], strict=False))
    names = list(labels) if labels is not None else [f"{lo:g}-{hi:g}" for lo, hi in pairs]
    if len(names) != len(b) - 1:
        raise InputError(f"{len(b) - 1} intervals need {len(b) - 1} labels, not {len(names)}")
    cases = []
    for i, (lo, hi) in enumerate(zip(b, b[1:], strict=False)):
        upper = (col <= hi) if i == len(b) - 2 else (col < hi)
        cases.append(((col >= lo) & upper, ibis.literal(names[i])))
    return table.mutate(**{into or column: ibis.cases(*cases, else_=ibis.null("string"))})


def recode_map(
    table: ir.Table, column: str, mapping: Mapping[Any, Any], *, source: str = "the table"
) -> ir.Table:
    """Merge categories: each key of ``mapping`` becomes its value; others are kept."""
    require(table, [column], source=source)
    col = table[column]
    cases = [(col == ibis.literal(old), ibis.literal(new)) for old, new in mapping.items()]
    if not cases:
        return table
    kept = col if _same_kind(col, mapping) else col.cast("string")
    return table.mutate(**{column: ibis.cases(*cases, else_=kept)})


def _same_kind(col: ir.Column, mapping: Mapping[Any, Any]) -> bool:
    numeric = col.type().is_numeric()
    return all(isinstance(v, int | float) == numeric for v in mapping.values())


def top_code(
    table: ir.Table,
    column: str,
    bound: float,
    replacement: float | None = None,
    *,
    source: str = "the table",
) -> ir.Table:
    """Values above ``bound`` become ``replacement`` (default: the bound itself)."""
    col = _numeric(table, column, source)
    value = bound if replacement is None else replacement
    return table.mutate(**{column: ibis.ifelse(col > bound, value, col)})


def bottom_code(
    table: ir.Table,
    column: str,
    bound: float,
    replacement: float | None = None,
    *,
    source: str = "the table",
) -> ir.Table:
    """Values below ``bound`` become ``replacement`` (default: the bound itself)."""
    col = _numeric(table, column, source)
    value = bound if replacement is None else replacement
    return table.mutate(**{column: ibis.ifelse(col < bound, value, col)})
