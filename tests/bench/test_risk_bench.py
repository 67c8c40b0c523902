"""The risk benchmark's inputs are deterministic and its three variants agree (small N)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `bench` is a top-level package next to src/, not installed
    sys.path.insert(0, str(ROOT))

from bench.risk import generate, suite, variants  # noqa: E402


def test_generator_is_deterministic_and_shaped(tmp_path: Path) -> None:
    a = generate.write_households(tmp_path / "a.parquet", 130_000)
    b = generate.write_households(tmp_path / "b.parquet", 130_000)
    ta, tb = pq.read_table(a), pq.read_table(b)
    assert ta.equals(tb)
    meta = pq.ParquetFile(a).metadata
    assert meta.num_rows == 130_000 and meta.num_row_groups == 2  # 122,880-row groups
    assert ta.num_columns == 3 + 40
    missing = ta.column("q07").null_count / ta.num_rows
    assert 0.04 < missing < 0.06
    assert len(set(ta.column("area").to_pylist())) == generate.N_AREAS


def test_variants_agree_with_safepath(tmp_path: Path) -> None:
    model_path = generate.write_model(tmp_path / "model.yaml")
    data = str(generate.write_households(tmp_path / "h.parquet", 20_000))
    spec = yaml.safe_load(model_path.read_text(encoding="utf-8"))
    sql = variants.run_sql(spec, data)
    assert 8_000 < len(sql) <= 2 * generate.N_AREAS  # some area x sex cells are empty
    assert ((sql[[f"share_{p}" for p in range(1, 6)]].sum(axis=1) - 1).abs() < 1e-9).all()
    assert suite.compare(sql, variants.run_pandas(spec, data)) is None
    assert suite.compare(sql, variants.run_ibis(str(model_path), data)) is None
    flagged = pd.read_parquet(data, columns=["q01"])["q01"] == 3  # code 3 scores 5: floor
    assert flagged.any()


def test_records_alone_replaces_only_its_row(tmp_path: Path) -> None:
    from bench import report

    rec = {
        "seconds": 1.0,
        "cpu_seconds": 0.5,
        "cpu_seconds_no_explanation": 0.25,
        "cpu_seconds_all_kept": 2.0,
        "passes": 3,
        "records": 50_000,
        "mismatches": 0,
    }
    old_row = "| record evaluator ≥ 40,000 records/s ... | 24,276/s of CPU time | no |"
    text = (
        "# Benchmarks\n\n<!-- bench:risk -->\n| target | measured | met |\n|---|---|---|\n"
        f"| N = 1: other | 1.00× | yes |\n{old_row}\n| explanation column | x | — |\n"
        "<!-- /bench:risk -->\n\n<!-- bench:cases -->\ncases\n<!-- /bench:cases -->\n"
    )
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(text, encoding="utf-8")
    report.update_records_row(path, rec, command="python -m bench --only records", load_before="1")
    new = path.read_text(encoding="utf-8")
    (row,) = [r for r in new.splitlines() if r.startswith("| record evaluator")]
    assert "100,000/s of CPU time (50,000/s wall, best of 3 passes)" in row
    assert "without the explanation: 200,000/s" in row and "alive: 25,000/s" in row
    assert "measured alone: `python -m bench --only records`" in row and row.endswith("| yes |")
    assert new.replace(row, old_row) == text  # nothing else changed
