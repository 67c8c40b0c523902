"""Run the risk benchmark: generate inputs, time each variant in a fresh process, check that all
variants agree, and report a table (printed, and written to BENCHMARKS.md by ``bench``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench.risk import generate
from bench.risk.variants import OUTPUT_COLUMNS

VARIANTS = ("sql", "safepath", "pandas")


@dataclass
class Run:
    variant: str
    rows: int
    seconds: float | None
    peak_mib: float
    cpu_seconds: float | None = None
    error: str | None = None
    output: Path | None = None
    import_cpu_seconds: float | None = None


def _child(args: list[str], timeout: float) -> tuple[dict[str, object] | None, float, str | None]:
    """Run ``python -m bench.risk.variants ARGS``; return (JSON result, peak MiB, error)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.risk.variants", *args], stdout=out, stderr=err
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                return None, usage.ru_maxrss / 1024, f"timed out after {timeout:.0f} s"
            time.sleep(0.05)
        out.seek(0)
        err.seek(0)
        peak = usage.ru_maxrss / 1024  # Linux reports KiB
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
            return None, peak, f"exit {code}: {' | '.join(tail)}"
        return json.loads(out.read().decode().strip().splitlines()[-1]), peak, None


def compare(a: pd.DataFrame, b: pd.DataFrame) -> str | None:
    """None when two area tables agree (shares and PiN to 1e-9 relative), else what differs."""
    a = a.sort_values(["area", "sex"]).reset_index(drop=True)
    b = b.sort_values(["area", "sex"]).reset_index(drop=True)
    if len(a) != len(b) or not (a[["area", "sex"]].values == b[["area", "sex"]].values).all():
        return f"different groups ({len(a)} vs {len(b)})"
    for col in OUTPUT_COLUMNS[2:]:
        x = a[col].astype(float).fillna(0).to_numpy()
        y = b[col].astype(float).fillna(0).to_numpy()
        if not np.allclose(x, y, rtol=1e-9, atol=1e-9):
            bad = int((~np.isclose(x, y, rtol=1e-9, atol=1e-9)).sum())
            return f"{col} differs in {bad} group(s)"
    return None


def records(
    model_path: Path,
    data: Path,
    record_sample: int,
    timeout: float,
    log: Callable[[str], None] = print,
) -> dict[str, object]:
    """The record evaluator on the first ``record_sample`` households of ``data``, in a fresh
    process on one core."""
    res, peak, error = _child(["records", str(model_path), str(data), str(record_sample)], timeout)
    log(f"record evaluator: {res or error}")
    return {**res, "peak_mib": peak} if res else {"error": error}


def run_records(
    workdir: Path,
    *,
    size: int = 1_000_000,
    record_sample: int = 50_000,
    timeout: float = 1800.0,
    log: Callable[[str], None] = print,
) -> dict[str, object]:
    """Only the record evaluator, on the same households as the full run's smallest size."""
    workdir.mkdir(parents=True, exist_ok=True)
    model_path = generate.write_model(workdir / "bench-risk-40.yaml")
    data = generate.write_households(workdir / f"households-{size}.parquet", size)
    return records(model_path, data, record_sample, timeout, log)


def run(
    sizes: list[int],
    workdir: Path,
    *,
    record_sample: int = 50_000,
    timeout: float = 1800.0,
    repeat: int = 3,
    log: Callable[[str], None] = print,
) -> dict[str, object]:
    workdir.mkdir(parents=True, exist_ok=True)
    model_path = generate.write_model(workdir / "bench-risk-40.yaml")
    cache_dir = workdir / "sql-cache"
    results: dict[str, object] = {
        "repeat": repeat,
        "sizes": sizes,
        "runs": [],
        "checks": [],
        "records": None,
        "explain": None,
    }
    runs: list[Run] = []
    for n in sizes:
        start = time.perf_counter()
        data = generate.write_households(workdir / f"households-{n}.parquet", n)
        log(f"[{n:,}] data ready in {time.perf_counter() - start:.1f} s: {data}")
        outputs: dict[str, Path] = {}
        for variant in VARIANTS:
            out = workdir / f"areas-{variant}-{n}.parquet"
            args = [variant, str(model_path), str(data), str(out)]
            if variant == "safepath":
                # As the CLI runs: the compiled SQL in a cache directory. The first process
                # finds it empty (cold, reported on its own); the timed ones find it warm.
                shutil.rmtree(cache_dir, ignore_errors=True)
                args.append(str(cache_dir))
                cold, cold_peak, cold_error = _child(args, timeout)
                runs.append(
                    Run(
                        "safepath (cold cache)",
                        n,
                        float(cold["seconds"]) if cold else None,  # type: ignore[arg-type]
                        cold_peak,
                        float(cold["cpu_seconds"]) if cold else None,  # type: ignore[arg-type]
                        cold_error,
                    )
                )
                log(f"[{n:,}] safepath, cold cache: {cold or cold_error}")
            # Best of `repeat` fresh processes (the machine is shared); pandas at 10M+ once.
            times = 1 if variant == "pandas" and n >= 10_000_000 else repeat
            best: dict[str, object] | None = None
            peak, error = 0.0, None
            for _ in range(times):
                res, one_peak, error = _child(args, timeout)
                peak = max(peak, one_peak)
                if res is None:
                    best = None
                    break
                if best is None or float(res["cpu_seconds"]) < float(best["cpu_seconds"]):  # type: ignore[arg-type]
                    best = res
            res = best
            seconds = float(res["seconds"]) if res else None  # type: ignore[arg-type]
            cpu = float(res["cpu_seconds"]) if res else None  # type: ignore[arg-type]
            imports = float(res.get("import_cpu_seconds", 0.0)) if res else None  # type: ignore[arg-type]
            runs.append(Run(variant, n, seconds, peak, cpu, error, out if res else None, imports))
            log(
                f"[{n:,}] {variant:9s} "
                + (
                    f"{seconds:7.2f} s, CPU {cpu:.2f} s"
                    if seconds is not None
                    else f"FAILED ({error})"
                )
                + f"  peak {peak:,.0f} MiB  (best of {times})"
            )
            if res:
                outputs[variant] = out
        if "sql" in outputs:
            ref = pd.read_parquet(outputs["sql"])
            for other in ("safepath", "pandas"):
                if other in outputs:
                    diff = compare(ref, pd.read_parquet(outputs[other]))
                    results["checks"].append(  # type: ignore[attr-defined]
                        {
                            "rows": n,
                            "pair": f"sql vs {other}",
                            "agree": diff is None,
                            "detail": diff or f"{len(ref)} area x sex groups identical",
                        }
                    )
                    log(f"[{n:,}] sql vs {other}: {diff or 'agree'}")
    results["runs"] = [r.__dict__ | {"output": None} for r in runs]
    sample_path = workdir / f"households-{min(sizes)}.parquet"
    results["records"] = records(model_path, sample_path, record_sample, timeout, log)
    # the explanation column: twice, the first fills the cache with its SQL
    explain = ["explain", str(model_path), str(sample_path), str(cache_dir), "20000"]
    _child(explain, timeout)
    res, peak, error = _child(explain, timeout)
    results["explain"] = {**res, "peak_mib": peak} if res else {"error": error}
    log(f"explanation column: {res or error}")
    return results
