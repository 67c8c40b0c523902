"""Anonymisation: recoding, local suppression (with properties), PRAM, MDAV, information loss."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.privacy.disclosure.conftest import brute_frequencies

from safepath.errors import InputError
from safepath.privacy.disclosure import as_table, local_suppression, measure_risk
from safepath.privacy.disclosure.frequencies import encode, match_counts
from safepath.privacy.disclosure.individual import individual_risk
from safepath.privacy.disclosure.infoloss import information_loss
from safepath.privacy.disclosure.mdav import mdav
from safepath.privacy.disclosure.pram import invariant, pram, uniform_transition
from safepath.privacy.disclosure.recode import (
    bottom_code,
    catalogue_age_brackets,
    recode_age,
    recode_breaks,
    recode_map,
    top_code,
)


def test_age_brackets_come_from_the_catalogue() -> None:
    assert catalogue_age_brackets()[0] == ("age_0_4", 0, 4)
    assert catalogue_age_brackets()[-1] == ("age_60_plus", 60, None)
    df = pd.DataFrame({"age": [0, 4.9, 5, 17, 18, 59, 60, 99, None], "row": range(9)})
    got = recode_age(as_table(df), "age").order_by("row").to_pandas()["age"].tolist()
    assert got[:8] == [
        "age_0_4",
        "age_0_4",
        "age_5_11",
        "age_12_17",
        "age_18_59",
        "age_18_59",
        "age_60_plus",
        "age_60_plus",
    ]
    assert pd.isna(got[8])  # a missing age stays missing (it matches any bracket)
    with pytest.raises(InputError, match="negative age"):
        recode_age(as_table(pd.DataFrame({"age": [-1, 3]})), "age")
    with pytest.raises(InputError, match="not numeric"):
        recode_age(as_table(pd.DataFrame({"age": ["ten"]})), "age")


def test_breaks_map_and_top_bottom_coding() -> None:
    df = pd.DataFrame({"x": [1, 5, 10, 20, 50], "c": ["a", "b", "c", "a", "b"], "row": range(5)})
    t = as_table(df)
    got = recode_breaks(t, "x", [0, 10, 50], ["low", "high"]).order_by("row").to_pandas()
    assert got["x"].tolist() == ["low", "low", "high", "high", "high"]
    got = recode_map(t, "c", {"b": "a"}).order_by("row").to_pandas()
    assert got["c"].tolist() == ["a", "a", "c", "a", "a"]
    assert top_code(t, "x", 10).order_by("row").to_pandas()["x"].tolist() == [1, 5, 10, 10, 10]
    assert bottom_code(t, "x", 5, 0).order_by("row").to_pandas()["x"].tolist() == [0, 5, 10, 20, 50]


def _fk_of(df: pd.DataFrame, keys: list[str]) -> list[int]:
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in df[keys].itertuples(index=False)]
    return brute_frequencies(rows)[0]


cell = st.one_of(st.none(), st.integers(0, 3))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(cell, cell, cell), min_size=3, max_size=30),
    k=st.integers(2, 3),
)
def test_after_local_suppression_every_record_is_k_anonymous(
    rows: list[tuple[int | None, ...]], k: int
) -> None:
    df = pd.DataFrame(rows, columns=["a", "b", "c"], dtype="Int64").assign(row=range(len(rows)))
    safe, result = local_suppression(as_table(df), ["a", "b", "c"], k, importance=["a"])
    out = safe.order_by("row").to_pandas()
    assert min(_fk_of(out, ["a", "b", "c"])) >= k  # counted by the definition, not our code
    blanked = {c: int((out[c].isna() & df[c].notna()).sum()) for c in "abc"}
    assert blanked == result.suppressed
    assert int((out[["a", "b", "c"]].isna() & df[["a", "b", "c"]].notna()).sum().sum()) == (
        result.total
    )
    kept = out[["a", "b", "c"]].notna()  # only blanking: a value that is kept is unchanged
    assert (
        out[["a", "b", "c"]][kept].astype(float) == df[["a", "b", "c"]][kept].astype(float)
    ).sum().sum() == int(kept.sum().sum())


def test_importance_order_decides_which_value_is_blanked() -> None:
    df = pd.DataFrame({"a": [1, 1, 1, 2], "b": [1, 1, 1, 1], "c": [5, 5, 5, 5], "row": range(4)})
    # record 4 differs from the rest only in a: blanking a fixes it; with a most important,
    # nothing else can, so it is still a that goes (one value, not more)
    for importance in (["a"], ["b", "c"]):
        safe, result = local_suppression(as_table(df), ["a", "b", "c"], 2, importance=importance)
        assert result.suppressed == {"a": 1, "b": 0, "c": 0}
        assert result.total == 1
    df2 = pd.DataFrame({"a": [1, 1, 2, 2], "b": [1, 2, 1, 2], "row": range(4)})
    # every record is unique; blanking either key of each fixes it: the less important goes
    _, keep_a = local_suppression(as_table(df2), ["a", "b"], 2, importance=["a"])
    assert keep_a.suppressed == {"a": 0, "b": 4}
    _, keep_b = local_suppression(as_table(df2), ["a", "b"], 2, importance=["b"])
    assert keep_b.suppressed == {"a": 4, "b": 0}
    with pytest.raises(InputError, match="not key variables"):
        local_suppression(as_table(df2), ["a", "b"], 2, importance=["z"])
    with pytest.raises(InputError, match="fewer records than k"):
        local_suppression(as_table(df2), ["a", "b"], 5)


def test_suppression_to_a_risk_bound_with_weights() -> None:
    df = pd.DataFrame({"a": [1, 1, 1, 2, 2, 2], "b": [1, 1, 1, 1, 1, 2], "w": [2.0] * 6})
    before = measure_risk(as_table(df), ["a", "b"], "w")
    assert before.max_risk > 0.3
    safe, result = local_suppression(as_table(df), ["a", "b"], 2, weight="w", max_risk=0.3)
    after = measure_risk(safe, ["a", "b"], "w")
    assert after.max_risk <= 0.3 and after.k_violations[2] == 0
    assert result.total >= 1


def _risk_total(codes: np.ndarray, w: np.ndarray, method: str) -> float:
    ones = np.ones(codes.shape[0], dtype=np.int64)
    fk, Fk = match_counts(codes, codes, ones, w)
    return float(individual_risk(fk, Fk, method=method).sum())  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), min_size=2, max_size=30),
    data=st.data(),
    method=st.sampled_from(["approx", "exact"]),
)
def test_global_risk_never_rises_under_recoding(
    rows: list[tuple[int, int]], data: st.DataObject, method: str
) -> None:
    # Recoding merges categories: a record's combination after recoding contains every record
    # it matched before, so fk and Fk only grow. Here: merge two categories of the first key.
    weights = np.asarray(
        data.draw(st.lists(st.integers(1, 200), min_size=len(rows), max_size=len(rows))), float
    )
    merge = data.draw(st.tuples(st.integers(0, 5), st.integers(0, 5)))
    import pyarrow as pa

    before = encode(pa.table({"a": [r[0] for r in rows], "b": [r[1] for r in rows]}))
    after = encode(
        pa.table(
            {"a": [merge[0] if r[0] == merge[1] else r[0] for r in rows], "b": [r[1] for r in rows]}
        )
    )
    assert _risk_total(after, weights, method) <= _risk_total(before, weights, method) + 1e-12


def test_pram_keeps_the_distribution_in_expectation_and_is_reproducible() -> None:
    values = pd.Series(["a"] * 60 + ["b"] * 30 + ["c"] * 10 + [None] * 5)
    pi = np.array([60.0, 30.0, 10.0])
    r = invariant(uniform_transition(3, 0.8), pi)
    assert (pi / pi.sum()) @ r == pytest.approx(pi / pi.sum(), abs=1e-12)  # invariance
    assert r.sum(axis=1) == pytest.approx(np.ones(3), abs=1e-12)
    one = pram(values, seed=42)
    two = pram(values, seed=42)
    other = pram(values, seed=43)
    assert one.values.tolist() == two.values.tolist()
    assert one.values.tolist() != other.values.tolist()
    assert one.values[100:].isna().all()  # missing stays missing
    assert 0 < one.changed < 60
    assert set(one.values.dropna()) <= {"a", "b", "c"}
    # many draws: the mean published distribution is the observed one
    counts = np.zeros(3)
    for seed in range(100):
        v = pram(values, seed=seed).values.dropna()
        counts += [int((v == c).sum()) for c in "abc"]
    assert counts / 100 == pytest.approx([60, 30, 10], abs=2)
    with pytest.raises(InputError, match="probabilities summing to 1"):
        invariant(np.array([[0.5, 0.2], [0.5, 0.5]]), [1, 1])


def test_mdav_groups_have_at_least_k_records_and_keep_the_means() -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=101), "y": rng.exponential(size=101) * 1000})
    df.loc[5, "x"] = np.nan
    res = mdav(df, ["x", "y"], k=3)
    groups = res.groups[res.groups >= 0]
    assert np.bincount(groups).min() >= 3
    assert res.groups[5] == -1 and pd.isna(res.frame["x"].iloc[5])
    complete = df.dropna()
    assert res.frame.loc[complete.index, "y"].mean() == pytest.approx(complete["y"].mean())
    # every group's records carry one value per variable
    for g in np.unique(groups):
        members = res.frame[res.groups == g]
        assert members["x"].nunique() == 1 and members["y"].nunique() == 1
    with pytest.raises(InputError, match="not numeric"):
        mdav(pd.DataFrame({"t": ["a", "b", "c"]}), ["t"], 2)


def test_information_loss_counts_suppressions_changes_and_mean_shift() -> None:
    before = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["x", "y", "x", None]})
    after = pd.DataFrame({"a": [1, None, 3, 8], "b": ["x", "x", "x", None]})
    loss = information_loss(before, after, ["a", "b"])
    assert loss.suppressed == {"a": 1, "b": 0}
    assert loss.changed == {"a": 2, "b": 1}
    assert loss.means["a"].before == 2.5 and loss.means["a"].after == 4.0
    assert loss.means["a"].relative == pytest.approx(0.6)
    assert "b" not in loss.means
