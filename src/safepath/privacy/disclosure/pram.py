"""PRAM, the post-randomisation method (Gouweleeuw et al. 1998; Templ 2017, sec. 4.3).

Each value of a categorical variable is replaced by a category drawn from its row of a
transition matrix. The matrix is made **invariant**: the expected distribution of the published
values equals the observed one, so frequencies stay unbiased. From any transition matrix P and
the observed distribution π, the invariant matrix is R = P Q with
Q[j, k] = P[k, j] π[k] / Σ_l P[l, j] π[l] (the chance of having been k given j was drawn); then
π R = π. The default P keeps a value with probability ``keep`` and otherwise picks one of the
other categories uniformly.

A missing value stays missing. The draws use numpy's generator seeded with ``seed``: the same
data, matrix and seed give the same result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from safepath.errors import InputError

FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PramResult:
    values: pd.Series
    categories: tuple[Any, ...]
    matrix: FloatMatrix  # the invariant matrix applied (rows: from, columns: to)
    changed: int  # values that differ from the original


def uniform_transition(categories: int, keep: float = 0.8) -> FloatMatrix:
    """Keep with probability ``keep``, else move to one of the other categories uniformly."""
    if not 0 < keep <= 1:
        raise InputError(f"the probability of keeping a value must be in (0, 1], not {keep}")
    if categories == 1:
        return np.ones((1, 1))
    off = (1 - keep) / (categories - 1)
    m = np.full((categories, categories), off)
    np.fill_diagonal(m, keep)
    return m


def invariant(p: FloatMatrix, pi: npt.ArrayLike) -> FloatMatrix:
    """The invariant matrix R = P Q for transition matrix ``p`` and distribution ``pi``."""
    p = np.asarray(p, dtype=np.float64)
    dist = np.asarray(pi, dtype=np.float64)
    dist = dist / dist.sum()
    if p.ndim != 2 or p.shape[0] != p.shape[1] or p.shape[0] != dist.size:
        raise InputError(f"a transition matrix for {dist.size} categories must be square")
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0):
        raise InputError("each row of a transition matrix must be probabilities summing to 1")
    reach = dist @ p  # P(new = j)
    q = np.divide(
        (p * dist[:, None]).T, reach[:, None], out=np.zeros_like(p), where=reach[:, None] > 0
    )
    r = p @ q
    return np.asarray(r / r.sum(axis=1, keepdims=True), dtype=np.float64)


def pram(
    values: pd.Series | Sequence[Any],
    *,
    seed: int,
    keep: float = 0.8,
    matrix: FloatMatrix | None = None,
    categories: Sequence[Any] | None = None,
) -> PramResult:
    """PRAM one categorical variable. ``matrix`` (rows and columns in the order of
    ``categories``, default the sorted observed values) is made invariant before use."""
    s = pd.Series(values).reset_index(drop=True)
    present = s.notna().to_numpy()
    observed = s[present]
    cats = tuple(categories) if categories is not None else tuple(sorted(observed.unique()))
    index = {c: i for i, c in enumerate(cats)}
    unknown = sorted({str(v) for v in observed if v not in index})
    if unknown:
        raise InputError(f"values not among the PRAM categories: {', '.join(unknown[:10])}")
    codes = np.fromiter((index[v] for v in observed), dtype=np.int64, count=len(observed))
    pi = np.bincount(codes, minlength=len(cats)).astype(np.float64)
    p = uniform_transition(len(cats), keep) if matrix is None else np.asarray(matrix, float)
    r = invariant(p, pi) if pi.sum() else p
    rng = np.random.default_rng(seed)
    new = codes.copy()
    cum = np.cumsum(r, axis=1)
    u = rng.random(codes.size)
    for i in range(len(cats)):
        rows = np.flatnonzero(codes == i)
        new[rows] = np.minimum(np.searchsorted(cum[i], u[rows], side="right"), len(cats) - 1)
    out = s.astype(object).copy()
    out[present] = [cats[j] for j in new]
    return PramResult(values=out, categories=cats, matrix=r, changed=int((new != codes).sum()))
