"""sdcMicro's testdata scaled up: N records drawn with replacement (seeded) from its 4,580,
keeping the seven key variables and the weight (each record still stands for its weight in
people, so the population grows with N); optionally a share of key values blanked (a missing
value matches any category). Written as Parquet in row groups of 122,880 (parallel scans)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.sdc.variants import KEYS, ROW, WEIGHT


def generate(testdata: Path, n: int, out: Path, *, missing: float = 0.0, seed: int = 14) -> Path:
    if out.exists():
        return out
    src = pd.read_csv(testdata, usecols=[*KEYS, WEIGHT])
    rng = np.random.default_rng(seed)
    df = src.iloc[rng.integers(0, len(src), n)].reset_index(drop=True)
    df[WEIGHT] = df[WEIGHT].astype(float)
    if missing > 0:
        for key in ("water", "relat"):  # the keys with most categories
            blank = rng.random(n) < missing
            df[key] = df[key].astype("Int64").mask(blank)
    df.insert(0, ROW, np.arange(n, dtype=np.int64))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    df.to_parquet(tmp, index=False, row_group_size=122_880)
    tmp.replace(out)
    return out
