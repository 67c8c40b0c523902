"""Shared test fixtures: the ../shared acceptance data, and engines for SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from safepath.settings import reset_settings
from safepath.store import migrate
from safepath.store.db import dispose_engines, make_engine
from safepath.store.models import Base
from safepath.wiring import wire

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    # The test process is an entry point like the CLI and the app factory: wire once.
    wire()


SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` when present (CI, developers); tests that need it skip cleanly otherwise."""
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared is absent (a user's clone): acceptance data not available")
    return SHARED


# --- databases -----------------------------------------------------------------------------
# Every storage test runs on SQLite and on PostgreSQL. PostgreSQL comes from
# SAFEPATH_TEST_POSTGRES_URL (default: the local server); when it is unreachable the PostgreSQL
# half skips, unless SAFEPATH_REQUIRE_POSTGRES=1 (CI), where it fails.


PG_URL = os.environ.get(
    "SAFEPATH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("SAFEPATH_REQUIRE_POSTGRES") == "1"


def _pg_admin() -> Engine:
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head; dropped afterwards."""
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "server unreachable"
        admin.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required (SAFEPATH_REQUIRE_POSTGRES=1) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {exc}")
    name = f"safepath_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    dispose_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (cheaper than migrating every time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "safepath.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _empty_all(url: str) -> None:
    """Empty every table and restart every sequence, as ``TRUNCATE ... RESTART IDENTITY`` would.

    DELETE in one round trip, children first, instead of TRUNCATE: a test leaves a handful of
    rows, and TRUNCATE of 37 tables gives each a new file (0.5-1 s per test on a busy machine
    against 0.02-0.1 s here, for about 700 PostgreSQL tests). Foreign-key triggers are off for
    the transaction (the test user is the superuser) so cycles cannot get in the way.
    """
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    sql = " ".join(
        [
            "SET LOCAL session_replication_role = replica;",
            *(f'DELETE FROM "{name}";' for name in tables),
            "SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S';",
        ]
    )
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A migrated, empty database, selected through the settings as the app would see it."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("SAFEPATH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SAFEPATH_ENVIRONMENT", "test")
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), data_dir / "safepath.db")
        monkeypatch.delenv("SAFEPATH_DATABASE_URL", raising=False)
        url = f"sqlite:///{(data_dir / 'safepath.db').resolve()}"
    else:
        url = request.getfixturevalue("pg_database")
        monkeypatch.setenv("SAFEPATH_DATABASE_URL", url)
    reset_settings()
    dispose_engines()
    yield url
    dispose_engines()
    reset_settings()
    if request.param == "postgresql":
        _empty_all(url)


@pytest.fixture
def engine(db_url: str) -> Engine:
    from safepath.store.db import get_engine

    return get_engine()
