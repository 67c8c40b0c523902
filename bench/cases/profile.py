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


if __name__ == "__main__":
    raise SystemExit(main())
