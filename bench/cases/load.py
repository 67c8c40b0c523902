"""Load generators on loopback: an open-loop mixed workload at a fixed rate (latency measured from
the scheduled send time, so a slow server cannot hide its queue) and a closed-loop read test for
maximum throughput."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from safepath.demo.cases import synthetic_answers

Request = tuple[str, str, str, dict[str, Any] | None]  # op, method, path, json body
MIX = [("list", 50), ("read", 30), ("follow_up", 12), ("assessment", 8)]
ACTIVE = {"registered", "assessed", "plan_approved", "in_progress", "closure_requested"}
OPEN = ACTIVE - {"closure_requested"}


@dataclass
class OpStats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def summary(self, seconds: float) -> dict[str, Any]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return 1000 * lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")

        return {
            "n": len(lat) + self.errors,
            "rps": round((len(lat) + self.errors) / seconds, 1),
            "p50_ms": round(pct(0.50), 1),
            "p95_ms": round(pct(0.95), 1),
            "p99_ms": round(pct(0.99), 1),
            "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else float("nan"),
            "errors": self.errors,
        }


def mixed_requests(codes: Sequence[tuple[str, str]], seed: int = 1) -> Callable[[], Request]:
    rng = random.Random(seed)
    ops, weights = zip(*MIX, strict=True)
    active = [c for c, s in codes if s in ACTIVE]
    open_ = [c for c, s in codes if s in OPEN]
    answers = [
        synthetic_answers(rng, "XM0101", sev, age=30, sex="female", group="idp")
        for sev in (0.2, 0.5, 0.8)
    ]

    def next_request() -> Request:
        op = rng.choices(ops, weights)[0]
        if op == "list":
            params = [
                f"status={rng.choice(['in_progress', 'assessed', 'closed'])}",
                f"risk_level={rng.choice(['high', 'medium', 'low'])}",
                "limit=20",
            ]
            if rng.random() < 0.3:
                params.append(f"thematic_area={rng.choice(['gbv', 'child_protection', 'hlp'])}")
            if rng.random() < 0.3:
                params.append("overdue=true")
            return op, "GET", "/api/v1/cases?" + "&".join(params), None
        if op == "read":
            return op, "GET", f"/api/v1/cases/{rng.choice(codes)[0]}", None
        if op == "follow_up":
            body = {"kind": "call", "note": "Benchmark follow-up", "next_due": "2031-01-01"}
            return op, "POST", f"/api/v1/cases/{rng.choice(active)}/follow-ups", body
        return (
            op,
            "POST",
            f"/api/v1/cases/{rng.choice(open_)}/assessments",
            {"answers": rng.choice(answers)},
        )

    return next_request


async def open_loop(
    base: str,
    headers: dict[str, str],
    make: Callable[[], Request],
    rate: float,
    seconds: float,
    max_in_flight: int = 64,
) -> dict[str, OpStats]:
    stats: dict[str, OpStats] = defaultdict(OpStats)
    gate = asyncio.Semaphore(max_in_flight)
    limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=60
    ) as client:

        async def one(req: Request, scheduled: float) -> None:
            op, method, path, body = req
            try:
                async with gate:
                    r = await client.request(method, path, json=body)
            except asyncio.CancelledError:  # still waiting when the drain time ran out
                stats[op].errors += 1
                raise
            except httpx.HTTPError:
                stats[op].errors += 1
                return
            stats[op].statuses[r.status_code] += 1
            if r.status_code >= 400:
                stats[op].errors += 1
                return
            stats[op].latencies.append(time.perf_counter() - scheduled)

        start = time.perf_counter()
        tasks = []
        i = 0
        while True:
            scheduled = start + i / rate
            if scheduled - start >= seconds:
                break
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(make(), scheduled)))
            i += 1
        _, pending = await asyncio.wait(tasks, timeout=seconds)  # bounded drain
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        stats["_wall"].latencies.append(time.perf_counter() - start)  # send window + drain
    return stats


async def closed_loop(
    base: str, headers: dict[str, str], paths: Sequence[str], clients: int, seconds: float
) -> OpStats:
    stats = OpStats()
    rng = random.Random(3)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=60
    ) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    r = await client.get(rng.choice(paths))
                    ok = r.status_code < 400
                except httpx.HTTPError:
                    ok = False
                if ok:
                    stats.latencies.append(time.perf_counter() - t)
                else:
                    stats.errors += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
    return stats
