"""Load generators on loopback: an open-loop mixed workload at a fixed rate (latency measured from
the scheduled send time, so a slow server cannot hide its queue) and a closed-loop read test for
maximum throughput."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from safepath.demo.cases import synthetic_answers

# op, method, path, json body, and for a write the case code (its version goes in If-Match)
Request = tuple[str, str, str, dict[str, Any] | None, str | None]
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
            "statuses": dict(sorted(self.statuses.items())),
        }


class Mix:
    """The mixed workload's requests, and the case versions the client last saw: every write
    sends its case's version (If-Match, as the API requires); on 412 (someone else wrote the
    case meanwhile) the client takes the current version from the answer and retries once, as
    an application would after reloading."""

    def __init__(self, codes: Sequence[tuple[str, str, int]], seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.codes = codes
        self.versions = {c: v for c, _, v in codes}
        self.active = [c for c, s, _ in codes if s in ACTIVE]
        self.open = [c for c, s, _ in codes if s in OPEN]
        self.answers = [
            synthetic_answers(self.rng, "XM0101", sev, age=30, sex="female", group="idp")
            for sev in (0.2, 0.5, 0.8)
        ]
        self.ops, self.weights = zip(*MIX, strict=True)

    def __call__(self) -> Request:
        rng = self.rng
        op = rng.choices(self.ops, self.weights)[0]
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
            return op, "GET", "/api/v1/cases?" + "&".join(params), None, None
        if op == "read":
            return op, "GET", f"/api/v1/cases/{rng.choice(self.codes)[0]}", None, None
        if op == "follow_up":
            code = rng.choice(self.active)
            note = {"kind": "call", "note": "Benchmark follow-up", "next_due": "2031-01-01"}
            return op, "POST", f"/api/v1/cases/{code}/follow-ups", note, code
        code = rng.choice(self.open)
        scored = {"answers": rng.choice(self.answers)}
        return op, "POST", f"/api/v1/cases/{code}/assessments", scored, code

    async def send(self, client: httpx.AsyncClient, req: Request) -> httpx.Response:
        _, method, path, body, code = req
        if code is None:
            return await client.request(method, path, json=body)
        for attempt in (1, 2):
            headers = {"If-Match": f'"{self.versions[code]}"'}
            r = await client.request(method, path, json=body, headers=headers)
            etag = r.headers.get("ETag", "").strip('"')
            if etag.isdigit() and r.status_code in (200, 201, 412):
                self.versions[code] = int(etag)
            if r.status_code != 412 or attempt == 2:
                return r
        raise AssertionError("unreachable")


async def open_loop(
    base: str,
    headers: dict[str, str],
    make: Mix,
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
            op = req[0]
            try:
                async with gate:
                    r = await make.send(client, req)
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


@dataclass
class Burst:
    """``n`` requests sent at once: their statuses, latencies, and /healthz polled meanwhile."""

    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    latencies: list[float] = field(default_factory=list)
    health: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    health_max_ms: float = 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        ok = sum(n for s, n in self.statuses.items() if s.isdigit() and int(s) < 400)
        return {
            "n": sum(self.statuses.values()),
            "ok": ok,
            "errors": sum(self.statuses.values()) - ok,
            "hangs": self.statuses.get("ReadTimeout", 0) + self.statuses.get("PoolTimeout", 0),
            "statuses": dict(sorted(self.statuses.items())),
            "p50_ms": round(1000 * lat[len(lat) // 2], 1) if lat else float("nan"),
            "p95_ms": round(1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1)
            if lat
            else float("nan"),
            "max_ms": round(1000 * lat[-1], 1) if lat else float("nan"),
            "health": dict(sorted(self.health.items())),
            "health_max_ms": round(self.health_max_ms, 1),
        }


async def burst(
    base: str,
    n: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    data: Sequence[dict[str, str] | None] | None = None,
    timeout: float = 60.0,
) -> Burst:
    """Send ``n`` requests at the same moment, each on its own connection (``data``: the form of
    each request)."""
    out = Burst()
    limits = httpx.Limits(max_connections=n + 1, max_keepalive_connections=n + 1)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        go = asyncio.Event()
        done = asyncio.Event()

        async def one(form: dict[str, str] | None) -> None:
            await go.wait()
            t = time.perf_counter()
            try:
                r = await client.request(method, path, headers=headers, data=form)
            except httpx.HTTPError as exc:
                out.statuses[type(exc).__name__] += 1
                return
            out.statuses[str(r.status_code)] += 1
            if r.status_code < 400:
                out.latencies.append(time.perf_counter() - t)

        async def poll() -> None:
            async with httpx.AsyncClient(base_url=base, timeout=timeout) as probe:
                while not done.is_set():
                    t = time.perf_counter()
                    try:
                        r = await probe.get("/healthz")
                        out.health[str(r.status_code)] += 1
                    except httpx.HTTPError as exc:
                        out.health[type(exc).__name__] += 1
                    out.health_max_ms = max(out.health_max_ms, 1000 * (time.perf_counter() - t))
                    await asyncio.sleep(0.05)

        forms = list(data) if data is not None else [None] * n
        tasks = [asyncio.create_task(one(forms[i])) for i in range(n)]
        poller = asyncio.create_task(poll())
        await asyncio.sleep(0.1)
        go.set()
        await asyncio.gather(*tasks)
        done.set()
        await poller
    return out


async def login_burst(base: str, users: Sequence[tuple[str, str]]) -> Burst:
    """Every user logs in (``POST /api/v1/auth/token``) at the same moment."""
    forms = [{"username": u, "password": p} for u, p in users]
    return await burst(base, len(forms), "POST", "/api/v1/auth/token", data=forms)
