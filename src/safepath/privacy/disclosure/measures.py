"""Risk measures of a microdata table: individual, global and household risk, k-anonymity and
l-diversity, as sdcMicro's ``measure_risk`` / ``kAnon`` / ``ldiversity`` define them.

- individual risk: per record, from its fk and Fk (``individual.py``); without weights a record
  is its own population (Fk = fk) and its risk is ``qual / fk``;
- global risk: the mean individual risk; expected re-identifications: their sum;
- household risk: ``1 - ∏(1 - r_i)`` over the members of a household (the chance that at least
  one member is re-identified), reported for each member; its mean and sum are the household
  analogues of the global figures (sdcMicro's ``hier_risk`` and ``hier_risk_ER``);
- k-anonymity: the records whose fk (missing values matching any category) is below k;
- l-diversity (distinct): per key combination, the number of distinct values of a sensitive
  variable (a missing value counts as one more when there are others, as in sdcMicro). Here the
  combinations are the exact key patterns, a missing key value being its own value, as in
  sdcMicro's ``ldiversity``.

Everything that scales with the records runs in the backend: one GROUP BY for the frequencies,
one join (and a window per household) for per-record figures. The per-pattern arithmetic runs
in numpy on the D distinct patterns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from safepath.errors import InputError, Problem
from safepath.privacy.disclosure.frequencies import Patterns, encode, key_patterns, per_record
from safepath.privacy.disclosure.individual import METHODS, Method, individual_risk
from safepath.privacy.disclosure.tables import distinct_names, missing_as_null, require

FloatArray = npt.NDArray[np.float64]
K_LEVELS = (2, 3, 5)


@dataclass(frozen=True)
class HouseholdRisk:
    households: int
    mean: float  # mean over records of their household's risk (sdcMicro hier_risk)
    expected_reidentifications: float  # its sum over records (sdcMicro hier_risk_ER)
    max: float


@dataclass(frozen=True)
class RiskMeasures:
    """The figures for one table and key set; ``patterns`` and ``risk`` hold the detail."""

    keys: tuple[str, ...]
    weight: str | None
    method: Method
    qual: float
    records: int
    patterns: Patterns
    risk: FloatArray  # per pattern, in the order of patterns.values
    household: HouseholdRisk | None = None
    household_column: str | None = None
    k_levels: tuple[int, ...] = K_LEVELS
    k_violations: dict[int, int] = field(default_factory=dict)

    @property
    def expected_reidentifications(self) -> float:
        return float((self.risk * self.patterns.count).sum())

    @property
    def global_risk(self) -> float:
        return self.expected_reidentifications / self.records if self.records else 0.0

    @property
    def max_risk(self) -> float:
        return float(self.risk.max()) if self.risk.size else 0.0

    def above(self, threshold: float) -> int:
        """Records whose individual risk exceeds ``threshold``."""
        return int(self.patterns.count[self.risk > threshold].sum())

    def summary(self) -> dict[str, object]:
        out: dict[str, object] = {
            "records": self.records,
            "keys": list(self.keys),
            "weight": self.weight,
            "method": self.method,
            "qual": self.qual,
            "global_risk": self.global_risk,
            "expected_reidentifications": self.expected_reidentifications,
            "max_risk": self.max_risk,
            "k_violations": {str(k): v for k, v in self.k_violations.items()},
        }
        if self.household is not None:
            out["household"] = {
                "households": self.household.households,
                "risk": self.household.mean,
                "expected_reidentifications": self.household.expected_reidentifications,
                "max_risk": self.household.max,
            }
        return out


def check_method(method: str, qual: float) -> Method:
    if method not in METHODS:
        raise InputError(f"unknown risk method {method!r}; use one of {', '.join(METHODS)}")
    if not (qual > 0 and np.isfinite(qual)):
        raise InputError(f"qual must be a positive number, not {qual!r}")
    return method


def pattern_risk(patterns: Patterns, method: Method = "approx", qual: float = 1.0) -> FloatArray:
    """Individual risk of each pattern (so of each of its records)."""
    if not patterns.weighted:
        return np.asarray(qual / patterns.fk, dtype=np.float64)
    low = patterns.Fk < patterns.fk * (1 - 1e-12)
    if np.any(low):
        raise InputError(
            f"{int(patterns.count[low].sum())} record(s) belong to key combinations whose "
            "weights sum to less than their sample count (weights below 1, e.g. normalised "
            "weights); the risk model needs expansion weights (people each record represents)"
        )
    F = np.maximum(patterns.Fk, patterns.fk)  # rounding: a sum of weights 1 may fall short
    return individual_risk(patterns.fk, F, method=method, qual=qual)


def measure_risk(
    table: ir.Table,
    keys: Sequence[str],
    weight: str | None = None,
    *,
    method: str = "approx",
    qual: float = 1.0,
    household: str | None = None,
    k_levels: Sequence[int] = K_LEVELS,
    source: str = "the table",
) -> RiskMeasures:
    """All risk figures of ``table`` for ``keys`` (and ``weight``, ``household``)."""
    m = check_method(method, qual)
    patterns = key_patterns(table, keys, weight, source=source)
    risk = pattern_risk(patterns, m, qual)
    hh = None
    if household is not None:
        hh = household_risk(table, patterns, risk, household, source=source)
    levels = tuple(sorted({int(k) for k in k_levels}))
    return RiskMeasures(
        keys=patterns.keys,
        weight=weight,
        method=m,
        qual=qual,
        records=patterns.records,
        patterns=patterns,
        risk=risk,
        household=hh,
        household_column=household,
        k_levels=levels,
        k_violations=k_violations(patterns, levels),
    )


def k_violations(patterns: Patterns, levels: Sequence[int] = K_LEVELS) -> dict[int, int]:
    """Records with fk < k, per k (missing key values matching any category)."""
    return {int(k): int(patterns.count[patterns.fk < k].sum()) for k in levels}


def _risk_columns(measures: RiskMeasures) -> pa.Table:
    p = measures.patterns
    # "Fk_pop", not "Fk": SQL names are case-insensitive, and "fk" is taken
    return pa.table({"fk": p.fk, "Fk_pop": p.Fk, "risk": measures.risk})


def record_risk(table: ir.Table, measures: RiskMeasures) -> ir.Table:
    """``table`` with ``fk``, ``Fk_pop`` (Fk) and ``risk`` on every record (and
    ``household_risk`` with a household). Row order is the backend's: order by your column."""
    out = per_record(table, measures.patterns, _risk_columns(measures))
    if measures.household_column is not None:
        out = _with_household_risk(out, measures.household_column)
    return out


