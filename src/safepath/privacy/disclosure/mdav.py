"""MDAV microaggregation of numeric variables (Domingo-Ferrer and Mateo-Sanz 2002; Templ 2017,
sec. 4.5): records are put in groups of at least k similar records and each value replaced by
its group's mean, so no record keeps a unique combination of numeric values.

MDAV ("maximum distance to average vector"), on standardised variables: while at least 3k
records remain, take the record r farthest from the centroid of the remaining ones and the
record s farthest from r; group r with its k-1 nearest neighbours, then s with its k-1 nearest
among the rest. With 2k to 3k-1 left, one more group around the farthest record and the rest as
the last group; with fewer than 2k, they form one group. Group means are of the original
(unstandardised) values. Records with a missing value in any of the variables are left as they
are. Time grows as n² / k: meant for a survey file, not for millions of records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from safepath.errors import InputError

IntArray = npt.NDArray[np.int64]
FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MicroaggregationResult:
    frame: pd.DataFrame  # the variables, aggregated
    groups: IntArray  # group per record (-1: left out for a missing value)
    k: int


def mdav_groups(x: FloatMatrix, k: int) -> IntArray:
    """MDAV group numbers for the rows of ``x`` (complete, standardised)."""
    n = x.shape[0]
    groups = np.full(n, -1, dtype=np.int64)
    remaining = np.arange(n)
    label = 0

    def nearest(center: npt.NDArray[np.float64], pool: IntArray) -> IntArray:
        d = ((x[pool] - center) ** 2).sum(axis=1)
        return pool[np.argsort(d, kind="stable")[:k]]

    def take(members: IntArray) -> None:
        nonlocal remaining, label
        groups[members] = label
        label += 1
        remaining = np.setdiff1d(remaining, members, assume_unique=True)

    while remaining.size >= 3 * k:
        centroid = x[remaining].mean(axis=0)
        r = remaining[np.argmax(((x[remaining] - centroid) ** 2).sum(axis=1))]
        s = remaining[np.argmax(((x[remaining] - x[r]) ** 2).sum(axis=1))]
        take(nearest(x[r], remaining))
        take(nearest(x[s], remaining))
    if remaining.size >= 2 * k:
        centroid = x[remaining].mean(axis=0)
        r = remaining[np.argmax(((x[remaining] - centroid) ** 2).sum(axis=1))]
        take(nearest(x[r], remaining))
    if remaining.size:
        take(remaining)
    return groups


def mdav(frame: pd.DataFrame, columns: Sequence[str], k: int = 3) -> MicroaggregationResult:
    """Microaggregate ``columns`` of ``frame`` jointly with MDAV in groups of at least k."""
    if k < 2:
        raise InputError(f"microaggregation needs k of at least 2, not {k}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"no column(s) {', '.join(missing)} to microaggregate")
    data = frame[list(columns)].apply(pd.to_numeric, errors="coerce")
    bad = [c for c in columns if data[c].isna().sum() > frame[c].isna().sum()]
    if bad:
        raise InputError(f"microaggregation needs numbers; not numeric: {', '.join(bad)}")
    values = data.to_numpy(dtype=np.float64)
    complete = ~np.isnan(values).any(axis=1)
    groups = np.full(len(frame), -1, dtype=np.int64)
    out = data.copy()
    if complete.sum() >= k:
        x = values[complete]
        sd = x.std(axis=0)
        z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
        g = mdav_groups(z, k)
        groups[complete] = g
        sums = np.zeros((int(g.max()) + 1, x.shape[1]))
        np.add.at(sums, g, x)
        means = sums / np.bincount(g)[:, None]
        agg = values.copy()
        agg[complete] = means[g]
        out = pd.DataFrame(agg, columns=list(columns), index=frame.index)
    return MicroaggregationResult(frame=out, groups=groups, k=k)
