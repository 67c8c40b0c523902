"""The app as served in the benchmark: uvicorn, one process, with a connection pool as large as
the threadpool. With the default pool (5 + 10 overflow) and 40 threadpool workers, requests whose
auth dependency holds a connection wait for a thread while the threads wait for a connection:
under load that starves until the pool timeout. (A finding for ``safepath.store.db``.)"""

from __future__ import annotations

import functools
import sys

import uvicorn
from sqlalchemy import create_engine

from safepath.store import db

THREADS = 40  # anyio's default threadpool size, which FastAPI uses for sync routes


def main(port: int) -> None:
    db.create_engine = functools.partial(  # type: ignore[assignment]
        create_engine, pool_size=THREADS, max_overflow=10, pool_timeout=60
    )
    uvicorn.run(
        "safepath.api.app:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
