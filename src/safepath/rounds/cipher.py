"""Personal cells of a stored round, encrypted with the field-encryption key ring.

The same AES-256-GCM format as the database's encrypted columns (``safepath.privacy.fields``:
``v1.<key id>.<nonce>.<ciphertext+tag>``), so ``fields.decrypt`` reads them; the associated data
binds each value to its round, table and column. Encrypting a column is one cipher object and a
loop over its values (a key-ring lookup per value would dominate a large round).
"""

from __future__ import annotations

import base64
import os

import pyarrow as pa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from safepath.privacy import fields
from safepath.privacy.keys import get_keyring


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def context(storage: str, table: str, column: str) -> str:
    return f"survey_rounds.{storage}.{table}.{column}"


def encrypt_column(values: pa.Array | pa.ChunkedArray, ctx: str) -> pa.Array:
    """Each non-null value (as text) encrypted; nulls stay null."""
    ring = get_keyring()
    aead = AESGCM(ring.key(ring.current))
    prefix = f"{fields.VERSION}.{ring.current}."
    ad = ctx.encode("utf-8")
    out: list[str | None] = []
    for v in values.to_pylist():
        if v is None:
            out.append(None)
            continue
        text = v if isinstance(v, str) else _text(v)
        nonce = os.urandom(fields.NONCE_BYTES)
        ct = aead.encrypt(nonce, text.encode("utf-8"), ad)
        out.append(f"{prefix}{_b64(nonce)}.{_b64(ct)}")
    return pa.array(out, pa.string())


def decrypt_column(values: pa.Array | pa.ChunkedArray, ctx: str) -> pa.Array:
    return pa.array(
        [None if v is None else fields.decrypt(v, ctx) for v in values.to_pylist()], pa.string()
    )


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
