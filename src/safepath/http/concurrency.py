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
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") in self.bypass:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            # one per event loop: a semaphore waited on in one loop cannot be used in another
            # (an app served again after its loop closed: a restart, a second test client)
            self._semaphore, self._loop = asyncio.Semaphore(self.limit), loop
        async with self._semaphore:
            await self.app(scope, receive, send)
