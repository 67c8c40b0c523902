"""Personal cells of a stored round, encrypted with the field-encryption key ring.

The same AES-256-GCM format as the database's encrypted columns (``safepath.privacy.fields``:
``v1.<key id>.<nonce>.<ciphertext+tag>``), so ``fields.decrypt`` reads them; the associated data
binds each value to its round, table and column. Encrypting a column is one cipher object and a
loop over its values (a key-ring lookup per value would dominate a large round).
"""

from __future__ import annotations

import binascii
import os

import pyarrow as pa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from safepath.privacy import fields
from safepath.privacy.keys import get_keyring


def context(storage: str, table: str, column: str) -> str:
    return f"survey_rounds.{storage}.{table}.{column}"


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def encrypt_column(values: pa.Array | pa.ChunkedArray, ctx: str) -> pa.Array:
    """Each non-null value (as text) encrypted; nulls stay null. The nonces are drawn and
    base64-encoded together (12 bytes are 16 characters, no padding): a round has millions of
    personal cells."""
    ring = get_keyring()
    encrypt = AESGCM(ring.key(ring.current)).encrypt
    prefix = f"{fields.VERSION}.{ring.current}.".encode("ascii")
    ad = ctx.encode("utf-8")
    cells = values.to_pylist()
    size = fields.NONCE_BYTES
    nonces = os.urandom(size * len(cells))
    width = size * 4 // 3
    encoded = binascii.b2a_base64(nonces, newline=False).translate(_URLSAFE)
    b64 = binascii.b2a_base64
    out: list[str | None] = []
    for i, v in enumerate(cells):
        if v is None:
            out.append(None)
            continue
        text = v if isinstance(v, str) else _text(v)
        ct = encrypt(nonces[i * size : (i + 1) * size], text.encode("utf-8"), ad)
        token = b64(ct, newline=False).translate(_URLSAFE).rstrip(b"=")
        out.append(
            b"".join((prefix, encoded[i * width : (i + 1) * width], b".", token)).decode("ascii")
        )
    return pa.array(out, pa.string())


def decrypt_column(values: pa.Array | pa.ChunkedArray, ctx: str) -> pa.Array:
    return pa.array(
        [None if v is None else fields.decrypt(v, ctx) for v in values.to_pylist()], pa.string()
    )


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
