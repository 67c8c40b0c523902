"""The request cap works in every event loop that serves the app (a second test client, a
restart), not only in the first one: its semaphore belongs to one loop."""

from __future__ import annotations

import asyncio
from typing import Any

from safepath.http.concurrency import ConcurrencyLimit


async def _burst(limit: ConcurrencyLimit, n: int, peak: list[int]) -> None:
    running = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal running
        running += 1
        peak.append(running)
        await asyncio.sleep(0.01)  # held long enough for the others to queue
        running -= 1

    limit.app = app
    await asyncio.gather(*(limit({"type": "http", "path": "/x"}, None, None) for _ in range(n)))


def test_the_cap_holds_in_a_second_event_loop() -> None:
    limit = ConcurrencyLimit(None, limit=2)
    for _ in range(2):  # two loops, one after the other, as two test clients or a restart
        peak: list[int] = []
        asyncio.run(_burst(limit, 6, peak))
        assert len(peak) == 6 and max(peak) == 2
