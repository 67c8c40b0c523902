"""Taylor-linearised variance of a weighted mean over domains, from PSU totals (small pandas).

For a domain D the estimate is ``Y / W`` with ``Y = sum(w * y)`` and ``W = sum(w)`` over its
records. Its linearised influence summed per PSU i of stratum h is
``z_hi = (Y_hi - est * W_hi) / W``. With ``n_h`` PSUs in stratum h (counted over the whole design:
a PSU without a record of the domain has ``z_hi = 0``), the with-replacement variance is

    v = sum_h n_h / (n_h - 1) * sum_i (z_hi - mean_h(z))^2  =  sum_h n_h/(n_h-1) (S2_h - T_h^2/n_h)

(``T_h``, ``S2_h``: sum and sum of squares of the domain's PSU totals), exactly as R's
``survey:::onestrat`` computes it for ``svyby(..., svymean)``. A stratum with one PSU follows
``options(survey.lonely.psu=...)``: ``fail`` refuses, ``remove`` and ``certainty`` contribute 0,
``adjust`` contributes the PSU total squared (centred at the population mean, 0 for a mean's
influence), ``average`` replaces it by the mean of the other strata's contributions. As in R, the
strata counted are those with at least one record of the domain.

The design effect is R's ``svymean(deff=TRUE)``: ``v / vsrs`` with the simple-random-sampling
variance without replacement ``vsrs = s2 * (W - n) / (W * n)`` (none when ``W < n``, i.e. weights
that do not sum to a population: R answers NA), or, ``with_replacement``, ``s2 / n`` (R's
``deff="replace"``); ``s2 = n/(n-1) * sum(w (y - est)^2) / W`` over the ``n`` records with a
non-zero weight.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd

from safepath.analysis.design import PSU, STRATUM, LonelyPsu
from safepath.errors import InputError, Problem

DeffMethod = Literal["without_replacement", "with_replacement"]
DEFF_METHODS: tuple[DeffMethod, ...] = ("without_replacement", "with_replacement")
SUMS = (
    "b",
    "y",
    "q",
    "n",
    "r",
    "c",
)  # base weight, sum w*y, sum w*y^2, nonzero-weight n, rows, hits
_ALL = "_sp_all"


def refuse_lonely(psu: pd.DataFrame, n_psu: dict[str, int], *, source: str) -> None:
    """InputError (lonely.psu = "fail", R's default) when a stratum with a single PSU holds data."""
    held = sorted({str(h) for h in psu.loc[psu["r"] > 0, STRATUM] if n_psu.get(str(h)) == 1})
    if held:
        raise InputError(
            f"{source}: {len(held)} stratum(s) have a single PSU, so their variance cannot be "
            f"estimated: {', '.join(held)}; choose a lonely-PSU rule (--lonely-psu remove, "
            "certainty, adjust or average; setting SAFEPATH_ANALYSIS_LONELY_PSU)",
            problems=[
                Problem("stratum with a single PSU", scope=source, value=h) for h in held[:20]
            ],
        )


def domain_stats(
    psu: pd.DataFrame,
    keys: list[str],
    n_psu: dict[str, int],
    lonely: LonelyPsu,
    deff: DeffMethod = "without_replacement",
) -> pd.DataFrame:
    """One row per domain (``keys``; none: the whole table) with est, var, deff and the sums.

    ``psu`` holds one row per (domain keys, stratum, PSU) with the sums named in ``SUMS``.
    ``est`` is NaN where the domain's weights sum to 0 (no population)."""
    gk = keys or [_ALL]
    df = psu.loc[psu["r"] > 0].assign(**{_ALL: ""})
    # one row per PSU of the domain (the input may split a PSU across finer groups)
    df = df.groupby([*gk, STRATUM, PSU], sort=False, dropna=False)[list(SUMS)].sum().reset_index()
    by_dom = df.groupby(gk, sort=True, dropna=False)
    W = by_dom["b"].transform("sum")
    Y = by_dom["y"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        est = Y / W
        z = (df["y"] - est * df["b"]) / W
    df["_z"], df["_z2"] = z, z * z
    st = df.groupby([*gk, STRATUM], sort=True, dropna=False).agg(T=("_z", "sum"), S2=("_z2", "sum"))
    nh = np.array([n_psu[str(h)] for h in st.index.get_level_values(STRATUM)], dtype=float)
    T, S2 = st["T"].to_numpy(), st["S2"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        full = nh / (nh - 1) * (S2 - T * T / nh)
    single = {
        "remove": np.zeros_like(S2),
        "certainty": np.zeros_like(S2),
        "adjust": S2,
        "average": np.full_like(S2, np.nan),
        "fail": np.full_like(S2, np.nan),
    }[lonely]
    st["v"] = np.where(nh > 1, full, single)
    st["ok"] = ~np.isnan(st["v"].to_numpy())
    per = st.groupby(level=list(range(len(gk))), sort=True, dropna=False).agg(
        v=("v", "sum"), nstrat=("v", "size"), nok=("ok", "sum")
    )
    out = by_dom[list(SUMS)].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["var"] = per["v"] * per["nstrat"] / per["nok"]
        out["est"] = out["y"] / out["b"]
    out.loc[out["b"] == 0, ["est", "var"]] = np.nan
    out["deff"] = [
        _deff(v, b, y, q, n, deff)
        for v, b, y, q, n in out[["var", "b", "y", "q", "n"]].itertuples(index=False)
    ]
    out = out.reset_index()
    return out.drop(columns=[_ALL]) if not keys else out


def _deff(v: float, W: float, Y: float, Q: float, n: float, method: DeffMethod) -> float | None:
    if not (W > 0 and n > 1 and math.isfinite(v)):
        return None
    s2 = n / (n - 1) * (Q - Y * Y / W) / W
    if method == "with_replacement":
        vsrs = s2 / n
    elif W < n:  # R: "Sample size greater than population size" -> NA
        return None
    else:
        vsrs = s2 * (W - n) / (W * n)
    if vsrs <= 0:
        return None
    d = v / vsrs
    return d if math.isfinite(d) else None


def finite(x: Any) -> float | None:
    """A float, or None for NaN/inf (JSON has no NaN: a missing figure is null, never NaN)."""
    if x is None:
        return None
    f = float(x)
    return f if math.isfinite(f) else None
