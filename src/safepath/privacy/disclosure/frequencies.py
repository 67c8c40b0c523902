"""Sample and population frequencies of key-variable combinations, sdcMicro's way.

For a set of key variables, a record's sample frequency ``fk`` is the number of records that
share its combination of key values, and ``Fk`` the sum of their sampling weights (the estimated
number of people in the population with that combination). As in sdcMicro's ``freqCalc``
(Templ 2017, sec. 3.4), a **missing key value matches any category**: two records match when,
for every key, the values are equal or at least one of them is missing. So a record with a
missing value adds to the counts of every combination it could be, and its own count is the
number of records it is compatible with. This is not a plain GROUP BY.

The algorithm is exact and stays in the database for the part that scales with the records:

1. one GROUP BY over the full key pattern, missing values included (NULL is its own group):
   D distinct patterns with their record counts and weight sums (D is small: at most the
   number of combinations that occur);
2. on those D patterns, for every pair (A, B) of missingness masks that occur (A = the keys
   missing in the pattern counted for, B = those missing in a contributing pattern), the
   patterns of mask B are summed by their values on the keys missing in neither, and each
   pattern of mask A picks up the sum for its own values there. Summed over B this is exactly
   the count of compatible records. Cost: O(m · D · K) for m masks, K keys, no record touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from safepath.errors import InputError, Problem
from safepath.privacy.disclosure.tables import distinct_names, missing_as_null, require

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Internal column names (a user's column is unlikely to start with this).
N_COL = "_sdc_n"
W_COL = "_sdc_w"
BAD_COL = "_sdc_weights"  # non-missing weights
MIN_COL = "_sdc_min_weight"


@dataclass(frozen=True)
class Patterns:
    """The distinct key patterns of a table with their frequencies (one row per pattern)."""

    keys: tuple[str, ...]
    values: pa.Table  # the key values of each pattern, missing values as nulls
    codes: IntArray  # (D, K) category codes per key; -1 = missing
    count: IntArray  # records with exactly this pattern
    weight: FloatArray  # their weight sum (= count without weights)
    weighted: bool
    fk: IntArray  # sample frequency, missing values matching any category
    Fk: FloatArray  # population frequency: the weight sum of the same records

    @property
    def records(self) -> int:
        return int(self.count.sum())

    @property
    def missing(self) -> npt.NDArray[np.bool_]:
        """(D, K): which key values of each pattern are missing."""
        return self.codes < 0


def key_patterns(
    table: ir.Table,
    keys: Sequence[str],
    weight: str | None = None,
    *,
    source: str = "the table",
) -> Patterns:
    """fk and Fk for every distinct key pattern of ``table`` (one GROUP BY in the backend)."""
    keys = distinct_names(keys)
    require(table, [*keys, *([weight] if weight else [])], source=source)
    if weight is not None and weight in keys:
        raise InputError(f"the weight {weight!r} cannot also be a key variable")
    t = missing_as_null(table, keys)
    aggs: dict[str, ir.Value] = {N_COL: t.count()}
    if weight is not None:
        w = t[weight]
        if not w.type().is_numeric():
            raise InputError(
                f"{source}: the weight column {weight!r} is not numeric ({w.type()})",
                problems=[Problem("weight is not numeric", scope=source, column=weight)],
            )
        # Plain aggregates only (as a hand-written GROUP BY): a missing weight shows as
        # COUNT(w) < COUNT(*), a NaN as a NaN sum, a non-positive one as MIN(w) <= 0.
        aggs[W_COL] = w.cast("float64").sum()
        aggs[BAD_COL] = w.count()
        aggs[MIN_COL] = w.cast("float64").min()
    grouped = t.group_by(keys).aggregate(**aggs).to_pyarrow()
    if weight is not None and _any_bad_weight(grouped):
        t = missing_as_null(table, [*keys, weight])
        bad_rows = t.filter(t[weight].isnull() | (t[weight] <= 0)).count().to_pyarrow()
        raise _bad_weights(t, weight, int(bad_rows.as_py()), source)
    count = np.asarray(grouped[N_COL].to_numpy(zero_copy_only=False), dtype=np.int64)
    wsum = (
        np.asarray(grouped[W_COL].to_numpy(zero_copy_only=False), dtype=np.float64)
        if weight is not None
        else count.astype(np.float64)
    )
    values = grouped.select(keys)
    codes = encode(values)
    fk, Fk = match_counts(codes, codes, count, wsum)
    return Patterns(
        keys=tuple(keys),
        values=values,
        codes=codes,
        count=count,
        weight=wsum,
        weighted=weight is not None,
        fk=fk,
        Fk=Fk,
    )


def _any_bad_weight(grouped: pa.Table) -> bool:
    counted = grouped[BAD_COL].to_numpy(zero_copy_only=False)
    n = grouped[N_COL].to_numpy(zero_copy_only=False)
    total = np.asarray(grouped[W_COL].to_numpy(zero_copy_only=False), dtype=np.float64)
    low = np.asarray(grouped[MIN_COL].to_numpy(zero_copy_only=False), dtype=np.float64)
    return bool((counted < n).any() or np.isnan(total).any() or (low <= 0).any())


def _bad_weights(t: ir.Table, weight: str, bad: int, source: str) -> InputError:
    w = t[weight]
    sample = t.filter(w.isnull() | (w <= 0)).select(weight).limit(5).to_pyarrow()
    shown = ", ".join("missing" if v is None else repr(v) for v in sample[weight].to_pylist())
    return InputError(
        f"{source}: {bad} record(s) have a missing or non-positive weight in {weight!r} "
        f"(for example {shown}); every record needs a sampling weight > 0",
        problems=[Problem("missing or non-positive weight", scope=source, column=weight)],
    )


def encode(values: pa.Table) -> IntArray:
    """(rows, columns) integer codes of each column's values; -1 for a missing value. Codes of
    different tables are not comparable: encode the rows to compare together."""
    out = np.empty((values.num_rows, values.num_columns), dtype=np.int64)
    for j, name in enumerate(values.column_names):
        col = values[name].combine_chunks()
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        idx = pc.dictionary_encode(col).indices
        out[:, j] = np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False))
    return out


def _masks(codes: IntArray) -> IntArray:
    """Bit j set when key j is missing."""
    bits = np.left_shift(np.int64(1), np.arange(codes.shape[1], dtype=np.int64))
    return np.asarray(((codes < 0) * bits).sum(axis=1), dtype=np.int64)


def _row_ids(block: IntArray) -> IntArray:
    """One id per distinct row of a block of non-negative codes (mixed radix, re-densified
    whenever the next column would overflow int64)."""
    if block.shape[1] == 0:
        return np.zeros(block.shape[0], dtype=np.int64)
    ids = block[:, 0].copy()
    span = int(ids.max(initial=0)) + 1
    for j in range(1, block.shape[1]):
        col = block[:, j]
        radix = int(col.max(initial=0)) + 1
        if span * radix >= 2**62:
            ids = np.unique(ids, return_inverse=True)[1].astype(np.int64)
            span = int(ids.max(initial=0)) + 1
        ids = ids * radix + col
        span *= radix
    return ids


def match_counts(
    query: IntArray, data: IntArray, count: IntArray, weight: FloatArray
) -> tuple[IntArray, FloatArray]:
    """For each query pattern, the records (``count``) and weight of the ``data`` patterns
    compatible with it: equal on every key where neither is missing. Codes of ``query`` and
    ``data`` must come from one encoding."""
    fk = np.zeros(query.shape[0], dtype=np.int64)
    Fk = np.zeros(query.shape[0], dtype=np.float64)
    if query.shape[0] == 0 or data.shape[0] == 0:
        return fk, Fk
    k = query.shape[1]
    full = (1 << k) - 1
    qmask, dmask = _masks(query), _masks(data)
    q_groups = {int(m): np.flatnonzero(qmask == m) for m in np.unique(qmask)}
    d_groups = {int(m): np.flatnonzero(dmask == m) for m in np.unique(dmask)}
    for a, q_rows in q_groups.items():
        for b, d_rows in d_groups.items():
            shared = np.array([j for j in range(k) if not (a | b) >> j & 1], dtype=np.int64)
            if (a | b) == full or shared.size == 0:  # nothing left to compare: all are compatible
                fk[q_rows] += count[d_rows].sum()
                Fk[q_rows] += weight[d_rows].sum()
                continue
            block = np.concatenate([data[np.ix_(d_rows, shared)], query[np.ix_(q_rows, shared)]])
            ids = _row_ids(block)
            uniq, inverse = np.unique(ids, return_inverse=True)
            d_ids, q_ids = inverse[: d_rows.size], inverse[d_rows.size :]
            n_by = np.bincount(d_ids, weights=count[d_rows], minlength=uniq.size)
            w_by = np.bincount(d_ids, weights=weight[d_rows], minlength=uniq.size)
            fk[q_rows] += np.rint(n_by[q_ids]).astype(np.int64)
            Fk[q_rows] += w_by[q_ids]
    return fk, Fk


def per_record(table: ir.Table, patterns: Patterns, columns: pa.Table) -> ir.Table:
    """``table`` with the per-pattern ``columns`` (one row per pattern, in the order of
    ``patterns.values``) joined on to every record. Keys match null-safely (IS NOT DISTINCT
    FROM), so a record with a missing key value gets its own pattern's figures."""
    keys = list(patterns.keys)
    right_cols = {f"_sdc_key_{i}": patterns.values[k] for i, k in enumerate(keys)}
    right = pa.table({**right_cols, **{n: columns[n] for n in columns.column_names}})
    t = missing_as_null(table, keys)
    r = ibis.memtable(right)
    joined = t.left_join(r, [t[k].identical_to(r[f"_sdc_key_{i}"]) for i, k in enumerate(keys)])
    return joined.select(*[t[c] for c in table.columns], *[r[n] for n in columns.column_names])
