"""Engine and sessions: SQLite by default (WAL, foreign keys, busy timeout); PostgreSQL by URL.

A SQLite database file is created 0600 before SQLite opens it (SQLite itself would use 0644 minus
the umask); SQLite gives its -wal and -shm files the database file's mode, and each new connection
checks them too. The data directory is created 0700.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from safepath.settings import PRIVATE_FILE_MODE, Settings, get_settings

# The server caps its request threads at ``server_threads`` (safepath.app). A request may hold
# two connections at once (its session, and the login throttle's own short transaction), so the
# pool allows twice that: it can never be exhausted by threads that each wait for a second one.
DEFAULT_THREADS = 16


def make_engine(url: str, *, busy_timeout_ms: int = 5000, threads: int = DEFAULT_THREADS) -> Engine:
    # hide_parameters: a failing statement's error (and so the server log) never carries the
    # bound values, which are ciphertext, blind indexes, ages and household codes.
    pool = {
        "pool_size": threads,
        "max_overflow": threads,
        "pool_timeout": 60,
        "hide_parameters": True,
    }
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        path = sqlite_file(engine.url)

        @event.listens_for(engine, "do_connect")
        def _create_private(*_args: Any) -> None:
            if path is not None:
                create_private_file(path)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers run beside one writer; foreign keys are off in SQLite by default.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute("PRAGMA synchronous=NORMAL")
            # Reads through a memory map (no read() copy per page) and a larger page cache per
            # connection (default 2 MiB): less CPU per statement on a large database.
            cur.execute("PRAGMA mmap_size=268435456")
            cur.execute("PRAGMA cache_size=-16384")
            cur.close()
            if path is not None:
                _restrict_sidecars(path)

        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL (``None`` for in-memory and ``file:`` URI databases)."""
    db = url.database
    if not db or db == ":memory:" or db.startswith("file:") or url.query.get("uri"):
        return None
    return Path(db)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (whatever the umask) unless it exists; an existing
    file is left alone. SQLite treats an empty file as an empty database."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    except OSError:
        return  # e.g. the directory is missing: let SQLite report it
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)


def _restrict_sidecars(path: Path) -> None:
    # SQLite already gives -wal/-shm the database's mode; a leftover from before (or from a
    # process under another umask) is tightened when the database itself is private.
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            return
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists() and stat.S_IMODE(side.stat().st_mode) & 0o077:
                os.chmod(side, PRIVATE_FILE_MODE)
    except OSError:
        pass  # another user's sidecar, or it vanished: SQLite decides what it can open


_ENGINES: dict[str, Engine] = {}


_LAST: list[tuple[Settings, Engine]] = []  # the settings object last seen, and its engine


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for the current settings (one pool per URL)."""
    s = settings or get_settings()
    if _LAST and _LAST[0][0] is s:
        return _LAST[0][1]  # every session asks: skip building the URL (a realpath) each time
    url = s.sqlalchemy_url
    if url not in _ENGINES:
        if s.is_sqlite:
            s.ensure_data_dir()
        _ENGINES[url] = make_engine(
            url, busy_timeout_ms=s.sqlite_busy_timeout_ms, threads=s.server_threads
        )
    if s.database_url or s.data_dir.is_absolute():  # a relative one follows the working directory
        _LAST[:] = [(s, _ENGINES[url])]
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every pool (tests and the CLI switch databases)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()
    _LAST.clear()


def new_session(engine: Engine | None = None) -> Session:
    """A session as ``session_scope`` opens it (no I/O: it connects on its first statement)."""
    return Session(bind=engine or get_engine(), expire_on_commit=False)


def end_session(session: Session, *, commit: bool) -> None:
    """Commit (or roll back), then close; a failed commit rolls back and raises."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = new_session(engine)
    try:
        yield session
    except BaseException:
        end_session(session, commit=False)
        raise
    end_session(session, commit=True)