def _with_household_risk(t: ir.Table, hid: str) -> ir.Table:
    """1 - ∏(1 - r) over each household, as a window: log-sum of |1 - r| with the sign and
    exact zeros counted separately, so r = 1 (and r > 1, from qual > 1) stay exact."""
    one_minus = 1 - t["risk"]
    w = ibis.window(group_by=t[hid])
    is_zero = (one_minus == 0).cast("int64")
    is_neg = (one_minus < 0).cast("int64")
    logs = ibis.ifelse(one_minus == 0, 0.0, one_minus.abs().ln())
    staged = t.mutate(
        _sdc_zero=is_zero.sum().over(w),
        _sdc_neg=is_neg.sum().over(w),
        _sdc_log=logs.sum().over(w),
    )
    sign = ibis.ifelse(staged["_sdc_neg"] % 2 == 1, -1.0, 1.0)
    product = ibis.ifelse(staged["_sdc_zero"] > 0, 0.0, sign * staged["_sdc_log"].exp())
    return staged.mutate(household_risk=1 - product).drop("_sdc_zero", "_sdc_neg", "_sdc_log")


def household_risk(
    table: ir.Table,
    patterns: Patterns,
    risk: FloatArray,
    household: str,
    *,
    source: str = "the table",
) -> HouseholdRisk:
    require(table, [household], source=source)
    if household in patterns.keys:
        raise InputError(f"the household id {household!r} cannot also be a key variable")
    nulls = int(table.filter(table[household].isnull()).count().to_pyarrow().as_py())
    if nulls:
        raise InputError(
            f"{source}: {nulls} record(s) have no household id in {household!r}",
            problems=[Problem("missing household id", scope=source, column=household)],
        )
    cols = pa.table({"risk": risk})
    t = per_record(table.select(*patterns.keys, household), patterns, cols)
    t = _with_household_risk(t, household)
    agg = t.aggregate(
        households=t[household].nunique(),
        total=t["household_risk"].sum(),
        top=t["household_risk"].max(),
        n=t.count(),
    ).to_pyarrow()
    row = {k: agg[k][0].as_py() for k in agg.column_names}
    n = int(row["n"] or 0)
    total = float(row["total"] or 0.0)
    return HouseholdRisk(
        households=int(row["households"] or 0),
        mean=total / n if n else 0.0,
        expected_reidentifications=total,
        max=float(row["top"] or 0.0),
    )


@dataclass(frozen=True)
class LDiversity:
    sensitive: str
    patterns: Patterns  # exact key patterns (a missing key value is its own value)
    distinct: npt.NDArray[np.int64]  # distinct l per pattern

    @property
    def minimum(self) -> int:
        return int(self.distinct.min()) if self.distinct.size else 0

    def below(self, level: int) -> int:
        """Records in combinations with fewer than ``level`` distinct sensitive values."""
        return int(self.patterns.count[self.distinct < level].sum())


def l_diversity(
    table: ir.Table, keys: Sequence[str], sensitive: Sequence[str], *, source: str = "the table"
) -> list[LDiversity]:
    """Distinct l-diversity of each sensitive variable within the key combinations."""
    keys = distinct_names(keys)
    sens = distinct_names(sensitive, "sensitive variables")
    clash = [s for s in sens if s in keys]
    if clash:
        raise InputError(f"a sensitive variable cannot be a key variable: {', '.join(clash)}")
    require(table, [*keys, *sens], source=source)
    t = missing_as_null(table, [*keys, *sens])
    aggs: dict[str, ir.Value] = {"_sdc_n": t.count()}
    for i, s in enumerate(sens):
        col = t[s]
        has_null = col.isnull().any()
        aggs[f"_sdc_l{i}"] = col.nunique() + ibis.ifelse(has_null & col.notnull().any(), 1, 0)
    grouped = t.group_by(keys).aggregate(**aggs).to_pyarrow()
    values = grouped.select(keys)
    count = np.asarray(grouped["_sdc_n"].to_numpy(zero_copy_only=False), dtype=np.int64)
    codes = encode(values)
    base = Patterns(
        keys=tuple(keys),
        values=values,
        codes=codes,
        count=count,
        weight=count.astype(np.float64),
        weighted=False,
        fk=count,
        Fk=count.astype(np.float64),
    )
    return [
        LDiversity(
            sensitive=s,
            patterns=base,
            distinct=_ints(grouped[f"_sdc_l{i}"]),
        )
        for i, s in enumerate(sens)
    ]


def _ints(col: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.int64)
