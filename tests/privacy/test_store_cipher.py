"""The store's encrypted columns use the cipher that ``wire()`` injects from privacy: existing
ciphertexts still decrypt, the ring is resolved per use, and an unwired column refuses to write
(never plaintext) with an error naming what to call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite
from tests.privacy.conftest import World

from safepath.errors import ConfigurationError
from safepath.privacy import fields, persons
from safepath.privacy.keys import KeyRing, get_keyring, reset_keyring
from safepath.privacy.person_schema import PersonIn
from safepath.settings import reset_settings
from safepath.store import encrypted
from safepath.store.db import session_scope
from safepath.store.encrypted import EncryptedText
from safepath.store.models import Base
from safepath.store.models.persons import Person

# Written by the column type before it moved into store (fixed ring below): the on-disk format
# must not change, or existing databases stop decrypting.
KNOWN_RING = KeyRing("k1", {"k1": bytes(range(32))}, bytes(32), bytes([1]) * 32)
KNOWN = "v1.k1.I2iWRkJy4p0i3WAA.drxZXyaY04PcRS12XY13NgJU_6qWZwu241so"


@pytest.fixture
def unwired() -> Iterator[None]:
    saved = encrypted.installed_cipher()
    encrypted.use_cipher(None)
    try:
        yield
    finally:
        encrypted.use_cipher(saved)


def _configuration_error(err: BaseException) -> ConfigurationError:
    seen: BaseException | None = err
    while seen is not None and not isinstance(seen, ConfigurationError):
        seen = seen.__cause__
    assert seen is not None, f"no ConfigurationError behind {err!r}"
    return seen


def test_wire_installs_privacys_cipher() -> None:
    assert encrypted.installed_cipher() is fields.field_cipher()
    assert isinstance(fields.EncryptedText(), encrypted.EncryptedText)  # re-exported


def test_existing_ciphertext_still_decrypts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert fields.decrypt(KNOWN, "persons.given_name", KNOWN_RING) == "Amina Yusuf"
    monkeypatch.setenv("SAFEPATH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAFEPATH_KEYS", KNOWN_RING.to_json())
    reset_settings()
    col_type = Base.metadata.tables["persons"].c.given_name.type
    assert isinstance(col_type, EncryptedText)
    dialect = sqlite.dialect()
    assert col_type.process_result_value(KNOWN, dialect) == "Amina Yusuf"
    stored = col_type.process_bind_param("Amina Yusuf", dialect)
    assert stored is not None and stored.startswith("v1.k1.")
    assert fields.decrypt(stored, col_type.context or "", KNOWN_RING)


def test_the_ring_is_resolved_on_each_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # wire() ran once for the whole session; each data directory still gets its own ring.
    phone_type = Base.metadata.tables["persons"].c.phone.type
    assert isinstance(phone_type, EncryptedText)
    seen = []
    for name in ("a", "b"):
        monkeypatch.setenv("SAFEPATH_DATA_DIR", str(tmp_path / name))
        reset_settings()
        reset_keyring()
        stored = phone_type.process_bind_param("+1 202 555 0101", sqlite.dialect())
        assert stored is not None
        assert fields.key_id_of(stored) == get_keyring().current
        assert (tmp_path / name / "keys.json").exists()
        seen.append(get_keyring().current)
    assert seen[0] != seen[1]


@pytest.mark.usefixtures("unwired")
def test_an_unwired_column_refuses_to_write(world: World) -> None:
    with pytest.raises(Exception) as caught, session_scope() as s:
        persons.create(s, world.actors["caseworker"], PersonIn(given_name="Amina"))
    err = _configuration_error(caught.value)
    assert "before a cipher was installed" in str(err)
    assert "safepath.wiring.wire()" in str(err) and "use_cipher" in str(err)
    with session_scope() as s:
        assert s.execute(text("SELECT count(*) FROM persons")).scalar() == 0


def test_an_unwired_column_refuses_to_read(world: World) -> None:
    with session_scope() as s:
        persons.create(s, world.actors["caseworker"], PersonIn(given_name="Amina"))
    saved = encrypted.installed_cipher()
    encrypted.use_cipher(None)
    try:
        with pytest.raises(ConfigurationError, match=r"call safepath\.wiring\.wire\(\)"):
            with session_scope() as s:
                s.scalars(select(Person.given_name)).all()
    finally:
        encrypted.use_cipher(saved)
