"""The disclosure benchmark's three variants agree on a small scaled-up testdata."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `bench` is a top-level package next to src/, not installed
    sys.path.insert(0, str(ROOT))

from bench.sdc import generate, variants  # noqa: E402


@pytest.mark.shared
def test_variants_agree_on_small_data(shared_dir: Path, tmp_path: Path) -> None:
    testdata = shared_dir / "data" / "sdcmicro" / "testdata.csv"
    path = generate.generate(testdata, 3000, tmp_path / "sdc.parquet")
    results = {name: fn(path, True) for name, fn in variants.VARIANTS.items()}
    ref = results["sql"]
    assert ref["rows"] == 3000
    for res in results.values():
        assert res["er"] == pytest.approx(ref["er"], rel=1e-12)
        assert res["k"] == ref["k"] and res["rows"] == ref["rows"]
    blanks = generate.generate(testdata, 3000, tmp_path / "m.parquet", missing=0.05)
    with_missing = variants.safepath(blanks, False)
    assert with_missing["k"][2] <= ref["k"][2] + 3000  # runs; counts checked in tests/privacy
