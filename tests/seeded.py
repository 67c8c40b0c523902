"""A database seeded once per test process and copied for each test that reads it.

Loading the demo's cases through the services costs seconds of CPU (about 40 statements and an
audit append per case); tests that only read what was loaded share one load per backend and get
their own copy, so each can still write without disturbing the next: SQLite copies the file,
PostgreSQL creates the test's database from the seeded one as a template.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from safepath.settings import reset_settings
from safepath.store import migrate
from safepath.store.db import dispose_engines, make_engine


@dataclass(frozen=True)
class _Seed:
    data_dir: Path  # the key ring and the SQLite file
    database: str | None  # the PostgreSQL template's name
    value: Any


_SEEDS: dict[tuple[str, str], _Seed] = {}


def _admin(url: str) -> Any:
    """On the server's maintenance database: the test session's own may be gone at cleanup."""
    maintenance = make_url(
        os.environ.get("SAFEPATH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    ).database
    return create_engine(make_url(url).set(database=maintenance), isolation_level="AUTOCOMMIT")


def _seed(request: pytest.FixtureRequest, db_url: str, name: str, seed: Callable[[], Any]) -> _Seed:
    data_dir = request.config._tmp_path_factory.mktemp(f"seed-{name}")  # type: ignore[attr-defined]
    database = None
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAFEPATH_DATA_DIR", str(data_dir))
        if db_url.startswith("sqlite"):
            shutil.copy(request.getfixturevalue("sqlite_template"), data_dir / "safepath.db")
        else:
            database = f"safepath_seed_{uuid.uuid4().hex[:10]}"
            admin = _admin(db_url)
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
            admin.dispose()
            url = make_url(db_url).set(database=database).render_as_string(hide_password=False)
            engine = make_engine(url)
            migrate.upgrade(engine)
            engine.dispose()
            mp.setenv("SAFEPATH_DATABASE_URL", url)
            request.config.add_cleanup(lambda: _drop(db_url, database))
        reset_settings()
        dispose_engines()
        value = seed()
        dispose_engines()  # a template database must have no connection left
    reset_settings()
    return _Seed(data_dir, database, value)


def _drop(db_url: str, database: str) -> None:
    dispose_engines()
    admin = _admin(db_url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()


def seeded(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    name: str,
    seed: Callable[[], Any],
) -> Any:
    """Point the test's settings at a copy of the database ``seed()`` filled (run once per test
    process and backend); returns what ``seed`` returned then."""
    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    found = _SEEDS.get((name, backend))
    if found is None:
        found = _SEEDS[(name, backend)] = _seed(request, db_url, name, seed)
    data_dir = Path(os.environ["SAFEPATH_DATA_DIR"])
    dispose_engines()
    shutil.copytree(found.data_dir, data_dir, dirs_exist_ok=True)  # keys (and the SQLite file)
    if found.database is not None:
        copy = f"safepath_copy_{uuid.uuid4().hex[:10]}"
        admin = _admin(db_url)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{found.database}"'))
        admin.dispose()
        url = make_url(db_url).set(database=copy).render_as_string(hide_password=False)
        monkeypatch.setenv("SAFEPATH_DATABASE_URL", url)
        request.addfinalizer(lambda: _drop(db_url, copy))
    reset_settings()
    return found.value
