"""Household values from repeat rows (a household roster), defined once for both evaluators.

An indicator with ``aggregate:`` reads a household value computed from the rows of a repeat:
``any`` member matching is ``"yes"`` / ``"no"`` (unanswered when the household has no rows) and
``count`` is the number of members matching (0 without rows). A member matches when one of the
aggregate's ``fields`` has one of its ``values`` (when given) and its ``where`` holds.

The table path computes the household column before scoring (``safepath.surveys.household``);
the record evaluator computes it from the record's own rows, given as a list of mappings under
the repeat's name (``record["roster"] = [{...}, ...]``, as Kobo's JSON nests a repeat), or reads
the household column when the record has no rows for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from safepath.risk.codes import canonical, is_missing
from safepath.risk.spec import Aggregate

Member = Mapping[str, Any]


def _plain_names(row: Member) -> Member:
    """Kobo's JSON names a repeat's answers with their group path (``roster/ind_age``)."""
    if not any("/" in k for k in row):
        return row
    return {k.rsplit("/", 1)[-1]: v for k, v in row.items()}


def member_test(agg: Aggregate) -> Callable[[Member], bool]:
    """Whether one repeat row matches the aggregate."""
    condition = agg.condition.predicate() if agg.condition is not None else None
    wanted = set(agg.values)
    fields = list(agg.fields)
    empty: Mapping[str, Any] = {}

    def matches(row: Member) -> bool:
        if condition is not None and not condition(row, empty):
            return False
        if not fields:
            return True
        return any(not is_missing(row.get(f)) and canonical(row.get(f)) in wanted for f in fields)

    return matches


def value_of(agg: Aggregate, matched: int, members: int) -> str | int | None:
    """The household value from its count of matching members out of ``members`` rows."""
    if agg.kind == "count":
        return matched
    if not members:
        return None
    return "yes" if matched else "no"


def household_value(agg: Aggregate) -> Callable[[Iterable[Member]], str | int | None]:
    """The household value of a list of repeat rows (the record evaluator's)."""
    matches = member_test(agg)

    def of(rows: Iterable[Member]) -> str | int | None:
        members = [_plain_names(r) for r in rows]
        return value_of(agg, sum(1 for r in members if matches(r)), len(members))

    return of
