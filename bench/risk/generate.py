"""Deterministic benchmark inputs: N households over 5,000 areas with 40 answer-code fields,
written to Parquet in row groups of 122,880, and the risk model that scores them.

Same seed, same N -> byte-identical data and model, so runs on different days compare.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

SEED = 20261129
N_AREAS = 5_000
N_THREAT, N_VULNERABILITY, N_CAPACITY = 14, 14, 12
MISSING = 0.05
ROW_GROUP = 122_880
CHUNK = 1_048_576


def indicator_specs() -> list[dict[str, Any]]:
    """40 indicators: answer codes 0..k-1 (k = 3..5) with a score per code."""
    rng = np.random.default_rng(SEED)
    specs: list[dict[str, Any]] = []
    plan = (
        [("threat", i) for i in range(N_THREAT)]
        + [("vulnerability", i) for i in range(N_VULNERABILITY)]
        + [("capacity", i) for i in range(N_CAPACITY)]
    )
    for n, (component, _) in enumerate(plan, start=1):
        k = 3 + n % 3
        scores = sorted(int(s) for s in rng.integers(1, 6, size=k))
        if n == 1:
            scores[-1] = 5  # q01 carries the red-flag floor: it must be able to reach 5
        specs.append({"field": f"q{n:02d}", "component": component, "scores": scores})
    return specs


def model_dict() -> dict[str, Any]:
    """The benchmark model in the risk-model YAML format (docs/risk-model.md)."""
    indicators: list[dict[str, Any]] = []
    for spec in indicator_specs():
        ind: dict[str, Any] = {
            "id": spec["field"],
            "label": f"Benchmark indicator {spec['field']}",
            "level": "household" if int(spec["field"][1:]) % 2 else "individual",
            "component": spec["component"],
            "gpc_risks": ["gbv"],
            "rights": ["right_to_life"],
            "field": spec["field"],
            "score": {"map": {str(code): s for code, s in enumerate(spec["scores"])}},
        }
        if spec["field"] == "q01":
            ind["floor"] = {"min_score": 5, "phase": 4}
        indicators.append(ind)
    return {
        "id": "bench-risk-40",
        "version": "1.0.0",
        "title": "Benchmark model: 40 answer-code indicators",
        "weight_field": "weight",
        "places": {"adm1": "area"},
        "dimensions": {"sex": {"field": "sex", "map": {"female": "female", "male": "male"}}},
        "components": {
            "threat": {"aggregation": "max", "default": 1},
            "vulnerability": {"aggregation": "mean", "default": 1},
            "capacity": {"aggregation": "mean", "default": 3},
        },
        "severity": {"cuts": [1.0, 2.0, 3.5, 6.0]},
        "area": {"threshold": 0.25, "pin_phase": 3},
        "indicators": indicators,
    }


def write_model(path: Path) -> Path:
    path.write_text(yaml.safe_dump(model_dict(), sort_keys=False), encoding="utf-8")
    return path


def _chunk(rng: np.random.Generator, n: int, specs: list[dict[str, Any]]) -> pa.Table:
    areas = rng.integers(0, N_AREAS, size=n)
    codes = np.char.add("A", np.char.zfill(np.arange(N_AREAS).astype(str), 4))
    columns: dict[str, pa.Array] = {
        "area": pa.DictionaryArray.from_arrays(pa.array(areas, pa.int32()), pa.array(codes)),
        "sex": pa.DictionaryArray.from_arrays(
            pa.array(rng.integers(0, 2, size=n), pa.int8()), pa.array(["female", "male"])
        ),
    }
    weight = rng.uniform(0.5, 2.0, size=n)
    # every record weighed (a blank weight is refused since issue 13); the mask's draw is kept so
    # the answers below are the same as before
    rng.random(n)
    columns["weight"] = pa.array(weight)
    for spec in specs:
        k = len(spec["scores"])
        # Low codes (scores) are common and high ones rare, as in real rounds: p ~ 0.45^code.
        probs = 0.45 ** np.arange(k)
        values = rng.choice(k, size=n, p=probs / probs.sum()).astype(np.int8)
        columns[spec["field"]] = pa.array(values, pa.int8(), mask=rng.random(n) < MISSING)
    return pa.table(columns)


def write_households(path: Path, n: int) -> Path:
    """Write ``n`` households to ``path`` (kept when it already holds exactly ``n`` rows)."""
    if path.exists() and pq.ParquetFile(path).metadata.num_rows == n:
        return path
    rng = np.random.default_rng(SEED + n)
    specs = indicator_specs()
    tmp = path.with_suffix(".part")
    writer: pq.ParquetWriter | None = None
    try:
        for start in range(0, n, CHUNK):
            table = _chunk(rng, min(CHUNK, n - start), specs)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table, row_group_size=ROW_GROUP)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
    return path
