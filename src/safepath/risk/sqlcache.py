"""Compiled SQL kept between processes: building and compiling the Ibis expressions of a model
costs more than scoring a small round, so the SQL is stored per model, input schema, backend and
code version, and a fresh process runs it without building any expression.

The risk package stays free of settings: the caller (the CLI) says where the cache lives by
passing a ``SqlCache``. ``DirectorySqlCache`` keeps one JSON file per key; a file is used only
when it parses, has the expected shape and names exactly the key asked for, so a corrupt, stale
or foreign file is ignored (and replaced on the next write), never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Protocol

FORMAT = 1


class SqlCache(Protocol):
    """Where compiled SQL is kept between processes (keys and values are JSON documents)."""

    def get(self, key: Mapping[str, Any]) -> dict[str, Any] | None: ...

    def put(self, key: Mapping[str, Any], value: Mapping[str, Any]) -> None: ...


def _canonical(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@cache
def code_version() -> str:
    """Package version, library versions and a hash of the SQL-generating sources."""
    import duckdb
    import ibis

    from safepath import __version__

    # the risk package's sources decide the SQL: an edit to any of them makes old entries misses
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:  # unreadable: the versions still key it
            pass
    return (
        f"safepath {__version__}; ibis {ibis.__version__}; duckdb {duckdb.__version__}; "
        + (digest.hexdigest()[:16])
    )


def valid_entry(value: Any) -> bool:
    """The shape of a cached value: the SQL text and its result schema as (name, type) pairs."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("sql"), str)
        and isinstance(value.get("schema"), list)
        and all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
            for p in value["schema"]
        )
    )


def _private_dirs(path: Path) -> None:
    """Create ``path`` and its missing parents, each 0700 whatever the umask (it sits in the
    data directory, next to the database and the keys)."""
    missing: list[Path] = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for p in reversed(missing):
        p.mkdir(mode=0o700, exist_ok=True)
        os.chmod(p, 0o700)


class DirectorySqlCache:
    """One file per key in ``directory`` (created 0700 when missing; files are 0600).

    Writes go to a temporary file in the same directory, then ``os.replace``: a reader sees the
    old entry or the new one, never half of one. Failing to read or write is a cache miss, not an
    error (a read-only data directory still scores)."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def path(self, key: Mapping[str, Any]) -> Path:
        name = hashlib.sha256(_canonical(key).encode()).hexdigest()[:32]
        return self.directory / f"{name}.json"

    def get(self, key: Mapping[str, Any]) -> dict[str, Any] | None:
        try:
            doc = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # absent, unreadable, not UTF-8 or not JSON
            return None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            return None
        stored = doc.get("key")
        if not isinstance(stored, dict) or _canonical(stored) != _canonical(key):
            return None  # another key's file (or a hash collision): not ours
        value = doc.get("value")
        return value if valid_entry(value) else None

    def put(self, key: Mapping[str, Any], value: Mapping[str, Any]) -> None:
        text = json.dumps({"format": FORMAT, "key": dict(key), "value": dict(value)})
        target = self.path(key)
        tmp: str | None = None
        try:
            _private_dirs(self.directory)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:  # mkstemp creates it 0600
                fh.write(text)
            os.replace(tmp, target)
            tmp = None
        except OSError:
            return  # best effort: the next process compiles again
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
