"""``safepath sdc`` in its own process, and the sdcMicro data sets in ../shared (acceptance)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.cli_process import run_cli
from tests.privacy.disclosure.conftest import TESTDATA_KEYS
from typer.testing import CliRunner

from safepath.cli import sdc
from safepath.errors import InputError
from safepath.privacy.disclosure import as_table, measure_risk, record_risk


def _fk_by_definition(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """fk of every record by the definition (equal or missing on every key), in numpy chunks:
    independent of the algorithm under test."""
    x = frame[keys].apply(pd.to_numeric).to_numpy(dtype=float)
    miss = np.isnan(x)
    out = np.empty(len(x), dtype=np.int64)
    for start in range(0, len(x), 400):
        a, ma = x[start : start + 400], miss[start : start + 400]
        ok = (a[:, None, :] == x[None, :, :]) | ma[:, None, :] | miss[None, :, :]
        out[start : start + 400] = ok.all(axis=2).sum(axis=1)
    return out


def test_risk_json_lists_every_record_in_input_order(tmp_path: Path) -> None:
    src = tmp_path / "micro.csv"
    pd.DataFrame(
        {
            "A": [2, 3, 2, 2, 3, 3, 1, None],
            "B": [3, 3, 3, 3, 3, 3, 4, 3],
            "C": [1, 3, None, 2, 1, 1, None, 1],
            "w": [18.0, 45.5, 39.0, 17.0, 92.0, 8.0, 123.5, 51.0],
        }
    ).to_csv(src, index=False)
    done = run_cli(
        [
            "sdc",
            "risk",
            str(src),
            "--keys",
            "A,B,C",
            "--weight",
            "w",
            "--method",
            "exact",
            "--format",
            "json",
        ],
        data_dir=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert [r["fk"] for r in body["records"]] == [3, 1, 4, 2, 3, 3, 1, 5]
    assert [r["Fk"] for r in body["records"]] == [108, 45.5, 125, 56, 151, 151, 123.5, 208]
    want = [
        0.013552968,
        0.085791288,
        0.010504889,
        0.032466112,
        0.009756889,
        0.009756889,
        0.039316254,
        0.005962551,
    ]  # sdcMicro test_indivRisk.R, exact, with missing
    assert [r["risk"] for r in body["records"]] == pytest.approx(want, abs=1e-8)
    assert body["expected_reidentifications"] == pytest.approx(sum(want), abs=1e-7)
    assert body["global_risk"] == pytest.approx(sum(want) / 8, abs=1e-8)
    assert body["k_violations"] == {"2": 2, "3": 3, "5": 7}


def test_a_missing_key_column_is_named(tmp_path: Path) -> None:
    src = tmp_path / "m.csv"
    pd.DataFrame({"a": [1, 2]}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        sdc.app, ["anonymise", str(src), "--keys", "a,age", "--out", str(out)]
    )
    assert isinstance(result.exception, InputError)
    assert "age" in result.exception.message
    assert not out.exists()


@pytest.mark.shared
def test_testdata_risk_figures(testdata: pd.DataFrame) -> None:
    m = measure_risk(as_table(testdata), TESTDATA_KEYS, "sampling_weight")
    # oracle: a plain pandas group-by (testdata has no missing key values) and the closed forms
    g = testdata.groupby(TESTDATA_KEYS)["sampling_weight"].agg(["size", "sum"])
    total = 0.0
    for f, F in zip(g["size"], g["sum"], strict=True):
        p = f / F
        r = (
            1 / f
            if f == F
            else p / (1 - p) * math.log(1 / p)
            if f == 1
            else p / (1 - p) - (p / (1 - p)) ** 2 * math.log(1 / p)
            if f == 2
            else p / (f - (1 - p))
        )
        total += f * r
    assert m.expected_reidentifications == pytest.approx(total, rel=1e-12)
    assert m.global_risk == pytest.approx(total / 4580, rel=1e-12)
    assert m.expected_reidentifications == pytest.approx(10.7783, abs=1e-4)
    # the SDC Practice Guide's sdcMicro printout of a 4,580-record object shows the same
    # 2-anonymity 157 and 3-anonymity 281 violations
    assert m.k_violations == {2: 157, 3: 281, 5: 458}
    hh = measure_risk(as_table(testdata), TESTDATA_KEYS, "sampling_weight", household="ori_hid")
    assert hh.household is not None and hh.household.households == 1000


@pytest.mark.shared
def test_francdat_frequencies(sdcmicro_dir: Path) -> None:
    df = pd.read_csv(sdcmicro_dir / "francdat.csv").assign(row=range(8))
    t = as_table(df)
    m = measure_risk(t, ["Key1", "Key2", "Key3", "Key4"], "w")
    got = record_risk(t, m).order_by("row").to_pandas()
    assert got["fk"].tolist() == [2, 2, 2, 1, 1, 1, 1, 2]  # worked by hand
    assert got["Fk_pop"].tolist() == [110.0, 84.5, 84.5, 17.0, 541.0, 8.0, 5.0, 110.0]


@pytest.mark.shared
def test_free1_frequencies_equal_a_group_by(sdcmicro_dir: Path) -> None:
    df = pd.read_csv(sdcmicro_dir / "free1.csv")
    keys = ["REGION", "SEX", "AGE", "MARSTAT", "KINDPERS"]
    m = measure_risk(as_table(df), keys, "WEIGHT")
    sizes = df.groupby(keys).size()
    assert m.k_violations[2] == int(sizes[sizes < 2].sum())
    assert m.records == 4000


@pytest.mark.shared
def test_anonymise_testdata_to_3_anonymity(sdcmicro_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "anon.csv"
    done = run_cli(
        [
            "sdc",
            "anonymise",
            str(sdcmicro_dir / "testdata.csv"),
            "--keys",
            ",".join(TESTDATA_KEYS),
            "--k",
            "3",
            "--weight",
            "sampling_weight",
            "--out",
            str(out),
            "--format",
            "json",
        ],
        data_dir=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    anon = pd.read_csv(out)
    assert len(anon) == 4580
    fk = _fk_by_definition(anon, TESTDATA_KEYS)
    assert fk.min() >= 3  # no key combination seen fewer than 3 times (missing matches any)
    assert summary["after"]["k_violations"]["3"] == 0
    assert summary["before"]["k_violations"] == {"2": 157, "3": 281, "5": 458}
    blanked = {k: int(anon[k].isna().sum()) for k in TESTDATA_KEYS}
    assert blanked == summary["suppressed"] and summary["suppressed_total"] == sum(blanked.values())
    assert summary["after"]["global_risk"] < summary["before"]["global_risk"]
    original = pd.read_csv(sdcmicro_dir / "testdata.csv")
    untouched = [c for c in original.columns if c not in TESTDATA_KEYS]
    pd.testing.assert_frame_equal(anon[untouched], original[untouched], check_dtype=False)
