"""``python -m bench.surveys [--rows 132229] [--cols 510] [--csv-rows 1000000]``.

Generates a synthetic Kobo XLSX export (``--rows`` submissions × ``--cols`` columns, one repeat
sheet with two members per submission) and a ';'-separated CSV export, caches them in
``--workdir``, then, each in a fresh process: imports the XLSX into a stored round (``safepath
surveys import``'s service, SQLite catalogue), reads the same XLSX with pandas ``read_excel``
(openpyxl, the reference; stopped after ``--timeout``), and imports the CSV. Wall time and peak
memory (max RSS) of each process are written to the ``bench:surveys`` section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TARGET_S, TARGET_GIB = 60.0, 2.0
READERS = min(4, len(os.sched_getaffinity(0)))  # safepath.surveys.xlsx._workers

_IMPORT = """
import json, os, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from safepath.wiring import wire
wire()
from safepath.store import migrate
from safepath.store.db import session_scope
from safepath.privacy.actor import SYSTEM
from safepath.rounds import service
from safepath.rounds.forms import add_form
migrate.upgrade()
t1 = time.perf_counter()
with session_scope() as s:
    form = add_form(s, Path(sys.argv[1]), by="bench").row
    report = service.import_round(
        s, form, Path(sys.argv[2]), round_name="bench", actor=SYSTEM, by="bench"
    )
t2 = time.perf_counter()
print(json.dumps({"seconds": t2 - t1, "setup_s": t1 - t0, "tables": report.tables,
                  "problems": report.problems_total,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "worker_peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "cpu_s": resource.getrusage(resource.RUSAGE_SELF).ru_utime
                  + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
                  "worker_cpu_s": resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
                  + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime}))
"""
_PANDAS = """
import json, resource, sys, time
import pandas as pd
t0 = time.perf_counter()
frames = pd.read_excel(sys.argv[1], sheet_name=None, engine="openpyxl")
print(json.dumps({"seconds": time.perf_counter() - t0,
                  "tables": {k: len(v) for k, v in frames.items()},
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "cpu_s": resource.getrusage(resource.RUSAGE_SELF).ru_utime
                  + resource.getrusage(resource.RUSAGE_SELF).ru_stime}))
