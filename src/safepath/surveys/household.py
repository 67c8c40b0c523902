"""Household columns computed from repeat rows for the risk model: an indicator with
``aggregate:`` reads a column of the submissions table that is derived here from a repeat (the
household roster) — any member matching, or the number of members matching."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pyarrow as pa

from safepath.errors import InputError, Problem
from safepath.risk.repeats import member_test, value_of
from safepath.risk.spec import Aggregate, RiskModel
from safepath.surveys.submissions import KEY, SUBMISSION


def repeat_tables(model: RiskModel) -> list[str]:
    """The repeat tables the model's household aggregates read."""
    return list(dict.fromkeys(i.aggregate.table for i in model.indicators if i.aggregate))


def _columns(agg: Aggregate) -> list[str]:
    cond = agg.condition
    names = list(agg.fields)
    if cond is not None:
        names += [n for src, n in cond.fields() if src == "record"]
    return list(dict.fromkeys(names))


def with_household_columns(
    model: RiskModel, main: pa.Table, repeats: Mapping[str, pa.Table]
) -> pa.Table:
    """``main`` with one column per aggregate indicator (``any``: "yes"/"no"; ``count``: a
    number), computed over each submission's rows of the repeat."""
    keys = main.column(KEY).to_pylist()
    for ind in model.indicators:
        agg = ind.aggregate
        if agg is None:
            continue
        table = repeats.get(agg.table)
        if table is None:
            raise InputError(
                f"indicator {ind.id!r} aggregates repeat {agg.table!r}, which the round lacks "
                f"(tables: {', '.join(repeats) or 'none'})",
                problems=[Problem("no such repeat table", scope=ind.id, column=agg.table)],
            )
        missing = [c for c in _columns(agg) if c not in table.column_names]
        if missing:
            raise InputError(
                f"indicator {ind.id!r}: repeat {agg.table!r} lacks {', '.join(missing)}",
                problems=[Problem("missing column", scope=agg.table, column=c) for c in missing],
            )
        rows = table.select([SUBMISSION, *_columns(agg)]).to_pylist()
        matches = member_test(agg)  # the record evaluator's own test (safepath.risk.repeats)
        matched: Counter[str] = Counter()
        members: Counter[str] = Counter()
        for row in rows:
            key = row[SUBMISSION]
            members[key] += 1
            if matches(row):
                matched[key] += 1
        values = [value_of(agg, matched[k], members[k]) for k in keys]
        column = pa.array(values, pa.int64() if agg.kind == "count" else pa.string())
        if ind.field in main.column_names:
            main = main.drop_columns([ind.field])
        main = main.append_column(ind.field, column)
    return main
