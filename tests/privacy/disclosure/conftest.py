"""Helpers for the disclosure-control tests: the sdcMicro data in ../shared, and a brute-force
oracle of sdcMicro's frequency definition to check the fast algorithm against."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

TESTDATA_KEYS = ["urbrur", "roof", "walls", "water", "electcon", "relat", "sex"]


@pytest.fixture(scope="session")
def sdcmicro_dir(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "sdcmicro"
    if not (path / "testdata.csv").is_file():
        pytest.skip("../shared/data/sdcmicro is absent")
    return path


@pytest.fixture(scope="session")
def testdata(sdcmicro_dir: Path) -> pd.DataFrame:
    return pd.read_csv(sdcmicro_dir / "testdata.csv")


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def brute_frequencies(
    rows: Sequence[Sequence[Any]], weights: Sequence[float] | None = None
) -> tuple[list[int], list[float]]:
    """fk and Fk by the definition: records i and j match when every key is equal or missing
    in one of them (O(n²), for small inputs)."""
    w = list(weights) if weights is not None else [1.0] * len(rows)
    fk, Fk = [], []
    for a in rows:
        n, total = 0, 0.0
        for b, wb in zip(rows, w, strict=True):
            if all(_missing(x) or _missing(y) or x == y for x, y in zip(a, b, strict=True)):
                n += 1
                total += wb
        fk.append(n)
        Fk.append(total)
    return fk, Fk