"""


MEM_LIMIT_GIB = 12.0  # address-space cap per run: a shared machine must not run out of memory


def _limit() -> None:
    cap = int(MEM_LIMIT_GIB * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _run(code: str, args: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        done = subprocess.run(  # noqa: PLW1509 - preexec only sets a resource limit
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
            preexec_fn=_limit,
        )
    except subprocess.TimeoutExpired:
        return {"timed_out": True, "seconds": time.perf_counter() - start}
    if done.returncode != 0:
        return {
            "error": done.stderr.strip().splitlines()[-1:],
            "seconds": time.perf_counter() - start,
        }
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _gib(kib: int | None) -> str:
    return "–" if kib is None else f"{kib / 1024**2:.2f} GiB"


def _versions() -> str:
    from importlib.metadata import version

    names = ("python-calamine", "pyarrow", "duckdb", "pandas", "openpyxl")
    return ", ".join([f"Python {sys.version.split()[0]}", *(f"{n} {version(n)}" for n in names)])


def section(res: dict[str, Any], args: argparse.Namespace, command: str) -> str:
    from bench import report

    m = report.machine()
    x, p, c = res["xlsx"], res["pandas"], res["csv"]

    def row(name: str, r: dict[str, Any]) -> str:
        if r.get("timed_out"):
            return f"| {name} | stopped after {r['seconds']:.0f} s | – | – | – |"
        if r.get("error"):
            return f"| {name} | failed: {r['error']} | – | – | – |"
        tables = ", ".join(f"{k} {v:,}" for k, v in r.get("tables", {}).items())
        cpu = "–"
        if "cpu_s" in r:
            cpu = f"{r['cpu_s']:.0f} s"
            if r.get("worker_cpu_s"):
                cpu += f" + readers {r['worker_cpu_s']:.0f} s"
        peak = _gib(r.get("peak_kib"))
        if r.get("worker_peak_kib"):
            peak += f" + {READERS} × {_gib(r['worker_peak_kib'])}"
        return f"| {name} | {r['seconds']:.1f} s | {cpu} | {peak} | {tables} |"

    ok = (
        not x.get("timed_out")
        and not x.get("error")
        and x["seconds"] < TARGET_S
        and (x["peak_kib"] + READERS * x.get("worker_peak_kib", 0)) / 1024**2 < TARGET_GIB
    )
    speed = (
        f"{p['seconds'] / x['seconds']:.1f}×"
        if not p.get("timed_out") and not p.get("error") and not x.get("error") and x.get("seconds")
        else "–"
    )
    return "\n".join(
        [
            "## Survey round import (`bench/surveys`)",
            "",
            f"- command: `{command}`",
            f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: "
            f"{os.cpu_count()} CPUs, {m.get('memory', '?')}, {m.get('cpu', '?')}; load average "
            f"before: {res['load']} (the machine is shared, so figures vary between runs)",
            f"- versions: {_versions()}",
            f"- XLSX export: {args.rows:,} submissions × {args.cols} columns + a repeat sheet of "
            f"{2 * args.rows:,} rows ({res['xlsx_mb']:.0f} MB); CSV export: {args.csv_rows:,} × "
            f"{args.csv_cols} columns ({res['csv_mb']:.0f} MB). Each run is a fresh process; "
            "time excludes interpreter start and `db upgrade`.",
            f"- target (issue 12): import < {TARGET_S:.0f} s with peak < {TARGET_GIB:.0f} GiB: "
            f"**{'met' if ok else 'not met'}**; pandas `read_excel` (openpyxl) / import: {speed}",
            "",
            "Peak memory is the importing process's, plus the largest of its XLSX reader "
            f"processes (there are {READERS}, one per core, each parsing one piece at a time); "
            "CPU time is user + system, the readers' summed.",
            "",
            "| run | wall time | CPU time | peak memory | rows |",
            "|---|---:|---:|---:|---|",
            row("`surveys import` of the XLSX (read, check, encrypt, Parquet, catalogue)", x),
            row("pandas `read_excel(sheet_name=None, engine='openpyxl')`, same file", p),
            row("`surveys import` of the CSV", c),
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.surveys", description=__doc__)
    parser.add_argument("--rows", type=int, default=132_229)
    parser.add_argument("--cols", type=int, default=510)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--csv-cols", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/safepath-bench-surveys"))
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args(argv)
    from bench.surveys import generate

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    form = generate.write_form(work / f"form-{args.cols}.xlsx", args.cols)
    csv_form = generate.write_form(work / f"form-{args.csv_cols}.xlsx", args.csv_cols)
    xlsx = work / f"export-{args.rows}x{args.cols}.xlsx"
    if not xlsx.exists():
        generate.write_xlsx(xlsx.with_suffix(".part"), args.rows, args.cols).rename(xlsx)
    csv = work / f"export-{args.csv_rows}x{args.csv_cols}.csv"
    if not csv.exists():
        generate.write_csv(csv.with_suffix(".part"), args.csv_rows, args.csv_cols).rename(csv)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEPATH_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    results: dict[str, Any] = {"load": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    results["xlsx_mb"] = xlsx.stat().st_size / 1e6
    results["csv_mb"] = csv.stat().st_size / 1e6
    for name, export, f in (("xlsx", xlsx, form), ("csv", csv, csv_form)):
        data = work / f"data-{name}"
        shutil.rmtree(data, ignore_errors=True)
        run_env = env | {"SAFEPATH_DATA_DIR": str(data), "SAFEPATH_ENVIRONMENT": "test"}
        results[name] = _run(_IMPORT, [str(f), str(export)], run_env, args.timeout)
        print(name, results[name], flush=True)
        shutil.rmtree(data, ignore_errors=True)
    results["pandas"] = (
        {"error": "skipped"} if args.skip_pandas else _run(_PANDAS, [str(xlsx)], env, args.timeout)
    )
    print("pandas", results["pandas"], flush=True)
    command = "python -m bench.surveys " + " ".join(argv if argv is not None else sys.argv[1:])
    text = section(results, args, command.strip())
    print(text)
    if not args.no_write:
        from bench.report import write_section

        write_section(args.out, "surveys", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
