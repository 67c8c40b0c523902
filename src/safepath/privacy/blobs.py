"""Files encrypted with the field-encryption key ring (case attachments): AES-256-GCM, as the
personal fields (``safepath.privacy.fields``), on bytes instead of text.

Stored form: the key id in its own column and ``nonce + ciphertext + tag`` as bytes (no base64:
a 10 MiB scan stays 10 MiB). The associated data names the table and the record's code, so a
content copied onto another attachment does not decrypt. Rotation re-encrypts the contents whose
key id is not the current one (``reencrypt``; ``safepath.privacy.rotation`` calls it and counts
``pending`` in its progress and in ``safepath keys status``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, Table, func, select, update

from safepath.errors import ConfigurationError
from safepath.privacy.keys import KeyRing, get_keyring
from safepath.store.models.attachments import CaseAttachment

NONCE_BYTES = 12
# Rotation holds this many contents (up to the attachment size limit each) in memory per batch.
BLOB_BATCH = 4


def context_of(code: str) -> str:
    return f"{CaseAttachment.__tablename__}.content.{code}"


def seal(plaintext: bytes, context: str, ring: KeyRing | None = None) -> tuple[str, bytes]:
    """(key id, nonce + ciphertext) of ``plaintext`` under the ring's current key."""
    ring = ring or get_keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.key(ring.current)).encrypt(nonce, plaintext, context.encode("utf-8"))
    return ring.current, nonce + sealed


def unseal(key_id: str, stored: bytes, context: str, ring: KeyRing | None = None) -> bytes:
    ring = ring or get_keyring()
    try:
        return AESGCM(ring.key(key_id)).decrypt(
            stored[:NONCE_BYTES], stored[NONCE_BYTES:], context.encode("utf-8")
        )
    except InvalidTag:
        raise ConfigurationError(f"encrypted file {context} failed authentication") from None


def pending(engine: Engine, ring: KeyRing) -> int:
    """Attachments whose content is not on the current key."""
    with engine.connect() as conn:
        stmt = select(func.count()).where(CaseAttachment.content_key != ring.current)
        return int(conn.scalar(stmt) or 0)


def reencrypt(
    engine: Engine, ring: KeyRing, *, pause: float = 0, advance: Callable[[int], None]
) -> int:
    """Re-encrypt every stale content with ``ring.current``, a few per committed batch (each
    decrypts with its own key, so an interrupted run resumes where it stopped); returns how many.
    The file names are ``EncryptedText`` and move with the other encrypted columns."""
    table = cast(Table, CaseAttachment.__table__)
    done = 0
    while True:
        with engine.begin() as conn:
            found = conn.execute(
                select(table.c.id, table.c.code, table.c.content_key, table.c.content)
                .where(table.c.content_key != ring.current)
                .order_by(table.c.id)
                .limit(BLOB_BATCH)
            ).all()
            for row in found:
                context = context_of(row.code)
                plain = unseal(row.content_key, row.content, context, ring)
                key_id, sealed = seal(plain, context, ring)
                conn.execute(
                    update(table)
                    .where(table.c.id == row.id, table.c.content_key == row.content_key)
                    .values(content_key=key_id, content=sealed)
                )
        done += len(found)
        advance(len(found))
        if len(found) < BLOB_BATCH:
            return done
        if pause:
            time.sleep(pause)
