"""``python -m bench.cases``: the case API under a mixed load from concurrent clients on loopback.

    python -m bench.cases --backends sqlite,postgresql --cases 1000000 --rate 200 --seconds 30

Per backend: build (or reuse) a database of N cases with bulk inserts; serve the app with uvicorn
(one process); an open-loop mixed workload at a fixed rate (filtered lists, case reads, follow-ups,
assessments) reports throughput and p50/p95/p99 per operation; then a closed-loop read test gives
the maximum read throughput. Datasette serves the same SQLite file read-only as the reference of a
lean SQLite web server, and our read throughput is reported as a ratio to it. The results are
appended to BENCHMARKS.md with the command that produced them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bench.cases import build, load
from bench.report import load as loadavg
from bench.report import machine

PG_ADMIN = os.environ.get(
    "SAFEPATH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not start")


def _env(backend: str, workdir: Path) -> dict[str, str]:
    data = workdir / backend
    data.mkdir(parents=True, exist_ok=True)
    env = {"SAFEPATH_DATA_DIR": str(data), "SAFEPATH_ENVIRONMENT": "development"}
    if backend == "postgresql":
        marker = data / "database-url"
        if not marker.exists():
            name = f"safepath_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            marker.write_text(make_url(PG_ADMIN).set(database=name).render_as_string(False))
        env["SAFEPATH_DATABASE_URL"] = marker.read_text().strip()
    return env


def _prepare(backend: str, workdir: Path, n: int) -> tuple[build.BenchDb, dict[str, str]]:
    from safepath.settings import reset_settings
    from safepath.store.db import dispose_engines, get_engine

    env = _env(backend, workdir)
    os.environ.update(env)
    if backend == "sqlite":
        os.environ.pop("SAFEPATH_DATABASE_URL", None)
    reset_settings()
    dispose_engines()
    db = build.build(get_engine(), n, log=lambda m: print(m, flush=True))
    dispose_engines()
    return db, env


def _codes(url: str, n: int, k: int = 20_000) -> list[tuple[str, str]]:
    from safepath.store.models.cases import Case

    ids = random.Random(9).sample(range(1, n + 1), min(k, n))
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(Case.code, Case.status).where(Case.id.in_(ids))).all()
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


def _serve(cmd: list[str], env: dict[str, str], health: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as fh:  # the child keeps its own descriptor
        proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=fh, stderr=fh)
    try:
        _wait(health)
    except RuntimeError:
        proc.kill()
        raise
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"[{backend}] building {args.cases:,} cases in {args.workdir / backend}", flush=True)
    db, env = _prepare(backend, args.workdir, args.cases)
    codes = _codes(db.url, args.cases)
    port = _port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "bench.cases.server", str(port)]
    server = _serve(cmd, env, f"{base}/healthz", args.workdir / f"{backend}-server.log")
    headers = {"Authorization": f"Bearer {db.token}"}
    try:
        make = load.mixed_requests(codes)
        asyncio.run(load.open_loop(base, headers, make, 20, 3))  # warm-up
        print(f"[{backend}] open loop: {args.rate} req/s for {args.seconds} s", flush=True)
        mixed = asyncio.run(load.open_loop(base, headers, make, args.rate, args.seconds))
        # A fresh server for the read test: the open loop may have left a backlog behind.
        _stop(server)
        server = _serve(cmd, env, f"{base}/healthz", args.workdir / f"{backend}-server.log")
        paths = [f"/api/v1/cases/{c}" for c, _ in codes[:5000]]
        print(f"[{backend}] closed-loop reads: {args.clients} clients", flush=True)
        reads = asyncio.run(load.closed_loop(base, headers, paths, args.clients, args.read_seconds))
    finally:
        _stop(server)
    wall = mixed.pop("_wall").latencies[0]
    result: dict[str, Any] = {
        "backend": backend,
        "cases": db.cases,
        "build_s": round(db.build_seconds, 1),
        "mixed": {op: s.summary(args.seconds) for op, s in sorted(mixed.items())},
        "reads": reads.summary(args.read_seconds),
    }
    total = sum(len(s.latencies) + s.errors for s in mixed.values())
    lat = sorted(x for s in mixed.values() for x in s.latencies)
    result["all"] = {
        "achieved_rps": round(sum(len(s.latencies) for s in mixed.values()) / wall, 1),
        "wall_s": round(wall, 1),
        "rps": round(total / args.seconds, 1),
        "p95_ms": round(1000 * lat[int(0.95 * len(lat))], 1) if lat else None,
    }
    if backend == "sqlite" and args.datasette:
        result["datasette"] = run_datasette(
            args, Path(env["SAFEPATH_DATA_DIR"]) / "safepath.db", codes
        )
    return result


def run_datasette(
    args: argparse.Namespace, db_file: Path, codes: list[tuple[str, str]]
) -> dict[str, Any]:
    port = _port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        args.datasette,
        "serve",
        "-i",
        str(db_file),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--setting",
        "default_cache_ttl",
        "0",
    ]
    server = _serve(cmd, {}, f"{base}/-/versions.json", args.workdir / "datasette.log")
    try:
        paths = [f"/safepath/cases.json?code={c}&_shape=array" for c, _ in codes[:5000]]
        print(f"[datasette] closed-loop reads: {args.clients} clients", flush=True)
        reads = asyncio.run(load.closed_loop(base, {}, paths, args.clients, args.read_seconds))
    finally:
        _stop(server)
    return reads.summary(args.read_seconds)


def markdown(
    results: list[dict[str, Any]], args: argparse.Namespace, command: str, load_before: str
) -> str:
    m = machine()
    out = [
        "## Case API under load (`bench/cases`)",
        "",
        f"- command: `{command}`",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}; machine: "
        f"{m['nproc']} CPUs, {m['memory']}, {m['cpu']}; load average before: {load_before} "
        "(the machine is shared, so figures vary between runs)",
        f"- server: uvicorn, one process, on loopback; clients: httpx (asyncio) in one process "
        f"on the same machine. Mixed workload: open loop at {args.rate} req/s for {args.seconds} s "
        "(latency from the scheduled send time); mix "
        + ", ".join(f"{op} {w}%" for op, w in load.MIX)
        + ". Every case read and write also appends to the hash-chained audit log.",
        "- target (issue 5): p95 under 100 ms at 200 req/s on SQLite.",
        "",
    ]
    for r in results:
        out += [
            f"### {r['backend']}: {r['cases']:,} cases (database built in {r['build_s']} s)",
            "",
            "| operation | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for op, s in r["mixed"].items():
            out.append(
                f"| {op} | {s['n']} | {s['rps']} | {s['p50_ms']} | {s['p95_ms']} | "
                f"{s['p99_ms']} | {s['errors']} |"
            )
        out.append(f"| **all** | | {r['all']['rps']} | | {r['all']['p95_ms']} | | |")
        out.append("")
        out.append(
            f"Offered {r['all']['rps']} req/s; achieved {r['all']['achieved_rps']} req/s "
            f"(successful responses / {r['all']['wall_s']} s from first send to last "
            "response). req/s per operation is the offered rate."
        )
        rd = r["reads"]
        out += [
            "",
            f"Closed-loop reads of one case (`GET /api/v1/cases/{{code}}`, {args.clients} "
            f"clients, {args.read_seconds} s): {rd['rps']} req/s, p50 {rd['p50_ms']} ms, "
            f"p95 {rd['p95_ms']} ms, errors {rd['errors']}.",
        ]
        if "datasette" in r:
            ds = r["datasette"]
            ratio = rd["rps"] / ds["rps"] if ds["rps"] else float("nan")
            out += [
                f"Datasette (read-only, immutable) on the same file, "
                f"`/safepath/cases.json?code=…`: {ds['rps']} req/s, p50 {ds['p50_ms']} ms, "
                f"p95 {ds['p95_ms']} ms. **Read throughput ratio Safepath / Datasette: "
                f"{ratio:.2f}** (Safepath also authenticates the token, checks scope and "
                "appends an audit event per read)."
            ]
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.cases",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--rate", type=float, default=200.0, help="open-loop requests per second")
    p.add_argument("--seconds", type=float, default=30.0, help="open-loop duration")
    p.add_argument("--read-seconds", type=float, default=15.0)
    p.add_argument("--clients", type=int, default=16, help="closed-loop concurrent clients")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/safepath-bench-cases"))
    p.add_argument(
        "--datasette",
        default=shutil.which("datasette"),
        help="datasette executable (reference server; skipped when absent)",
    )
    p.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)
    command = " ".join(["python -m bench.cases", *(argv if argv is not None else sys.argv[1:])])
    before = loadavg()
    results = [run_backend(b.strip(), args) for b in args.backends.split(",") if b.strip()]
    text_ = markdown(results, args, command, before)
    print(text_)
    if not args.no_write:
        from bench.report import write_section

        write_section(args.out, "cases", text_)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
