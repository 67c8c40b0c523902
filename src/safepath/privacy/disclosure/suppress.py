"""Local suppression: blank single key values until every record is k-anonymous (Templ 2017,
sec. 4.2), optionally also until no individual risk exceeds a bound.

Frequencies count a missing value as matching any category (as sdcMicro does), so blanking a
value can only raise fk and Fk: of the record itself and of every record it now matches. The
algorithm works on the distinct key patterns, never on the records:

each round, for every pattern still in violation, blank the **least important** key value whose
blanking alone brings that pattern to fk ≥ k (and risk ≤ the bound); when no single value does,
blank the least important value it still has, and look again next round.

Importance is an order of the key variables, most important (blanked last) first. Without one,
variables with more categories are blanked first (they carry the most identifying detail).
Counts only rise, so a pattern fixed in a round stays fixed, and each round blanks one more
value of every pattern still in violation: at most K rounds. A pattern with every key blanked
matches all records, so the goal is reached whenever the table has at least k records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from safepath.errors import InputError
from safepath.privacy.disclosure.frequencies import Patterns, key_patterns, match_counts, per_record
from safepath.privacy.disclosure.individual import Method, individual_risk
from safepath.privacy.disclosure.tables import distinct_names, missing_as_null

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Suppression:
    """What local suppression did: values blanked per key variable, and the rounds it took."""

    k: int
    keys: tuple[str, ...]
    importance: tuple[str, ...]  # most important first
    suppressed: dict[str, int]
    rounds: int
    max_risk: float | None = None
    flags: BoolArray = field(repr=False, default_factory=lambda: np.zeros((0, 0), dtype=bool))

    @property
    def total(self) -> int:
        return sum(self.suppressed.values())


def importance_order(patterns: Patterns, importance: Sequence[str] | None) -> tuple[str, ...]:
    """Key variables most important first: the given order, then the rest (those with fewer
    categories first)."""
    keys = list(patterns.keys)
    given = distinct_names(importance, "importance variables") if importance else []
    unknown = [v for v in given if v not in keys]
    if unknown:
        raise InputError(
            f"importance names variables that are not key variables: {', '.join(unknown)}"
        )
    cats = {k: int((patterns.codes[:, j].max(initial=-1)) + 1) for j, k in enumerate(keys)}
    rest = sorted((k for k in keys if k not in given), key=lambda k: (cats[k], keys.index(k)))
    return (*given, *rest)


def _violating(
    fk: npt.NDArray[np.int64],
    Fk: npt.NDArray[np.float64],
    k: int,
    max_risk: float | None,
    weighted: bool,
    method: Method,
) -> BoolArray:
    bad = fk < k
    if max_risk is not None:
        if weighted:
            risk = individual_risk(fk, np.maximum(Fk, fk), method=method)
        else:
            risk = 1.0 / np.maximum(fk, 1)
        bad = bad | (risk > max_risk)
    return np.asarray(bad, dtype=bool)


def suppress_patterns(
    patterns: Patterns,
    k: int,
    *,
    importance: Sequence[str] | None = None,
    max_risk: float | None = None,
    method: Method = "approx",
) -> Suppression:
    """Which key values of which patterns to blank (``flags``, D × K) to reach the goal."""
    if k < 1:
        raise InputError(f"k must be at least 1, not {k}")
    if patterns.records < k:
        raise InputError(
            f"{patterns.records} record(s) cannot be {k}-anonymous: fewer records than k"
        )
    order = importance_order(patterns, importance)
    col = {key: j for j, key in enumerate(patterns.keys)}
    blank_first = [col[key] for key in reversed(order)]  # least important first
    codes = patterns.codes.copy()
    count, weight = patterns.count, patterns.weight
    rounds = 0
    while True:
        fk, Fk = match_counts(codes, codes, count, weight)
        bad = np.flatnonzero(_violating(fk, Fk, k, max_risk, patterns.weighted, method))
        if bad.size == 0:
            break
        if np.all(codes[bad] < 0):
            raise InputError(
                "local suppression cannot meet the risk bound even with every key value "
                "blanked; raise the bound or recode first"
            )
        rounds += 1
        choice = np.full(bad.size, -1, dtype=np.int64)
        for j in blank_first:
            todo = np.flatnonzero((choice < 0) & (codes[bad, j] >= 0))
            if todo.size == 0:
                continue
            rows = bad[todo]
            trial = codes[rows].copy()
            trial[:, j] = -1
            tf, tF = match_counts(trial, codes, count, weight)
            fixed = ~_violating(tf, tF, k, max_risk, patterns.weighted, method)
            choice[todo[fixed]] = j
        for i in np.flatnonzero(choice < 0):
            choice[i] = next(j for j in blank_first if codes[bad[i], j] >= 0)
        codes[bad, choice] = -1
    flags = (codes < 0) & (patterns.codes >= 0)
    suppressed = {key: int(count[flags[:, j]].sum()) for j, key in enumerate(patterns.keys)}
    return Suppression(
        k=k,
        keys=patterns.keys,
        importance=order,
        suppressed=suppressed,
        rounds=rounds,
        max_risk=max_risk,
        flags=flags,
    )


def local_suppression(
    table: ir.Table,
    keys: Sequence[str],
    k: int = 3,
    *,
    importance: Sequence[str] | None = None,
    weight: str | None = None,
    max_risk: float | None = None,
    method: Method = "approx",
    source: str = "the table",
) -> tuple[ir.Table, Suppression]:
    """``table`` with key values blanked so that every record has fk ≥ k (and, with
    ``max_risk``, individual risk ≤ max_risk; that needs ``weight`` to mean anything)."""
    patterns = key_patterns(table, keys, weight, source=source)
    result = suppress_patterns(patterns, k, importance=importance, max_risk=max_risk, method=method)
    return apply_suppression(table, patterns, result), result


def apply_suppression(table: ir.Table, patterns: Patterns, result: Suppression) -> ir.Table:
    """Blank the flagged key values in every record of the flagged patterns."""
    if not result.flags.any():
        return missing_as_null(table, patterns.keys)
    names = [f"_sdc_blank_{j}" for j in range(len(patterns.keys))]
    flags = pa.table({n: result.flags[:, j] for j, n in enumerate(names)})
    joined = per_record(table, patterns, flags)
    schema = table.schema()
    out = {
        key: ibis.ifelse(joined[n], ibis.null(schema[key]), joined[key])
        for key, n in zip(patterns.keys, names, strict=True)
    }
    return joined.mutate(**out).select(*table.columns)
