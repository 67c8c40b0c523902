"""``python -m bench.cases.service``: the server's CPU time per request of each operation of the
mixed load, one request at a time to ``safepath serve --workers 1`` (CPU of the worker process
from /proc, so other jobs on a shared machine inflate it far less than wall times).

    python -m bench.cases.service --workdir /tmp/safepath-bench-cases --backend sqlite -n 300

Uses the database ``python -m bench.cases`` built in the same work directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path

import httpx

from bench.cases import load
from bench.cases.__main__ import _codes, _port, _prepare, _serve, _stop, server_command


def _cpu_seconds(pid: int) -> float:
    """user + system CPU of the process and its children that ended (the uvicorn worker)."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        with open(f"/proc/{p}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


async def _measure(base: str, token: str, mix: load.Mix, n: int, pid: int) -> list[str]:
    by_op: dict[str, list[load.Request]] = {}
    while min((len(v) for v in by_op.values()), default=0) < n or len(by_op) < len(load.MIX):
        req = mix()
        by_op.setdefault(req[0], []).append(req)
    lines = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        for _ in range(20):  # warm the worker
            await client.get("/healthz")
        for op, reqs in [("healthz", []), *sorted(by_op.items())]:
            cpu, wall = _cpu_seconds(pid), time.perf_counter()
            for req in reqs[:n] if reqs else [("healthz", "GET", "/healthz", None, None)] * n:
                r = await mix.send(client, req)
                if r.status_code >= 400:
                    raise RuntimeError(f"{op}: {r.status_code} {r.text[:200]}")
            cpu_ms = 1000 * (_cpu_seconds(pid) - cpu) / n
            wall_ms = 1000 * (time.perf_counter() - wall) / n
            lines.append(f"| {op} | {cpu_ms:.1f} | {wall_ms:.1f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.cases.service", description=__doc__)
    p.add_argument("--backend", default="sqlite")
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/safepath-bench-cases"))
    p.add_argument("-n", type=int, default=300, help="requests per operation")
    args = p.parse_args(argv)
    db, env = _prepare(args.backend, args.workdir, args.cases)
    mix = load.Mix(_codes(db.url, args.cases), seed=3)
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(server_command(port, 1), env, f"{base}/healthz", args.workdir / "service.log")
    try:
        lines = asyncio.run(_measure(base, db.token, mix, args.n, server.pid))
    finally:
        _stop(server)
    print(f"{args.backend}, {db.cases:,} cases, {args.n} requests each, one at a time:")
    print("| operation | server CPU ms/request | wall ms/request |\n|---|---:|---:|")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
