"""Engine and sessions: SQLite by default (WAL, foreign keys, busy timeout); PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from safepath.settings import Settings, get_settings

# FastAPI runs sync routes on anyio's threadpool (40 threads). A smaller pool lets requests whose
# auth dependency already holds a connection starve the rest until the pool timeout.
POOL_SIZE = 40


def make_engine(url: str, *, busy_timeout_ms: int = 5000) -> Engine:
    pool = {"pool_size": POOL_SIZE, "max_overflow": 10, "pool_timeout": 60}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers run beside one writer; foreign keys are off in SQLite by default.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


_ENGINES: dict[str, Engine] = {}


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for the current settings (one pool per URL)."""
    s = settings or get_settings()
    url = s.sqlalchemy_url
    if url not in _ENGINES:
        if s.is_sqlite:
            s.data_dir.mkdir(parents=True, exist_ok=True)
        _ENGINES[url] = make_engine(url, busy_timeout_ms=s.sqlite_busy_timeout_ms)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every pool (tests and the CLI switch databases)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = Session(bind=engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
