"""Key rotation: make a new key current, then re-encrypt every ``EncryptedText`` column of every
table with it, in committed batches, and every attached file's content (``privacy.blobs``).

Interruption-safe: the ring keeps the old keys and records that a rotation is under way, each
batch commits on its own, and rows already on the current key are skipped; rerunning
``safepath keys rotate`` therefore continues where the last run stopped instead of starting over
with yet another key. Values move between keys inside one transaction per batch, so no value is
ever lost or half-written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, Text, and_, func, or_, select, type_coerce, update

from safepath.privacy import blobs
from safepath.privacy.fields import decrypt, encrypt
from safepath.privacy.keys import KeyRing, get_keyring, key_file_path, write_keyring
from safepath.settings import get_settings
from safepath.store.encrypted import encrypted_columns
from safepath.store.models import Base


@dataclass(frozen=True)
class RotationReport:
    key_id: str
    resumed: bool
    rows: int
    values: int


def _stale_condition(table: object, columns: list[str], prefix: str) -> object:
    cols = [type_coerce(table.c[c], Text) for c in columns]  # type: ignore[attr-defined]
    return or_(*(and_(c.is_not(None), ~c.startswith(prefix)) for c in cols))


def pending(engine: Engine, ring: KeyRing | None = None) -> int:
    """Rows holding at least one value not encrypted with the current key, plus the attached
    files whose content is not (an attachment whose name and content are both stale counts
    twice: the two are re-encrypted in separate steps, and progress counts both)."""
    ring = ring or get_keyring()
    prefix = f"v1.{ring.current}."
    total = 0
    with engine.connect() as conn:
        for name, columns in encrypted_columns(Base.metadata).items():
            table = Base.metadata.tables[name]
            stmt = select(func.count()).select_from(table)
            total += conn.scalar(stmt.where(_stale_condition(table, columns, prefix))) or 0  # type: ignore[arg-type]
    return total + blobs.pending(engine, ring)


def start_rotation() -> tuple[KeyRing, bool]:
    """The ring to rotate to: the current one when a rotation was interrupted, else a new key."""
    ring = get_keyring()
    if ring.rotating:
        return ring, True
    if ring.source is None:
        raise_env_ring()
    new = ring.with_new_key()
    write_keyring(new, key_file_path())
    return new, False


def raise_env_ring() -> None:
    from safepath.errors import ConfigurationError

    raise ConfigurationError(
        "the key ring comes from SAFEPATH_KEYS: add a key there (or use a key file) to rotate"
    )


def reencrypt(
    engine: Engine,
    ring: KeyRing,
    *,
    batch_size: int | None = None,
    pause_ms: int | None = None,
    advance: Callable[[int], None] = lambda n: None,
) -> tuple[int, int]:
    """Re-encrypt every stale value with ``ring.current``; returns (rows, values) changed (an
    attached file's content counts as one row and one value)."""
    s = get_settings()
    batch = batch_size or s.rotate_batch_size
    pause = (s.rotate_batch_pause_ms if pause_ms is None else pause_ms) / 1000
    prefix = f"v1.{ring.current}."
    rows = values = 0
    for name, columns in encrypted_columns(Base.metadata).items():
        table = Base.metadata.tables[name]
        pk = list(table.primary_key.columns)
        raw = [type_coerce(table.c[c], Text).label(c) for c in columns]
        stale = _stale_condition(table, columns, prefix)
        while True:
            with engine.begin() as conn:  # one committed batch
                found = conn.execute(
                    select(*pk, *raw).where(stale).order_by(*pk).limit(batch)  # type: ignore[arg-type]
                ).all()
                for row in found:
                    changes: dict[str, str] = {}
                    for c in columns:
                        stored = getattr(row, c)
                        if stored is None or stored.startswith(prefix):
                            continue
                        context = f"{name}.{c}"
                        changes[c] = encrypt(decrypt(stored, context, ring), context, ring)
                    key = and_(*(col == getattr(row, col.name) for col in pk))
                    # type_coerce keeps the TypeDecorator from encrypting the ciphertext again.
                    conn.execute(
                        update(table)
                        .where(key)
                        .values({table.c[c]: type_coerce(v, Text) for c, v in changes.items()})
                    )
                    values += len(changes)
            rows += len(found)
            advance(len(found))
            if len(found) < batch:
                break
            if pause:
                time.sleep(pause)
    files = blobs.reencrypt(engine, ring, pause=pause, advance=advance)
    return rows + files, values + files


def finish_rotation(ring: KeyRing) -> None:
    if ring.rotating and ring.source is not None:
        write_keyring(ring.finished_rotation(), ring.source)
