"""Field encryption: values of ``EncryptedText`` columns are AES-256-GCM encrypted on write and
decrypted on read with the key ring.

The column type lives in ``safepath.store.encrypted`` (store does not import privacy); it calls
the cipher that ``safepath.wiring.wire()`` installs there: ``field_cipher()`` below.

Stored form: ``v1.<key id>.<nonce>.<ciphertext+tag>`` (base64url), so rotation can tell which
rows are not yet on the current key. The associated data binds a ciphertext to its
``table.column``: a value copied into another column does not decrypt.

Usage: ``given_name: Mapped[str | None] = mapped_column(EncryptedText())`` — one instance per
column (the column it is attached to is filled in when the table is built). ``EncryptedText`` and
``encrypted_columns`` are re-exported here for existing callers.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from safepath.errors import ConfigurationError
from safepath.privacy.keys import KeyRing, get_keyring
from safepath.store.encrypted import EncryptedText, FieldCipher, encrypted_columns

__all__ = [
    "EncryptedText",
    "KeyRingCipher",
    "decrypt",
    "encrypt",
    "encrypted_columns",
    "field_cipher",
    "key_id_of",
]

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


class KeyRingCipher:
    """The ``FieldCipher`` that ``wire()`` installs in ``safepath.store.encrypted``. It holds no
    ring: each call resolves the ring for the current settings (a rotation, or a test's own data
    directory, applies at once)."""

    def encrypt(self, plaintext: str, context: str) -> str:
        return encrypt(plaintext, context)

    def decrypt(self, stored: str, context: str) -> str:
        return decrypt(stored, context)


_CIPHER = KeyRingCipher()


def field_cipher() -> FieldCipher:
    """Privacy's cipher for the store's encrypted columns (handed over by ``wire()``)."""
    return _CIPHER
