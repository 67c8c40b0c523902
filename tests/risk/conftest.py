"""Backend connections and table loading shared by the risk tests (fixtures: the suite runs
with --import-mode=importlib, so test modules cannot import each other)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import ibis
import pyarrow as pa
import pytest

# The same variable as the storage tests (a SQLAlchemy URL); Ibis wants no "+driver" part.
PG_URL = re.sub(
    r"^postgresql\+\w+://",
    "postgresql://",
    os.environ.get("SAFEPATH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
)


def put(con: Any, name: str, data: pa.Table) -> Any:
    """Load ``data`` as table ``name`` on ``con`` and return it as an Ibis table."""
    if con.name == "duckdb":
        # register, not create_table: ibis 12 + this sqlglot fail to drop the temporary view
        con.con.register(name, data)
        return con.table(name)
    if con.name == "sqlite":
        # through sqlite3 itself: ibis 12 binds pandas NA values, which sqlite3 rejects
        kinds = {pa.types.is_integer: "INTEGER", pa.types.is_floating: "REAL"}
        cols = ", ".join(
            f'"{f.name}" ' + next((k for test, k in kinds.items() if test(f.type)), "TEXT")
            for f in data.schema
        )
        con.con.execute(f'DROP TABLE IF EXISTS "{name}"')
        con.con.execute(f'CREATE TABLE "{name}" ({cols})')
        marks = ", ".join("?" * data.num_columns)
        rows = [tuple(r.values()) for r in data.to_pylist()]
        con.con.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
        return con.table(name)
    # not overwrite=True: ibis 12 renders its DROP TABLE without a name under this sqlglot
    con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
    con.create_table(name, data)
    return con.table(name)


def postgres_connection() -> Iterator[Any]:
    """A PostgreSQL connection whose tables live in a fresh schema, dropped afterwards."""
    try:
        con = ibis.connect(PG_URL)
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not available"
        if os.environ.get("SAFEPATH_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    schema = f"sp_risk_{uuid.uuid4().hex[:10]}"
    con.raw_sql(f'CREATE SCHEMA "{schema}"')
    con.raw_sql(f'SET search_path TO "{schema}"')
    try:
        yield con
    finally:
        con.raw_sql(f'DROP SCHEMA "{schema}" CASCADE')
        con.disconnect()


@pytest.fixture(scope="session")
def load_table() -> Callable[[Any, str, pa.Table], Any]:
    """``load_table(con, name, arrow_table)`` -> the loaded Ibis table (see ``put``)."""
    return put


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    """PostgreSQL in a fresh schema; skipped when unreachable unless SAFEPATH_REQUIRE_POSTGRES=1."""
    yield from postgres_connection()


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI keeps compiled SQL in the data directory: a temporary one per test, not the
    working directory's ``.safepath``."""
    from safepath.settings import reset_settings

    monkeypatch.setenv("SAFEPATH_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    yield
    reset_settings()
