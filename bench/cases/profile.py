"""``python -m bench.cases.profile``: the service time of each operation of the mixed load, in
process (the app called through its ASGI interface, one request at a time: no network, no
queueing), optionally with cProfile's top functions per operation.

    python -m bench.cases.profile --workdir /tmp/safepath-bench-cases --backend sqlite -n 200

Uses the database ``python -m bench.cases`` built in the same work directory.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import time
import warnings
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from bench.cases import load
from bench.cases.__main__ import _codes, _prepare


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.cases.profile", description=__doc__)
    p.add_argument("--backend", default="sqlite")
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/safepath-bench-cases"))
    p.add_argument("-n", type=int, default=200, help="requests per operation")
    p.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    p.add_argument(
        "--direct",
        action="store_true",
        help="call the route functions in this thread (what the request's worker thread runs: "
        "token check, service, audit, commit; no HTTP, no JSON), so cProfile sees them",
    )
    p.add_argument(
        "--inline",
        action="store_true",
        help="call the ASGI app in this thread with the threadpool replaced by direct calls "
        "(middlewares, routing, dependencies, route, JSON, gzip: all that a worker runs but "
        "uvicorn's HTTP parsing), so cProfile sees the whole request",
    )
    p.add_argument("--sort", default="tottime", help="cProfile sort key (with --profile)")
    p.add_argument("--top", type=int, default=40, help="cProfile rows (with --profile)")
    args = p.parse_args(argv)
    db, _ = _prepare(args.backend, args.workdir, args.cases)
    codes = _codes(db.url, args.cases)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from safepath.app import create_app

    mix = load.Mix(codes, seed=5)
    by_op: dict[str, list[Any]] = {}
    while min((len(v) for v in by_op.values()), default=0) < args.n or len(by_op) < len(load.MIX):
        req = mix()
        by_op.setdefault(req[0], []).append(req)
    if args.direct:
        return _direct(by_op, mix, db.token, args)
    if args.inline:
        return _inline(by_op, mix, db.token, args)
    headers = {"Authorization": f"Bearer {db.token}"}
    with TestClient(create_app(), headers=headers) as client:
        for op, reqs in sorted(by_op.items()):
            reqs = reqs[: args.n]
            times: list[float] = []
            cpu0 = time.process_time()
            prof = cProfile.Profile() if args.profile else None
            for _, method, path, body, code in reqs:
                h = {"If-Match": f'"{mix.versions[code]}"'} if code else {}
                t = time.perf_counter()
                if prof:
                    prof.enable()
                r = client.request(method, path, json=body, headers=h)
                if prof:
                    prof.disable()
                times.append(time.perf_counter() - t)
                if code and r.headers.get("ETag", "").strip('"').isdigit():
                    mix.versions[code] = int(r.headers["ETag"].strip('"'))
                assert r.status_code < 400, (op, r.status_code, r.text[:300])
            cpu = (time.process_time() - cpu0) / len(times)
            times.sort()
            print(
                f"{op:11s} n={len(times)} CPU {1000 * cpu:6.1f} ms/request; wall: "
                f"mean {1000 * statistics.fmean(times):6.1f} ms  "
                f"p50 {1000 * times[len(times) // 2]:6.1f}  p95 "
                f"{1000 * times[int(0.95 * len(times))]:6.1f}",
                flush=True,
            )
            if prof:
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
                print(out.getvalue())
    return 0


def _direct(by_op: dict[str, list[Any]], mix: load.Mix, token: str, args: Any) -> int:
    from urllib.parse import parse_qsl, urlsplit

    from starlette.requests import Request

    from safepath.api.routes import cases, follow_ups
    from safepath.cases.schemas import AssessmentIn, FollowUpIn
    from safepath.http.auth import current_actor
    from safepath.store.db import session_scope
    from safepath.wiring import wire

    wire()

    def request(path: str) -> Request:
        url = urlsplit(path)
        scope = {
            "type": "http",
            "method": "GET",
            "path": url.path,
            "query_string": url.query.encode(),
            "headers": [],
            "client": ("127.0.0.1", 1),
        }
        return Request(scope)

    def call(op: str, path: str, body: Any, code: str | None) -> Any:
        req = request(path)
        with session_scope() as db:
            actor = current_actor(req, db, token)
            if op == "list":
                q = dict(parse_qsl(urlsplit(path).query))
                overdue = q.get("overdue") == "true" or None
                return cases.list_cases(
                    req,
                    db,
                    actor,
                    status=q.get("status"),  # type: ignore[arg-type]
                    risk_level=q.get("risk_level"),  # type: ignore[arg-type]
                    thematic_area=q.get("thematic_area"),
                    overdue=overdue,
                    limit=int(q.get("limit", 50)),
                    caseworker=None,
                    team_id=None,
                    person_code=None,
                    place=None,
                    sort="-updated_at",
                    offset=0,
                    cursor=None,
                    include_total=False,
                )
            case_code = path.split("/")[4]
            if op == "read":
                return cases.get_case(db, actor, case_code)
            assert code is not None
            if op == "follow_up":
                r = follow_ups.add_follow_up(
                    db, actor, case_code, FollowUpIn(**body), mix.versions[code]
                )
            else:
                r = cases.assess(db, actor, case_code, AssessmentIn(**body), mix.versions[code])
            mix.versions[code] = int(r.headers["ETag"].strip('"'))
            return r

    for op, reqs in sorted(by_op.items()):
        reqs = reqs[: args.n]
        prof = cProfile.Profile() if args.profile else None
        times = []
        cpu0 = time.process_time()
        for _, _, path, body, code in reqs:
            t = time.perf_counter()
            if prof:
                prof.enable()
            call(op, path, body, code)
            if prof:
                prof.disable()
            times.append(time.perf_counter() - t)
        cpu = (time.process_time() - cpu0) / len(times)
        times.sort()
        print(
            f"{op:11s} n={len(times)} CPU {1000 * cpu:6.1f} ms/request; wall: "
            f"mean {1000 * statistics.fmean(times):6.1f} ms  "
            f"p50 {1000 * times[len(times) // 2]:6.1f}",
            flush=True,
        )
        if prof:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(30)
            print(out.getvalue())
    return 0


def _inline(by_op: dict[str, list[Any]], mix: load.Mix, token: str, args: Any) -> int:
    import asyncio
    import json

    import anyio.to_thread

    async def run_sync(func: Any, *a: Any, **_kw: Any) -> Any:
        return func(*a)

    anyio.to_thread.run_sync = run_sync  # type: ignore[assignment]
    from sqlalchemy import event

    from safepath.app import create_app
    from safepath.store.db import get_engine

    app = create_app()
    statements = [0]

    @event.listens_for(get_engine(), "before_cursor_execute")
    def _count(*_a: Any) -> None:
        statements[0] += 1

    auth = (b"authorization", f"Bearer {token}".encode())

    async def call(method: str, path: str, body: Any, code: str | None) -> int:
        raw = json.dumps(body).encode() if body is not None else b""
        headers = [auth, (b"accept-encoding", b"gzip"), (b"host", b"bench")]
        if code:
            headers.append((b"if-match", f'"{mix.versions[code]}"'.encode()))
        if raw:
            length = str(len(raw)).encode()
            headers += [(b"content-type", b"application/json"), (b"content-length", length)]
        url, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": url,
            "raw_path": url.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        sent = False
        out: dict[str, Any] = {}

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                out["status"] = message["status"]
                out["headers"] = dict(message["headers"])

        await app(scope, receive, send)
        etag = out["headers"].get(b"etag", b"").strip(b'"')
        if code and etag.isdigit():
            mix.versions[code] = int(etag)
        return int(out["status"])

    async def main() -> None:
        for _ in range(20):
            await call("GET", "/healthz", None, None)
        ops = [("healthz", [("healthz", "GET", "/healthz", None, None)] * args.n)]
        for op, reqs in [*ops, *sorted(by_op.items())]:
            reqs = reqs[: args.n]
            # a second, deterministic measure beside the CPU time (which other jobs inflate):
            # the Python function calls and SQL statements per request
            prof = cProfile.Profile()
            cpu0, stmts0 = time.process_time(), statements[0]
            for i, (_, method, path, body, code) in enumerate(reqs):
                counted = args.profile or i < 50
                if counted:
                    prof.enable()
                status = await call(method, path, body, code)
                if counted:
                    prof.disable()
                assert status < 400, (op, status)
            cpu = (time.process_time() - cpu0) / len(reqs)
            total = pstats.Stats(prof).total_calls  # type: ignore[attr-defined]
            calls = total / (len(reqs) if args.profile else min(50, len(reqs)))
            print(
                f"{op:11s} n={len(reqs)} CPU {1000 * cpu:6.2f} ms/request; "
                f"{calls:7.0f} calls, {(statements[0] - stmts0) / len(reqs):4.1f} statements "
                "per request",
                flush=True,
            )
            if args.profile:
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats(args.sort).print_stats(args.top)
                print(out.getvalue())

    asyncio.run(main())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
