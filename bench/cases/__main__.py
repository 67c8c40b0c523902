"""``python -m bench.cases``: the case API under a mixed load from concurrent clients on loopback.

    python -m bench.cases --backends sqlite,postgresql --cases 1000000 --rate 200 --seconds 30

Per backend: build (or reuse) a database of N cases with bulk inserts; serve the app as
``safepath serve`` does by default (worker processes sized to the machine); an open-loop mixed
workload at a fixed rate (filtered lists, case reads, follow-ups, assessments) reports throughput
and p50/p95/p99 per operation; a closed-loop read test gives the maximum read throughput; then two
bursts: 100 simultaneous reads of one person and 100 simultaneous logins, with /healthz polled
meanwhile. Datasette serves the same SQLite file read-only as the reference of a lean SQLite web
server, and our read throughput is reported as a ratio to it. The results replace the cases
section of BENCHMARKS.md, with the command, versions and load average.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
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

from bench.cases import build, load, plans
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


def _codes(url: str, n: int, k: int = 20_000) -> list[tuple[str, str, int]]:
    """A sample of case codes with their status and current version (a reused database has
    the versions earlier runs left)."""
    from safepath.store.models.cases import Case

    ids = random.Random(9).sample(range(1, n + 1), min(k, n))
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Case.code, Case.status, Case.version).where(Case.id.in_(ids))
        ).all()
    engine.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


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


def server_command(port: int, workers: int | None) -> list[str]:
    """The product's own server command (``safepath serve``), with its default worker count
    unless ``workers`` is given."""
    cmd = [sys.executable, "-m", "safepath.cli", "serve", "--port", str(port)]
    return cmd + (["--workers", str(workers)] if workers else [])


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"[{backend}] building {args.cases:,} cases in {args.workdir / backend}", flush=True)
    db, env = _prepare(backend, args.workdir, args.cases)
    codes = _codes(db.url, args.cases)
    engine = create_engine(db.url)
    try:
        _checkpoint(engine)
        query_plans = plans.plans(engine, build.SUPERVISOR)
    finally:
        engine.dispose()
    port = _port()
    base = f"http://127.0.0.1:{port}"
    cmd = server_command(port, args.workers)
    log = args.workdir / f"{backend}-server.log"
    server = _serve(cmd, env, f"{base}/healthz", log)
    headers = {"Authorization": f"Bearer {db.token}"}
    try:
        make = load.Mix(codes)
        asyncio.run(load.open_loop(base, headers, make, 20, 3))  # warm-up
        print(f"[{backend}] open loop: {args.rate} req/s for {args.seconds} s", flush=True)
        mixed = asyncio.run(load.open_loop(base, headers, make, args.rate, args.seconds))
        # A fresh server for the read test: the open loop may have left a backlog behind.
        _stop(server)
        server = _serve(cmd, env, f"{base}/healthz", log)
        paths = [f"/api/v1/cases/{c}" for c, _, _ in codes[:5000]]
        print(f"[{backend}] closed-loop reads: {args.clients} clients", flush=True)
        reads = asyncio.run(load.closed_loop(base, headers, paths, args.clients, args.read_seconds))
        print(f"[{backend}] bursts: {args.burst} reads of one person, {args.burst} logins")
        if args.burst > len(db.logins):
            raise SystemExit(f"--burst at most {len(db.logins)} (the bench's login users)")
        person = asyncio.run(
            load.burst(base, args.burst, "GET", f"/api/v1/persons/{db.person}", headers=headers)
        )
        logins = asyncio.run(load.login_burst(base, db.logins[: args.burst]))
    finally:
        _stop(server)
    wall = mixed.pop("_wall").latencies[0]
    result: dict[str, Any] = {
        "backend": backend,
        "server_version": _server_version(db.url),
        "cases": db.cases,
        "build_s": round(db.build_seconds, 1),
        "mixed": {op: s.summary(args.seconds) for op, s in sorted(mixed.items())},
        "reads": reads.summary(args.read_seconds),
        "bursts": {"person reads": person.summary(), "logins": logins.summary()},
        "load_after": loadavg(),
        "plans": query_plans,
    }
    total = sum(len(s.latencies) + s.errors for s in mixed.values())
    lat = sorted(x for s in mixed.values() for x in s.latencies)
    result["all"] = {
        "achieved_rps": round(sum(len(s.latencies) for s in mixed.values()) / wall, 1),
        "wall_s": round(wall, 1),
        "rps": round(total / args.seconds, 1),
        "p95_ms": round(1000 * lat[int(0.95 * len(lat))], 1) if lat else None,
        "errors": sum(s.errors for s in mixed.values()),
    }
    if backend == "sqlite" and args.datasette:
        engine = create_engine(db.url)
        _checkpoint(engine)  # the run's own writes too
        engine.dispose()
        result["datasette"] = run_datasette(
            args, Path(env["SAFEPATH_DATA_DIR"]) / "safepath.db", codes
        )
    return result


def _checkpoint(engine: Any) -> None:
    """SQLite: move the write-ahead log into the database file (the bulk build leaves about
    1 GB of it; every reader would search it, and Datasette's immutable mode ignores it)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _server_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                return "SQLite " + str(conn.exec_driver_sql("select sqlite_version()").scalar())
            return str(conn.exec_driver_sql("show server_version").scalar()).join(
                ("PostgreSQL ", "")
            )
    finally:
        engine.dispose()


def run_datasette(
    args: argparse.Namespace, db_file: Path, codes: list[tuple[str, str, int]]
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
        version = httpx.get(f"{base}/-/versions.json", timeout=5).json()["datasette"]["version"]
        paths = [f"/safepath/cases.json?code={c}&_shape=array" for c, _, _ in codes[:5000]]
        print(f"[datasette] closed-loop reads: {args.clients} clients", flush=True)
        reads = asyncio.run(load.closed_loop(base, {}, paths, args.clients, args.read_seconds))
    finally:
        _stop(server)
    return {**reads.summary(args.read_seconds), "version": version}


NOTES = Path(__file__).with_name("NOTES.md")  # hand-written, appended to every report


def _versions() -> str:
    from importlib import metadata

    names = ("safepath", "sqlalchemy", "fastapi", "uvicorn", "psycopg", "httpx")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return f"Python {platform.python_version()}, " + ", ".join(found)


def markdown(
    results: list[dict[str, Any]], args: argparse.Namespace, command: str, load_before: str
) -> str:
    from safepath.cli.serve import default_workers

    m = machine()
    workers = args.workers or default_workers()
    out = [
        "## Case API under load (`bench/cases`)",
        "",
        f"- command: `{command}`",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}; machine: "
        f"{m['nproc']} CPUs, {m['memory']}, {m['cpu']}; load average (1, 5, 15 min) before: "
        f"{load_before}; after each backend: "
        + "; ".join(f"{r['backend']} {r['load_after']}" for r in results)
        + " (the machine is shared with other jobs, so figures vary between runs)",
        f"- versions: {_versions()}; "
        + ", ".join(r["server_version"] for r in results)
        + (
            f"; Datasette {results[0]['datasette']['version']}"
            if results and "datasette" in results[0]
            else ""
        ),
        f"- server: `safepath serve` as it starts by default ({workers} worker processes on this "
        "machine), on loopback; clients: httpx (asyncio) in one process on the same machine. "
        f"Mixed workload: open loop at {args.rate:g} req/s for {args.seconds:g} s (latency from "
        "the scheduled send time, so queueing counts); mix "
        + ", ".join(f"{op} {w}%" for op, w in load.MIX)
        + ". Every case read and write also appends to the hash-chained audit log.",
        f"- bursts: {args.burst} requests sent at the same moment, each on its own connection, "
        "with `/healthz` polled every 50 ms meanwhile; a hang is a request without an answer "
        "after 60 s.",
        "",
    ]
    targets: list[tuple[str, str, bool]] = []
    for r in results:
        a = r["all"]
        out += [
            f"### {r['backend']}: {r['cases']:,} cases (database built or reused in "
            f"{r['build_s']} s)",
            "",
            "| operation | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for op, st in r["mixed"].items():
            out.append(
                f"| {op} | {st['n']} | {st['rps']} | {st['p50_ms']} | {st['p95_ms']} | "
                f"{st['p99_ms']} | {st['errors']} |"
            )
        out.append(f"| **all** | | {a['rps']} | | {a['p95_ms']} | | {a['errors']} |")
        odd = {
            op: {k: v for k, v in st["statuses"].items() if k >= 400}
            for op, st in r["mixed"].items()
        }
        odd = {op: v for op, v in odd.items() if v}
        if odd:
            out += ["", f"Answers other than success, per operation: {odd}."]
        out += [
            "",
            f"Offered {a['rps']} req/s; achieved {a['achieved_rps']} req/s (successful "
            f"responses / {a['wall_s']} s from first send to last response).",
        ]
        rd = r["reads"]
        out += [
            "",
            f"Closed-loop reads of one case (`GET /api/v1/cases/{{code}}`, {args.clients} "
            f"clients, {args.read_seconds:g} s): **{rd['rps']} req/s**, p50 {rd['p50_ms']} ms, "
            f"p95 {rd['p95_ms']} ms, errors {rd['errors']}.",
        ]
        ratio = None
        if "datasette" in r:
            ds = r["datasette"]
            ratio = rd["rps"] / ds["rps"] if ds["rps"] else float("nan")
            out += [
                f"Datasette {ds['version']} (one process, read-only, immutable) on the same file, "
                f"`/safepath/cases.json?code=…&_shape=array`, same clients: {ds['rps']} req/s, "
                f"p50 {ds['p50_ms']} ms, p95 {ds['p95_ms']} ms, errors {ds['errors']}. "
                f"**Read throughput Safepath / Datasette: {ratio:.2f}** (Safepath also "
                "authenticates the token, checks scope and appends an audit event per read)."
            ]
        out += [
            "",
            "| burst | requests | answered 2xx | errors | hangs | p50 ms | p95 ms | max ms | "
            "/healthz during |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for name, b in r["bursts"].items():
            health = ", ".join(f"{k}×{v}" for k, v in b["health"].items())
            out.append(
                f"| {name} | {b['n']} | {b['ok']} | {b['errors']} | {b['hangs']} | "
                f"{b['p50_ms']} | {b['p95_ms']} | {b['max_ms']} | {health} "
                f"(slowest {b['health_max_ms']} ms) |"
            )
            bad = {k: v for k, v in b["statuses"].items() if not k.startswith("2")}
            if bad:
                out.append(f"| | statuses other than 2xx: {bad} | | | | | | | |")
        out += [
            "",
            f"Query plans of the case list on this database ({r['backend']}; the supervisor's "
            "list: the agency's cases; 20 a page; the statement's own time, warm):",
            "",
            "| list | plan | ms |",
            "|---|---|---:|",
        ]
        out += [f"| {q['query']} | `{q['plan']}` | {q['ms']} |" for q in r["plans"]]
        out.append("")
        name = r["backend"]
        targets.append(
            (
                f"{name}: mixed load p95 < 100 ms, 0 errors at {args.rate:g} req/s",
                f"p95 {a['p95_ms']} ms, {a['errors']} errors",
                bool(a["p95_ms"] is not None and a["p95_ms"] < 100 and a["errors"] == 0),
            )
        )
        if ratio is not None:
            targets.append(
                (f"{name}: single-case reads ≥ 1.0× Datasette", f"{ratio:.2f}×", ratio >= 1.0)
            )
        for bname, b in r["bursts"].items():
            targets.append(
                (
                    f"{name}: {b['n']} simultaneous {bname}: 0 errors, 0 hangs",
                    f"{b['errors']} errors, {b['hangs']} hangs, p95 {b['p95_ms']} ms",
                    b["errors"] == 0 and b["hangs"] == 0 and b["n"] == args.burst,
                )
            )
    out += ["### Targets (issue 10)", "", "| target | measured | met |", "|---|---|---|"]
    out += [f"| {t} | {got} | {'yes' if ok else 'no'} |" for t, got, ok in targets]
    out.append("")
    if NOTES.exists():
        out += ["### Notes (hand-written; `bench/cases/NOTES.md`, appended to every report)", ""]
        out.append(NOTES.read_text(encoding="utf-8").strip())
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
    p.add_argument("--burst", type=int, default=100, help="simultaneous requests per burst")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server worker processes (default: what `safepath serve` chooses for this machine)",
    )
    p.add_argument("--workdir", type=Path, default=Path("/tmp/safepath-bench-cases"))
    p.add_argument(
        "--datasette",
        default=shutil.which("datasette"),
        help="datasette executable (reference server; skipped when absent)",
    )
    p.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    p.add_argument("--no-write", action="store_true")
    p.add_argument(
        "--build-only", action="store_true", help="build (or check) the databases, then stop"
    )
    args = p.parse_args(argv)
    command = " ".join(["python -m bench.cases", *(argv if argv is not None else sys.argv[1:])])
    if args.build_only:
        for b in filter(None, (x.strip() for x in args.backends.split(","))):
            db, _ = _prepare(b, args.workdir, args.cases)
            print(f"[{b}] {db.cases:,} cases ready in {db.build_seconds:.1f} s", flush=True)
        return 0
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
