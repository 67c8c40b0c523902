"""At most ``server_threads`` requests in progress per worker; the rest wait their turn.

A sync FastAPI request runs its dependencies and its endpoint on separate pool threads, and holds
its database session (and connection) from the first query in a dependency to the commit. Capping
the threads alone therefore does not cap the connections held; capping the requests in progress
does: N requests hold at most 2N connections, which the pool is sized for (``store.db``), so the
pool can never run dry and stall every request. Waiting requests queue in the event loop, in
arrival order; ``/healthz`` skips the queue so a busy server still says it is alive.
"""

from __future__ import annotations

import asyncio
from typing import Any

Scope = dict[str, Any]


class ConcurrencyLimit:
    def __init__(self, app: Any, limit: int, bypass: frozenset[str] = frozenset({"/healthz"})):
        self.app = app
        self.limit = limit
        self.bypass = bypass
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") in self.bypass:
            await self.app(scope, receive, send)
            return
        if self._semaphore is None:  # created inside the worker's event loop
            self._semaphore = asyncio.Semaphore(self.limit)
        async with self._semaphore:
            await self.app(scope, receive, send)
