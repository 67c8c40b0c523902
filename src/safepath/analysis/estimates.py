"""Design-based estimates: weighted proportions and means with linearised standard errors.

``estimate(table, var, design, by=...)`` answers what R's ``survey`` package answers for
``svymean(~var, design, na.rm=TRUE)`` overall and ``svyby(~var, ~g1+g2, design, svymean,
na.rm=TRUE)`` by group: the grouping is a domain, so standard errors are computed over the full
design (a stratum's PSUs without a record of the group count as zeros). Records whose answer is
missing are outside the estimate's base (R's ``na.rm=TRUE``), as are answers listed in
``exclude`` ("don't know", "prefer not to answer"). Confidence intervals are Wald intervals,
``est -/+ qnorm(1 - (1 - level)/2) * se``, R's ``confint`` for these statistics (not clipped to
[0, 1]).

Kinds of variable: ``categorical`` (a proportion for each answer), ``multiple`` (a select-multiple
question: the share choosing each option, from Kobo's one-hot ``var/option`` columns when the
table has them, else from the space-separated answer), ``mean`` (a numeric answer). ``auto``:
``multiple`` when one-hot columns exist, ``mean`` for a numeric column, else ``categorical``.

The heavy work is one grouped Ibis aggregation per variable (sums per domain x stratum x PSU),
run by the table's backend (DuckDB by default); the variance algebra runs on those PSU totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

import ibis
import pandas as pd

from safepath.analysis import design as d
from safepath.analysis.design import Design
from safepath.analysis.variance import SUMS, DeffMethod, domain_stats, finite, refuse_lonely
from safepath.errors import InputError, Problem
from safepath.risk.codes import canonical

Kind = Literal["auto", "categorical", "multiple", "mean"]
KINDS: tuple[Kind, ...] = ("auto", "categorical", "multiple", "mean")
MISSING = "(missing)"  # a blank grouping value forms its own group (as risk areas do)
MAX_CATEGORIES = 200


@dataclass(frozen=True)
class Estimate:
    """One figure: the proportion choosing ``value`` (or the mean) of ``var`` in ``group``.

    ``n``: records in the base with a non-zero weight (R's ``unwtd.count``); ``count``: those
    choosing ``value``; ``weighted_n``: the base's sum of weights. ``no_population``: the base's
    weights sum to 0, so there is no estimate (never NaN)."""

    var: str
    value: str | None
    stat: Literal["prop", "mean"]
    by: tuple[str, ...]
    group: tuple[str, ...]
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    count: int | None
    weighted_n: float
    deff: float | None
    small_n: bool
    no_population: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "var": self.var,
            "value": self.value,
            "by": list(self.by),
            "group": list(self.group),
            self.stat: self.estimate,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n": self.n,
            "count": self.count,
            "weighted_n": self.weighted_n,
            "deff": self.deff,
            "small_n": self.small_n,
            "no_population": self.no_population,
        }


@dataclass(frozen=True)
class Indicator:
    """One estimated quantity: the label of its row and a nullable float64 expression (null:
    outside the base)."""

    value: str | None
    expr: Any


def key_text(col: Any) -> Any:
    """A grouping value as text: whole floats without ``.0`` (so 1.0 and 1 are one group),
    blank or missing as ``(missing)``."""
    typ = col.type()
    if typ.is_floating():
        whole = col.notnull() & ~col.isnan() & (col == col.floor())
        text = ibis.ifelse(whole, col.cast("int64").cast("string"), col.cast("string"))
        text = ibis.ifelse(col.isnull() | col.isnan(), ibis.null("string"), text)
    else:
        text = col if typ.is_string() else col.cast("string")
    return ibis.ifelse(text.isnull() | (text.strip() == ""), ibis.literal(MISSING), text)


def present(col: Any) -> Any:
    typ = col.type()
    if typ.is_floating():
        return col.notnull() & ~col.isnan()
    if typ.is_string():
        return col.notnull() & (col.strip() != "")
    return col.notnull()


def _refuse(t: Any, bad: Any, column: str, design: Design, why: str) -> None:
    n_bad = int(t.filter(bad).count().execute())
    if n_bad:
        problems = d.problems_at(t, bad, column, design, ibis.literal(why))
        raise InputError(
            f"{design.source}: {n_bad} value(s) of {column!r}: {why}", problems=problems
        )


def flag(cond: Any) -> Any:
    """1.0 or 0.0 (null stays null): PostgreSQL cannot cast a boolean to a double."""
    return ibis.ifelse(cond, ibis.literal(1.0, "float64"), ibis.literal(0.0, "float64"))


def one_hot_columns(columns: Sequence[str], var: str) -> list[str]:
    return [c for c in columns if c.startswith(f"{var}/") and len(c) > len(var) + 1]


def resolve_kind(t: Any, var: str, kind: Kind) -> Kind:
    if kind != "auto":
        return kind
    if one_hot_columns(t.columns, var):
        return "multiple"
    if var not in t.columns:
        return "categorical"  # require_var reports it
    typ = t[var].type()
    return "mean" if typ.is_numeric() and not typ.is_boolean() else "categorical"


def _require_var(t: Any, var: str, design: Design, kind: Kind) -> None:
    if var in t.columns or (kind == "multiple" and one_hot_columns(t.columns, var)):
        return
    raise InputError(
        f"{design.source} has no column {var!r}",
        problems=[Problem("missing column", scope=design.source, column=var)],
    )


def _categories(t: Any, var: str, exclude: Sequence[str], design: Design) -> list[Indicator]:
    col = t[var]
    values = t.filter(present(col)).select(v=col).distinct().limit(MAX_CATEGORIES + 1).to_pyarrow()
    raw = [v for v in values.column("v").to_pylist() if v is not None]
    if len(raw) > MAX_CATEGORIES:
        raise InputError(
            f"{var!r} has more than {MAX_CATEGORIES} distinct answers: is it free text or an "
            "identifier? Estimate a coded question.",
            problems=[Problem("too many distinct answers", scope=design.source, column=var)],
        )
    skip = {str(e) for e in exclude}
    kept = sorted((canonical(v), v) for v in raw if canonical(v) not in skip)
    skipped = [v for v in raw if canonical(v) in skip]
    base = present(col)
    if skipped:
        base = base & ~col.isin(skipped)
    return [
        Indicator(label, ibis.ifelse(base, flag(col == v), ibis.null("float64")))
        for label, v in kept
    ]


def _mean(t: Any, var: str, design: Design) -> list[Indicator]:
    col = t[var]
    if col.type().is_boolean():
        raise InputError(f"{var!r} is true/false: estimate it as categorical")
    if col.type().is_string():
        num = col.strip().try_cast("float64")
        _refuse(t, present(col) & num.isnull(), var, design, "not a number")
    else:
        num = col.cast("float64")
    _refuse(t, num.notnull() & num.isinf(), var, design, "infinite value")
    return [Indicator(None, ibis.ifelse(num.isnull() | num.isnan(), ibis.null("float64"), num))]


def _multiple(t: Any, var: str, design: Design) -> list[Indicator]:
    hot = one_hot_columns(t.columns, var)
    if hot:
        out = []
        for column in hot:
            num = d.number(t[column])
            num = ibis.ifelse(num.isnan(), ibis.null("float64"), num)
            _refuse(t, num.notnull() & ~num.isin([0.0, 1.0]), column, design, "not 0 or 1")
            out.append(Indicator(column[len(var) + 1 :], num))
        return out
    col = t[var]
    if not col.type().is_string():
        raise InputError(f"{var!r} is not a select-multiple answer (space-separated options)")
    tokens = col.strip().re_split(r"\s+")
    found = t.filter(present(col)).select(o=tokens.unnest()).distinct().to_pyarrow()
    options = sorted(o for o in found.column("o").to_pylist() if o)
    if len(options) > MAX_CATEGORIES:
        raise InputError(f"{var!r} has more than {MAX_CATEGORIES} options: is it free text?")
    answered = present(col)
    return [
        Indicator(o, ibis.ifelse(answered, flag(tokens.contains(o)), ibis.null("float64")))
        for o in options
    ]


def indicators(
    t: Any, var: str, kind: Kind, design: Design, exclude: Sequence[str] = ()
) -> tuple[Literal["prop", "mean"], list[Indicator]]:
    kind = resolve_kind(t, var, kind)
    _require_var(t, var, design, kind)
    if exclude and kind != "categorical":
        raise InputError("--exclude applies to categorical (single-choice) variables only")
    if kind == "mean":
        return "mean", _mean(t, var, design)
    if kind == "multiple":
        return "prop", _multiple(t, var, design)
    return "prop", _categories(t, var, exclude, design)


def psu_sums(
    t: Any, design: Design, by: Sequence[str], inds: Sequence[Indicator]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Per (group, stratum, PSU) the sums of each indicator (columns ``b0, y0, ...``), and the
    number of PSUs per stratum over the whole design."""
    keep = {f"_g{j}": key_text(t[b]) for j, b in enumerate(by)}
    keep |= {f"_x{k}": ind.expr for k, ind in enumerate(inds)}
    s = d.staged(t, design, keep)  # a select first: Ibis would repeat shared subexpressions
    w = s[d.WEIGHT]
    nonzero = w != 0
    sums: dict[str, Any] = {}
    for k in range(len(inds)):
        x = s[f"_x{k}"]
        answered = x.notnull()
        sums |= {
            f"b{k}": w.sum(where=answered),
            f"y{k}": (w * x).sum(),
            f"q{k}": (w * x * x).sum(),
            f"n{k}": s.count(where=answered & nonzero),
            f"r{k}": s.count(where=answered),
            f"c{k}": s.count(where=(x == 1.0) & nonzero),
        }
    groups = [*keep][: len(by)]
    frame = s.group_by([*groups, d.STRATUM, d.PSU]).aggregate(**sums).to_pyarrow().to_pandas()
    filled = frame[list(sums)].fillna(0)  # an empty sum is null
    frame = pd.concat([frame[[*groups, d.STRATUM, d.PSU]].astype(str), filled], axis=1)
    return frame, d.psu_counts(s)


def estimate(
    table: Any,
    var: str,
    design: Design,
    *,
    by: Sequence[str] = (),
    kind: Kind = "auto",
    exclude: Sequence[str] = (),
    level: float = 0.95,
    small_n: int = 30,
    deff: DeffMethod = "without_replacement",
    checked: bool = False,
) -> list[Estimate]:
    """Estimates of ``var`` overall and, with ``by``, per group (one domain per combination).

    ``table`` is an Ibis table (a stored round, or a file the CLI read); ``design`` names its
    weight, strata and cluster columns. Raises InputError for unusable weights, a lonely PSU
    under the ``fail`` rule, a missing column or an unusable answer. ``checked``: the caller
    has already run ``design.check`` on this table and design (a report asks many estimates of
    one table: each check is a scan and a compiled query)."""
    if not 0 < level < 1:
        raise InputError(f"confidence level {level} must be between 0 and 1")
    missing = [b for b in by if b not in table.columns]
    if missing:
        raise InputError(
            f"{design.source} has no grouping column(s) {', '.join(missing)}",
            problems=[Problem("missing column", scope=design.source, column=b) for b in missing],
        )
    if not checked:
        d.check(table, design)
    stat, inds = indicators(table, var, kind, design, exclude)
    if not inds:
        return []
    frame, n_psu = psu_sums(table, design, by, inds)
    return _rows(var, stat, by, inds, frame, n_psu, design, level, small_n, deff)


def _rows(
    var: str,
    stat: Literal["prop", "mean"],
    by: Sequence[str],
    inds: Sequence[Indicator],
    frame: pd.DataFrame,
    n_psu: dict[str, int],
    design: Design,
    level: float,
    small_n: int,
    deff: DeffMethod,
) -> list[Estimate]:
    zq = NormalDist().inv_cdf(1 - (1 - level) / 2)
    groups = [f"_g{j}" for j in range(len(by))]
    domains = [[], groups] if by else [[]]
    if design.lonely_psu == "fail":
        answered = frame[[f"r{k}" for k in range(len(inds))]].sum(axis=1)
        held = pd.DataFrame({d.STRATUM: frame[d.STRATUM], "r": answered})
        refuse_lonely(held, n_psu, source=design.source)
    out: list[tuple[tuple[str, ...], int, Estimate]] = []
    for k, ind in enumerate(inds):
        psu = frame[[*groups, d.STRATUM, d.PSU, *(f"{s}{k}" for s in SUMS)]]
        psu = psu.rename(columns={f"{s}{k}": s for s in SUMS})
        for keys in domains:
            for row in domain_stats(psu, keys, n_psu, design.lonely_psu, deff).to_dict("records"):
                group = tuple(str(row[g]) for g in keys)
                est, var_ = finite(row["est"]), finite(row["var"])
                se = None if var_ is None else max(var_, 0.0) ** 0.5
                none = est is None
                n = int(row["n"])
                out.append(
                    (
                        group,
                        k,
                        Estimate(
                            var=var,
                            value=ind.value,
                            stat=stat,
                            by=tuple(by) if keys else (),
                            group=group,
                            estimate=est,
                            se=se,
                            ci_low=None if none or se is None else est - zq * se,
                            ci_high=None if none or se is None else est + zq * se,
                            n=n,
                            count=int(row["c"]) if stat == "prop" else None,
                            weighted_n=float(row["b"]),
                            deff=None if none else finite(row["deff"]),
                            small_n=n < small_n,
                            no_population=none,
                        ),
                    )
                )
    # overall first, then groups in order; answers in their order within each
    out.sort(key=lambda item: (len(item[2].by) > 0, item[0], item[1]))
    return [e for _, _, e in out]


def estimate_flags(
    table: Any,
    flags: Sequence[str],
    design: Design,
    *,
    by: Sequence[str] = (),
    level: float = 0.95,
    small_n: int = 30,
    deff: DeffMethod = "without_replacement",
) -> list[Estimate]:
    """The proportion of records at 1 in each of several 0/1 columns (null: outside that
    column's base), in one pass over the table; each row's ``value`` names its column.

    The same figures as ``estimate(table, column, design, kind="mean")`` per column (a 0/1 mean
    is a proportion), with one design check and one aggregation for all of them."""
    if not 0 < level < 1:
        raise InputError(f"confidence level {level} must be between 0 and 1")
    d.check(table, design)
    inds = [Indicator(c, d.number(table[c])) for c in flags]
    if not inds:
        return []
    frame, n_psu = psu_sums(table, design, by, inds)
    return _rows("flags", "prop", by, inds, frame, n_psu, design, level, small_n, deff)
