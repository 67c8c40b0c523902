"""The key ring: field-encryption keys (current + old, by id) and two non-rotating keys for the
blind indexes and the audit chain. It lives outside the database: ``SAFEPATH_KEYS`` (the JSON
itself), ``SAFEPATH_KEY_FILE``, or ``<data_dir>/keys.json`` created 0600 (whatever the umask, in a
data directory created 0700) by ``safepath keys init``.

File format::

    {"current": "k2", "keys": {"k1": "<base64url 32 bytes>", "k2": "..."},
     "blind_index_key": "...", "audit_key": "...", "rotating": false}
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import secrets
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from safepath.errors import ConfigurationError
from safepath.settings import (
    PRIVATE_FILE_MODE,
    Settings,
    ensure_private_dir,
    get_settings,
)

log = logging.getLogger("safepath.keys")
KEY_BYTES = 32


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]
    blind_index_key: bytes
    audit_key: bytes
    # True between "a new key became current" and "every row is re-encrypted with it":
    # rerunning ``keys rotate`` then resumes instead of adding yet another key.
    rotating: bool = False
    source: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ConfigurationError(f"key ring: current key {self.current!r} is not in the ring")
        for kid, key in self.keys.items():
            if not kid.isalnum() or len(key) != KEY_BYTES:
                raise ConfigurationError(f"key ring: key {kid!r} is malformed")
        if len(self.blind_index_key) != KEY_BYTES or len(self.audit_key) != KEY_BYTES:
            raise ConfigurationError("key ring: blind-index or audit key is malformed")

    def key(self, kid: str) -> bytes:
        try:
            return self.keys[kid]
        except KeyError:
            raise ConfigurationError(f"key {kid!r} is not in the key ring") from None

    def to_json(self) -> str:
        return json.dumps(
            {
                "current": self.current,
                "keys": {k: _b64(v) for k, v in self.keys.items()},
                "blind_index_key": _b64(self.blind_index_key),
                "audit_key": _b64(self.audit_key),
                "rotating": self.rotating,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, source: Path | None = None) -> KeyRing:
        try:
            data = json.loads(text)
            return cls(
                current=str(data["current"]),
                keys={str(k): _unb64(v) for k, v in data["keys"].items()},
                blind_index_key=_unb64(data["blind_index_key"]),
                audit_key=_unb64(data["audit_key"]),
                rotating=bool(data.get("rotating", False)),
                source=source,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # Never echo the content: it is key material.
            raise ConfigurationError(f"key ring is malformed ({type(exc).__name__})") from None

    @classmethod
    def generate(cls) -> KeyRing:
        kid = key_id()
        return cls(kid, {kid: new_key()}, new_key(), new_key())

    def with_new_key(self) -> KeyRing:
        kid = key_id()
        return KeyRing(
            kid,
            {**self.keys, kid: new_key()},
            self.blind_index_key,
            self.audit_key,
            rotating=True,
            source=self.source,
        )

    def finished_rotation(self) -> KeyRing:
        return KeyRing(
            self.current,
            self.keys,
            self.blind_index_key,
            self.audit_key,
            rotating=False,
            source=self.source,
        )


def key_id() -> str:
    """A sortable id: the date plus a random suffix (never reused across rings)."""
    return datetime.now(UTC).strftime("k%Y%m%d") + secrets.token_hex(3)


def key_file_path(settings: Settings | None = None) -> Path:
    s = settings or get_settings()
    return s.key_file or s.data_dir / "keys.json"


def _check_permissions(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigurationError(
            f"key file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}`"
        )


def write_keyring(ring: KeyRing, path: Path, *, exclusive: bool = False) -> None:
    """Write atomically with 0600 from the start (the key never exists world-readable).

    ``exclusive``: create only; when another process created the file first, raise
    FileExistsError and leave its ring in place (two first-use workers must not write two rings,
    or data encrypted under the lost one could never be read)."""
    ensure_private_dir(path.parent)
    legacy = path.with_name(path.name + ".tmp")  # older versions' fixed name, maybe world-readable
    if legacy.exists():
        legacy.unlink()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    # open()'s mode is filtered by the umask, and an existing .tmp keeps its old mode.
    os.fchmod(fd, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(ring.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    try:
        if exclusive:
            os.link(tmp, path)  # atomic create-if-absent
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _CACHE.clear()


def init_keyring(settings: Settings | None = None) -> tuple[KeyRing, Path]:
    path = key_file_path(settings)
    if path.exists():
        raise ConfigurationError(f"key file {path} already exists; refusing to overwrite it")
    ring = KeyRing.generate()
    try:
        write_keyring(ring, path, exclusive=True)
    except FileExistsError:
        raise ConfigurationError(
            f"key file {path} already exists; refusing to overwrite it"
        ) from None
    return ring, path


_CACHE: dict[str, KeyRing] = {}


def get_keyring(settings: Settings | None = None) -> KeyRing:
    """The key ring for the current settings. Outside production a missing key file is created
    (so a development checkout just works); production refuses to start without keys."""
    s = settings or get_settings()
    if s.keys:
        cache_key = "env:" + str(hash(s.keys))
        if cache_key not in _CACHE:
            _CACHE[cache_key] = KeyRing.from_json(s.keys)
        return _CACHE[cache_key]
    path = key_file_path(s)
    if not path.exists():
        if s.environment == "production":
            raise ConfigurationError(
                f"no key ring: set SAFEPATH_KEYS or create {path} with `safepath keys init`"
            )
        log.warning("no key ring found; creating %s for %s use", path, s.environment)
        with contextlib.suppress(ConfigurationError):  # another process created it first: use it
            init_keyring(s)
    # Keyed by modification time: a running server picks up a rotation (new current key) at once.
    cache_key = f"file:{path.resolve()}:{path.stat().st_mtime_ns}"
    if cache_key in _CACHE:
        return _CACHE[cache_key]
    _check_permissions(path)
    ring = KeyRing.from_json(path.read_text(encoding="utf-8"), source=path)
    _CACHE.clear()
    _CACHE[cache_key] = ring
    return ring


def reset_keyring() -> None:
    _CACHE.clear()
