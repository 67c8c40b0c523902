"""Individual re-identification risk (Benedetti and Franconi), approximate and exact.

The model (Benedetti and Franconi 1998; Franconi and Polettini 2004; Templ 2017, sec. 3.5): for
a combination seen ``f`` times in the sample with estimated population size ``F``, the number
of people in the population with it is negative binomial given f, with success probability
``p = f / F``; a record's risk is the expected value of 1 / (that population count):

    r(f, p) = E[1/F_pop | f] = p ∫₀¹ s^(f-1) / (p + q s) ds,    q = 1 - p.

(Substitute s = p t / (1 - q t) in E[1/F_pop] = ∫₀¹ E[t^(F_pop-1)] dt.) For f = 1 and f = 2 the
integral is sdcMicro's closed form, ``p/q · log(1/p)`` and ``p/q - (p/q)² · log(1/p)``, used by
both methods. For f ≥ 3:

- **approx** (sdcMicro's default): ``p / (f - q)``;
- **exact**: the integral itself, the same quantity as sdcMicro's alternating-sum formula, but
  evaluated stably: for q ≤ 1/2 as the series ``p Σ_j q^j j! (f-1)! / (j+f)!`` (ratio below
  q); for q > 1/2 and small f by the forward recurrence ``I_n = (1/n - p I_{n-1}) / q``,
  ``I_0 = log(1/p) / q`` (errors shrink by p/q < 1 per step); for larger f by the series again
  (its terms fall like 1 / C(j+f, j)).

A combination whose population estimate equals its sample count (``F == f``: the sample is the
population, or no weights) has risk 1/f. The result is multiplied by ``qual``, sdcMicro's final
correction factor (default 1).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Method = Literal["approx", "exact"]
METHODS: tuple[Method, ...] = ("approx", "exact")

_SMALL_F = 64  # above this, the series converges in few terms whatever q is
_EPS = 1e-17
_MAX_TERMS = 100_000


def individual_risk(
    fk: npt.ArrayLike, Fk: npt.ArrayLike, *, method: Method = "approx", qual: float = 1.0
) -> FloatArray:
    """Risk per (fk, Fk) pair. Needs fk ≥ 1 and Fk ≥ fk (weights of at least 1)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    f = np.asarray(fk, dtype=np.float64)
    F = np.asarray(Fk, dtype=np.float64)
    if f.shape != F.shape:
        raise ValueError("fk and Fk differ in length")
    if np.any(f < 1) or np.any(F < f):
        raise ValueError("individual risk needs fk >= 1 and Fk >= fk")
    out = np.empty_like(f)
    same = F == f
    out[same] = 1.0 / f[same]
    rest = ~same
    if np.any(rest):
        fr, Fr = f[rest], F[rest]
        p = fr / Fr
        q = (Fr - fr) / Fr  # not 1 - p: keeps its digits when p is near 1
        r = np.empty_like(p)
        small = fr <= 2
        if method == "approx":
            big = ~small
            r[big] = p[big] / (fr[big] - q[big])
            exact = small
        else:
            exact = np.ones_like(small)
        if np.any(exact):
            r[exact] = exact_risk(fr[exact], p[exact], q[exact])
        out[rest] = r
    return out * qual


def exact_risk(f: FloatArray, p: FloatArray, q: FloatArray) -> FloatArray:
    """p ∫₀¹ s^(f-1) / (p + q s) ds for 0 < p < 1 (q = 1 - p), elementwise."""
    out = np.empty_like(p)
    recur = (q > 0.5) & (f <= _SMALL_F)
    if np.any(recur):
        out[recur] = _recurrence(f[recur], p[recur], q[recur])
    series = ~recur
    if np.any(series):
        out[series] = _series(f[series], p[series], q[series])
    return out


def _recurrence(f: FloatArray, p: FloatArray, q: FloatArray) -> FloatArray:
    integral = -np.log(p) / q  # I_0
    n_max = int(f.max())
    result = np.where(f == 1, integral, 0.0)
    for n in range(1, n_max):
        integral = (1.0 / n - p * integral) / q
        result = np.where(f == n + 1, integral, result)
    return np.asarray(p * result, dtype=np.float64)


def _series(f: FloatArray, p: FloatArray, q: FloatArray) -> FloatArray:
    term = 1.0 / f
    total = term.copy()
    active = np.ones(f.shape, dtype=bool)
    j = 0
    while np.any(active) and j < _MAX_TERMS:
        j += 1
        term = np.where(active, term * q * j / (j + f), 0.0)
        total += term
        active = term > _EPS * total
    if np.any(active):  # not reached for q ≤ 1/2 or f > _SMALL_F; kept as a guard
        raise ArithmeticError("exact risk series did not converge")
    return np.asarray(p * total, dtype=np.float64)
