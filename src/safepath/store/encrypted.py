"""The encrypted column type: ``EncryptedText`` encrypts on write and decrypts on read through an
injected cipher.

Store is the lowest layer and must not import privacy, yet its models declare which columns are
encrypted. So this module owns only the column type and a small ``FieldCipher`` protocol; the
cipher itself (AES-256-GCM with the key ring, key ids and rotation) lives in the privacy layer and
is handed in at the composition root: ``safepath.wiring.wire()`` calls ``use_cipher(...)`` with
privacy's cipher. That cipher looks the key ring up on every call (never one ring captured at
wire time), so a rotated ring or another data directory applies at once.

Until a cipher is installed, writing or reading an encrypted column raises ``ConfigurationError``
naming what to call: a forgotten wiring never stores plaintext.

Usage: ``given_name: Mapped[str | None] = mapped_column(EncryptedText())`` — one instance per
column. The associated data is ``table.column`` (filled in when the column joins its table), so a
value copied into another column does not decrypt.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Column, Table, Text, event
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from safepath.errors import ConfigurationError


class FieldCipher(Protocol):
    """Encrypts one column value; ``context`` is ``table.column`` (bound as associated data)."""

    def encrypt(self, plaintext: str, context: str) -> str: ...

    def decrypt(self, stored: str, context: str) -> str: ...


_state: dict[str, FieldCipher | None] = {"cipher": None}


def use_cipher(cipher: FieldCipher | None) -> None:
    """Install the cipher every ``EncryptedText`` column uses (``None`` uninstalls it)."""
    _state["cipher"] = cipher


def installed_cipher() -> FieldCipher | None:
    return _state["cipher"]


def _cipher(context: str) -> FieldCipher:
    cipher = _state["cipher"]
    if cipher is None:
        raise ConfigurationError(
            f"encrypted column {context} used before a cipher was installed: call "
            "safepath.wiring.wire() at the entry point (it passes the key-ring cipher to "
            "safepath.store.encrypted.use_cipher)"
        )
    return cipher


class EncryptedText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def __init__(self, context: str | None = None) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        context = self._context()
        return _cipher(context).encrypt(value, context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        context = self._context()
        return _cipher(context).decrypt(value, context)

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
