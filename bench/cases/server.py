"""The app as served in the benchmark: uvicorn, one process (the pool matches the threadpool,
see ``safepath.store.db.DEFAULT_THREADS``)."""

from __future__ import annotations

import sys

import uvicorn


def main(port: int) -> None:
    uvicorn.run(
        "safepath.app:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
