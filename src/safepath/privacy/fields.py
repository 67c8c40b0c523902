"""Field encryption: ``EncryptedText`` columns are AES-256-GCM encrypted on write and decrypted on
read with the key ring.

Stored form: ``v1.<key id>.<nonce>.<ciphertext+tag>`` (base64url), so rotation can tell which
rows are not yet on the current key. The associated data binds a ciphertext to its
``table.column``: a value copied into another column does not decrypt.

Usage: ``given_name: Mapped[str | None] = mapped_column(EncryptedText())`` — one instance per
column (the column it is attached to is filled in when the table is built).
"""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Table, Text, event
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from safepath.errors import ConfigurationError
from safepath.privacy.keys import KeyRing, get_keyring

VERSION = "v1"
NONCE_BYTES = 12


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt(plaintext: str, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or get_keyring()
    nonce = os.urandom(NONCE_BYTES)
    ct = AESGCM(ring.key(ring.current)).encrypt(
        nonce, plaintext.encode("utf-8"), context.encode("utf-8")
    )
    return f"{VERSION}.{ring.current}.{_b64(nonce)}.{_b64(ct)}"


def key_id_of(stored: str) -> str:
    parts = stored.split(".")
    if len(parts) != 4 or parts[0] != VERSION:
        raise ConfigurationError("encrypted value has an unknown format")
    return parts[1]


def decrypt(stored: str, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or get_keyring()
    kid = key_id_of(stored)
    _, _, nonce, ct = stored.split(".")
    try:
        plain = AESGCM(ring.key(kid)).decrypt(_unb64(nonce), _unb64(ct), context.encode("utf-8"))
    except InvalidTag:
        # Wrong key, tampered value, or a value moved from another column.
        raise ConfigurationError(f"encrypted value in {context} failed authentication") from None
    return plain.decode("utf-8")


class EncryptedText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def __init__(self, context: str | None = None) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return encrypt(value, self._context())

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return decrypt(value, self._context())

    def _context(self) -> str:
        if not self.context:
            raise ConfigurationError("EncryptedText used outside a table column")
        return self.context

    def copy(self, **kw: Any) -> EncryptedText:
        return EncryptedText(self.context)


@event.listens_for(Column, "after_parent_attach")
def _bind_context(column: Column[Any], parent: Any) -> None:
    # The associated data is "table.column"; set it once the column knows its table.
    if isinstance(column.type, EncryptedText) and isinstance(parent, Table):
        column.type = EncryptedText(f"{parent.name}.{column.name}")


def encrypted_columns(metadata: Any) -> dict[str, list[str]]:
    """Every table with EncryptedText columns -> those column names (rotation walks these)."""
    found: dict[str, list[str]] = {}
    for table in metadata.sorted_tables:
        cols = [c.name for c in table.columns if isinstance(c.type, EncryptedText)]
        if cols:
            found[table.name] = cols
    return found
