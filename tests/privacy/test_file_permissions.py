"""A fresh data directory is 0700 and every file in it (the SQLite database, its -wal/-shm, the
key ring) 0600, whatever the umask: in process and through the real CLI."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from safepath.privacy.keys import KeyRing, get_keyring, key_file_path, write_keyring
from safepath.settings import reset_settings
from safepath.store import migrate
from safepath.store.db import dispose_engines, get_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private(data_dir: Path, expect: set[str]) -> None:
    assert mode(data_dir) == 0o700
    files = {p.name: mode(p) for p in data_dir.iterdir()}
    assert expect <= set(files), files
    assert files == dict.fromkeys(files, 0o600), {k: oct(v) for k, v in files.items()}


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    value: int = getattr(request, "param", 0o022)
    old = os.umask(value)
    try:
        yield value
    finally:
        os.umask(old)


@pytest.fixture
def fresh_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data_dir = tmp_path / "deploy" / "data"  # neither exists yet
    for name in ("SAFEPATH_DATABASE_URL", "SAFEPATH_KEYS", "SAFEPATH_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SAFEPATH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SAFEPATH_ENVIRONMENT", "test")
    reset_settings()
    dispose_engines()
    yield data_dir
    dispose_engines()
    reset_settings()


@pytest.mark.parametrize("umask", [0o022, 0o000], indirect=True)
def test_fresh_data_dir_database_and_keys_are_private(fresh_dir: Path, umask: int) -> None:
    migrate.upgrade()
    ring = get_keyring()  # outside production a missing ring is created on first use
    assert key_file_path() == fresh_dir / "keys.json"
    with get_engine().connect() as conn:  # an open connection keeps -wal and -shm
        conn.execute(text("SELECT count(*) FROM persons"))
        assert (fresh_dir / "safepath.db-wal").exists()
        assert_private(
            fresh_dir, {"safepath.db", "safepath.db-wal", "safepath.db-shm", "keys.json"}
        )
    # a rewrite of the ring (rotation) stays 0600, even over a leftover world-readable .tmp
    leftover = fresh_dir / "keys.json.tmp"
    leftover.write_text("{}")
    os.chmod(leftover, 0o644)
    write_keyring(ring.with_new_key(), fresh_dir / "keys.json")
    assert not leftover.exists() and mode(fresh_dir / "keys.json") == 0o600
    assert isinstance(get_keyring(), KeyRing)


def test_an_existing_data_dir_keeps_its_mode(fresh_dir: Path, umask: int) -> None:
    fresh_dir.mkdir(parents=True)
    os.chmod(fresh_dir, 0o750)  # the operator's choice (e.g. a group for backups)
    migrate.upgrade()
    assert mode(fresh_dir) == 0o750
    assert mode(fresh_dir / "safepath.db") == 0o600  # the database it creates is still private


def test_db_upgrade_and_keys_init_via_the_cli(tmp_path: Path, umask: int) -> None:
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEPATH_")}
    env["SAFEPATH_DATA_DIR"] = str(data_dir)
    for args in (["db", "upgrade"], ["keys", "init"]):
        done = subprocess.run(
            [sys.executable, "-m", "safepath.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    assert_private(data_dir, {"safepath.db", "keys.json"})
