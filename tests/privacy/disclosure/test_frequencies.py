"""fk and Fk with missing key values matching any category, against hand-worked vectors (and
sdcMicro's own test values) and a brute-force oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.privacy.disclosure.conftest import brute_frequencies

from safepath.errors import InputError
from safepath.privacy.disclosure import as_table, key_patterns, measure_risk, record_risk
from safepath.privacy.disclosure.frequencies import encode, match_counts

# sdcMicro tests/testthat/test_freqCalc.R and test_indivRisk.R: keys A, B, C and weights.
A = [2, 3, 2, 2, 3, 3, 1, 2]
B = [3, 3, 3, 3, 3, 3, 4, 3]
C = [1, 3, 1, 2, 1, 1, 1, 1]
W = [18.0, 45.5, 39.0, 17.0, 92.0, 8.0, 123.5, 51.0]
# The same with missing values: A[8], C[3] and C[7] are NA there.
A_NA = [2, 3, 2, 2, 3, 3, 1, None]
C_NA = [1, 3, None, 2, 1, 1, None, 1]


def _records(frame: pd.DataFrame, keys: list[str], weight: str | None) -> pd.DataFrame:
    frame = frame.assign(row=range(len(frame)))
    t = as_table(frame)
    m = measure_risk(t, keys, weight)
    out: pd.DataFrame = record_risk(t, m).order_by("row").to_pandas()
    return out


def test_without_missing_values_equals_sdcmicros_freqcalc() -> None:
    df = pd.DataFrame({"A": A, "B": B, "C": C, "w": W})
    got = _records(df, ["A", "B", "C"], "w")
    # expected values from sdcMicro's test_freqCalc.R ("data frame, numeric values (weighted)")
    assert got["fk"].tolist() == [3, 1, 3, 1, 2, 2, 1, 3]
    assert got["Fk_pop"].tolist() == pytest.approx(
        [108.0, 45.5, 108.0, 17.0, 100.0, 100.0, 123.5, 108.0], abs=1e-12
    )


def test_a_missing_value_matches_any_category() -> None:
    # Worked by hand: record 3 (2, 3, NA) matches records 1 (2,3,1), 4 (2,3,2) and 8 (NA,3,1);
    # record 8 (NA, 3, 1) matches 1, 3, 5, 6 and itself; record 7 (1, 4, NA) only itself.
    df = pd.DataFrame({"A": A_NA, "B": B, "C": C_NA, "w": W})
    got = _records(df, ["A", "B", "C"], "w")
    assert got["fk"].tolist() == [3, 1, 4, 2, 3, 3, 1, 5]
    assert got["Fk_pop"].tolist() == pytest.approx(
        [108.0, 45.5, 125.0, 56.0, 151.0, 151.0, 123.5, 208.0], abs=1e-12
    )
    unweighted = _records(df, ["A", "B", "C"], None)
    assert unweighted["Fk_pop"].tolist() == [3, 1, 4, 2, 3, 3, 1, 5]


def test_francdat_with_the_missing_values_of_sdcmicros_example() -> None:
    # sdcMicro's freqCalc example blanks x[3,5], x[4,2], x[4,4], x[5,6], x[6,2] of francdat
    # (keys Key1, Key2, Key3, Key4; weight w). Counted by hand, record by record.
    df = pd.DataFrame(
        {
            "Key1": [1, 1, 1, None, 4, None, 6, 1],
            "Key2": [2, 2, 2, None, 3, 3, 2, 2],
            "Key3": [5, 1, None, 1, 1, 1, 1, 5],
            "Key4": [1, 1, 1, 5, None, 1, 5, 1],
            "w": [18.0, 45.5, 39.0, 17.0, 541.0, 8.0, 5.0, 92.0],
        }
    )
    got = _records(df, ["Key1", "Key2", "Key3", "Key4"], "w")
    assert got["fk"].tolist() == [3, 2, 4, 3, 3, 2, 2, 3]
    assert got["Fk_pop"].tolist() == pytest.approx(
        [149.0, 84.5, 194.5, 563.0, 566.0, 549.0, 22.0, 149.0], abs=1e-12
    )


def test_nan_and_null_are_both_missing() -> None:
    df = pd.DataFrame({"a": [1.0, float("nan"), 2.0, 2.0], "b": ["x", "x", "y", None]})
    got = _records(df, ["a", "b"], None)
    assert got["fk"].tolist() == [2, 3, 2, 3]  # NaN as a value of its own: 1, 1, 2, 2


def test_text_keys_and_a_record_with_every_key_missing() -> None:
    df = pd.DataFrame({"sex": ["f", "m", None, "f"], "place": ["p1", "p1", None, "p2"]})
    got = _records(df, ["sex", "place"], None)
    assert got["fk"].tolist() == [2, 2, 4, 2]  # the all-missing record matches everyone


def test_bad_inputs_name_the_column() -> None:
    t = as_table(pd.DataFrame({"a": [1, 2], "w": [1.0, 0.0], "s": ["x", "y"]}))
    with pytest.raises(InputError, match="lacks 1 column"):
        key_patterns(t, ["a", "nope"])
    with pytest.raises(InputError, match="non-positive weight in 'w'"):
        key_patterns(t, ["a"], "w")
    with pytest.raises(InputError, match="not numeric"):
        key_patterns(t, ["a"], "s")
    with pytest.raises(InputError, match="more than once"):
        key_patterns(t, ["a", "a"])


cell = st.one_of(st.none(), st.integers(0, 2))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(cell, cell, cell), min_size=1, max_size=25),
    data=st.data(),
)
def test_fast_counts_equal_the_definition(
    rows: list[tuple[int | None, ...]], data: st.DataObject
) -> None:
    # The mask-pair algorithm on records (each its own pattern) against the O(n²) definition.
    weights = data.draw(st.lists(st.floats(1, 50), min_size=len(rows), max_size=len(rows)))
    codes = encode(pa.table({k: [r[j] for r in rows] for j, k in enumerate("abc")}))
    ones = np.ones(len(rows), dtype=np.int64)
    fk, Fk = match_counts(codes, codes, ones, np.asarray(weights))
    want_fk, want_Fk = brute_frequencies(rows, weights)
    assert fk.tolist() == want_fk
    assert Fk.tolist() == pytest.approx(want_Fk, rel=1e-12)


def test_the_database_path_agrees_with_the_definition_on_a_messy_table() -> None:
    rows = [
        (1, 0, None),
        (None, 0, 2),
        (1, None, 2),
        (2, 1, 1),
        (None, None, None),
        (1, 0, 2),
        (2, None, 1),
        (0, 1, None),
        (2, 1, 1),
        (None, 1, 1),
    ]
    weights = [float(i + 1) for i in range(len(rows))]
    df = pd.DataFrame(rows, columns=["a", "b", "c"], dtype="Int64").assign(w=weights)
    got = _records(df, ["a", "b", "c"], "w")
    fk, Fk = brute_frequencies(rows, weights)
    assert got["fk"].tolist() == fk
    assert got["Fk_pop"].tolist() == pytest.approx(Fk, rel=1e-12)


@pytest.mark.parametrize(
    ("weights", "bad"),
    [([1.0, None, 2.0, 3.0], 1), ([1.0, float("nan"), 2.0, 2.0], 1), ([-1.0, 0.0, 2.0, 2.0], 2)],
)
def test_missing_nan_and_non_positive_weights_are_counted(weights: list[float], bad: int) -> None:
    # the GROUP BY keeps plain aggregates (count, sum, min); a bad weight is then counted
    t = as_table(pd.DataFrame({"a": [1, 1, 2, 2], "w": weights}))
    with pytest.raises(InputError, match=f"{bad} record\\(s\\) have a missing or non-positive"):
        key_patterns(t, ["a"], "w")
