"""Individual, global and household risk, k-anonymity and l-diversity on hand-worked vectors.

Golden values: sdcMicro's own tests (tests/testthat/test_indivRisk.R, printed to 8 decimals, so
compared to 1e-8) and, for the exact method, the defining integral
p ∫₀¹ s^(f-1) / (p + q s) ds evaluated with R's ``integrate`` (rel.tol 1e-13; the command is in
each comment), compared to 1e-12.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from safepath.errors import InputError
from safepath.privacy.disclosure import (
    as_table,
    individual_risk,
    l_diversity,
    measure_risk,
    record_risk,
)

# the sdcMicro test vectors (see test_frequencies.py): fk, Fk without and with missing values
FK = [3, 1, 3, 1, 2, 2, 1, 3]
FFK = [108.0, 45.5, 108.0, 17.0, 100.0, 100.0, 123.5, 108.0]
FK_NA = [3, 1, 4, 2, 3, 3, 1, 5]
FFK_NA = [108.0, 45.5, 125.0, 56.0, 151.0, 151.0, 123.5, 208.0]

SDCMICRO = {  # test_indivRisk.R, survey = TRUE
    ("approx", 1, False): [
        0.01369863,
        0.08579129,
        0.01369863,
        0.17707583,
        0.01877883,
        0.01877883,
        0.03931625,
        0.01369863,
    ],
    ("approx", 2, False): [
        0.02739726,
        0.17158258,
        0.02739726,
        0.35415167,
        0.03755767,
        0.03755767,
        0.07863251,
        0.02739726,
    ],
    ("exact", 1, False): [
        0.01355297,
        0.08579129,
        0.01355297,
        0.17707583,
        0.01877883,
        0.01877883,
        0.03931625,
        0.01355297,
    ],
    ("exact", 2, False): [
        0.02710594,
        0.17158258,
        0.02710594,
        0.35415167,
        0.03755767,
        0.03755767,
        0.07863251,
        0.02710594,
    ],
    ("approx", 1, True): [
        0.013698630,
        0.085791288,
        0.010554090,
        0.032466112,
        0.009836066,
        0.009836066,
        0.039316254,
        0.005973716,
    ],
    ("approx", 2, True): [
        0.02739726,
        0.17158258,
        0.02110818,
        0.06493222,
        0.01967213,
        0.01967213,
        0.07863251,
        0.01194743,
    ],
    ("exact", 1, True): [
        0.013552968,
        0.085791288,
        0.010504889,
        0.032466112,
        0.009756889,
        0.009756889,
        0.039316254,
        0.005962551,
    ],
    ("exact", 2, True): [
        0.02710594,
        0.17158258,
        0.02100978,
        0.06493222,
        0.01951378,
        0.01951378,
        0.07863251,
        0.01192510,
    ],
}


@pytest.mark.parametrize(("method", "qual", "missing"), sorted(SDCMICRO))
def test_individual_risk_equals_sdcmicro(method: str, qual: int, missing: bool) -> None:
    fk, Fk = (FK_NA, FFK_NA) if missing else (FK, FFK)
    got = individual_risk(fk, Fk, method=method, qual=qual)  # type: ignore[arg-type]
    assert got.tolist() == pytest.approx(SDCMICRO[(method, qual, missing)], abs=1e-8)


def test_closed_forms_worked_by_hand() -> None:
    # f = 1: p/q log(1/p); f = 2: p/q - (p/q)^2 log(1/p); f = 3 approx: p / (f - q)
    p = 1 / 45.5
    assert individual_risk([1], [45.5])[0] == pytest.approx(p / (1 - p) * math.log(1 / p), 1e-14)
    p = 2 / 56
    a = p / (1 - p)
    assert individual_risk([2], [56.0])[0] == pytest.approx(a - a * a * math.log(1 / p), 1e-13)
    p = 3 / 108
    assert individual_risk([3], [108.0])[0] == pytest.approx(p / (3 - (1 - p)), 1e-14)
    # F == f: the sample is the population: 1/f, times qual
    assert individual_risk([4, 1], [4.0, 1.0], qual=0.5).tolist() == [0.125, 0.5]


def test_exact_method_equals_the_integral() -> None:
    # Rscript: r <- function(f, p) p * integrate(function(s) s^(f-1)/(p+(1-p)*s), 0, 1,
    #   rel.tol=1e-13)$value; mapply(function(f, F) r(f, f/F), fk, Fk)
    want = [
        0.0135529683717424,
        0.0857912882237507,
        0.0105048886515368,
        0.0324661117830244,
        0.00975688878984215,
        0.00975688878984215,
        0.0393162543352492,
        0.00596255125152961,
    ]
    assert individual_risk(FK_NA, FFK_NA, method="exact").tolist() == pytest.approx(want, rel=1e-12)
    # large f (the series and recurrence branches): r(50, 50/900), r(200, 0.01), r(3, 3/1000.5)
    got = individual_risk([50, 200, 3], [900.0, 20000.0, 1000.5], method="exact")
    assert got.tolist() == pytest.approx(
        [0.00113247768584495, 5.02487185967904e-05, 0.00149487227189889], rel=1e-11
    )
    # the approximation is close but not equal for f >= 3
    approx = individual_risk([50], [900.0])[0]
    assert approx != got[0] and approx == pytest.approx(got[0], rel=0.01)


def test_bad_risk_arguments() -> None:
    with pytest.raises(ValueError, match="Fk >= fk"):
        individual_risk([3], [2.0])
    with pytest.raises(ValueError, match="method"):
        individual_risk([1], [2.0], method="magic")  # type: ignore[arg-type]


def _vector(missing: bool = True) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "A": [2, 3, 2, 2, 3, 3, 1, None] if missing else [2, 3, 2, 2, 3, 3, 1, 2],
            "B": [3, 3, 3, 3, 3, 3, 4, 3],
            "C": [1, 3, None, 2, 1, 1, None, 1] if missing else [1, 3, 1, 2, 1, 1, 1, 1],
            "w": [18.0, 45.5, 39.0, 17.0, 92.0, 8.0, 123.5, 51.0],
            "hh": [1, 1, 2, 2, 3, 3, 4, 4],
            "row": range(8),
        }
    )


def test_global_risk_expected_reidentifications_and_k_violations() -> None:
    t = as_table(_vector())
    m = measure_risk(t, ["A", "B", "C"], "w", method="exact")
    risks = SDCMICRO[("exact", 1, True)]
    assert m.expected_reidentifications == pytest.approx(sum(risks), abs=1e-7)
    assert m.global_risk == pytest.approx(sum(risks) / 8, abs=1e-8)
    assert m.max_risk == pytest.approx(0.085791288, abs=1e-8)
    # fk = 3, 1, 4, 2, 3, 3, 1, 5: below 2: two records, below 3: three, below 5: seven
    assert m.k_violations == {2: 2, 3: 3, 5: 7}
    assert m.above(0.03) == 3


def test_unweighted_risk_is_one_over_fk() -> None:
    m = measure_risk(as_table(_vector()), ["A", "B", "C"])
    assert m.expected_reidentifications == pytest.approx(
        1 / 3 + 1 + 1 / 4 + 1 / 2 + 1 / 3 + 1 / 3 + 1 + 1 / 5, abs=1e-12
    )


def test_household_risk_is_one_minus_the_product_within_a_household() -> None:
    t = as_table(_vector())
    m = measure_risk(t, ["A", "B", "C"], "w", method="exact", household="hh")
    r = SDCMICRO[("exact", 1, True)]
    per_hh = [1 - (1 - r[i]) * (1 - r[i + 1]) for i in range(0, 8, 2)]
    per_record = [h for h in per_hh for _ in range(2)]
    got = record_risk(t, m).order_by("row").to_pandas()
    assert got["household_risk"].tolist() == pytest.approx(per_record, abs=1e-8)
    assert m.household is not None
    assert m.household.households == 4
    assert m.household.expected_reidentifications == pytest.approx(sum(per_record), abs=1e-7)
    assert m.household.mean == pytest.approx(sum(per_record) / 8, abs=1e-8)
    assert m.household.max == pytest.approx(max(per_hh), abs=1e-8)


def test_household_risk_stays_exact_when_a_member_is_certain() -> None:
    df = pd.DataFrame({"k": [1, 2, 2], "hh": [1, 1, 2], "row": [0, 1, 2]})
    t = as_table(df)
    m = measure_risk(t, ["k"], household="hh")  # risks 1, 1/2, 1/2
    got = record_risk(t, m).order_by("row").to_pandas()
    assert got["household_risk"].tolist() == [1.0, 1.0, 0.5]


def test_records_come_back_with_their_own_figures() -> None:
    t = as_table(_vector())
    m = measure_risk(t, ["A", "B", "C"], "w")
    got = record_risk(t, m).order_by("row").to_pandas()
    assert got["fk"].tolist() == FK_NA
    assert got["risk"].tolist() == pytest.approx(SDCMICRO[("approx", 1, True)], abs=1e-8)
    assert got.columns.tolist()[:6] == ["A", "B", "C", "w", "hh", "row"]


def test_normalised_weights_are_refused() -> None:
    df = _vector().assign(w=0.1)
    with pytest.raises(InputError, match="expansion weights"):
        measure_risk(as_table(df), ["A", "B", "C"], "w")


def test_missing_household_id_is_refused() -> None:
    df = _vector().astype({"hh": "Int64"})
    df.loc[2, "hh"] = pd.NA
    with pytest.raises(InputError, match="1 record\\(s\\) have no household id"):
        measure_risk(as_table(df), ["A", "B", "C"], "w", household="hh")


def test_l_diversity_counts_distinct_sensitive_values_per_combination() -> None:
    df = pd.DataFrame(
        {
            "sex": ["f", "f", "f", "m", "m", "m"],
            "place": ["a", "a", "a", "a", "a", "b"],
            "health": ["x", "y", None, "x", "x", None],
            "income": [1, 2, 3, 4, 5, 6],
        }
    )
    ld_health, ld_income = l_diversity(as_table(df), ["sex", "place"], ["health", "income"])
    by = dict(
        zip(
            zip(
                ld_health.patterns.values["sex"].to_pylist(),
                ld_health.patterns.values["place"].to_pylist(),
                strict=True,
            ),
            ld_health.distinct.tolist(),
            strict=True,
        )
    )
    # (f, a): x, y and a missing value -> 3; (m, a): x only -> 1; (m, b): only missing -> 0
    assert by == {("f", "a"): 3, ("m", "a"): 1, ("m", "b"): 0}
    assert ld_health.minimum == 0
    assert ld_health.below(2) == 3
    assert sorted(ld_income.distinct.tolist()) == [1, 2, 3]
    with pytest.raises(InputError, match="cannot be a key variable"):
        l_diversity(as_table(df), ["sex"], ["sex"])


def test_measures_run_on_the_backend_not_in_python() -> None:
    # The table the measures get is an Ibis table bound to DuckDB; nothing is pulled into
    # pandas except the distinct patterns (here 2 of 1000 records).
    n = 1000
    t = as_table(pd.DataFrame({"a": np.arange(n) % 2, "w": np.full(n, 10.0)}))
    m = measure_risk(t, ["a"], "w")
    assert len(m.patterns.count) == 2
    assert m.records == n
