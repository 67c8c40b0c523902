"""Key ring and field encryption: file permissions, production refusals, authenticated
ciphertexts bound to their column."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from safepath.errors import ConfigurationError
from safepath.privacy.fields import EncryptedText, decrypt, encrypt, key_id_of
from safepath.privacy.keys import KeyRing, get_keyring, init_keyring, reset_keyring
from safepath.settings import Settings
from safepath.store.models import Base


def settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(data_dir=tmp_path, **kw)  # type: ignore[arg-type]


def test_init_creates_a_0600_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    s = settings(tmp_path)
    ring, path = init_keyring(s)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert get_keyring(s).current == ring.current
    with pytest.raises(ConfigurationError, match="already exists"):
        init_keyring(s)


def test_world_readable_key_file_is_refused(tmp_path: Path) -> None:
    s = settings(tmp_path)
    _, path = init_keyring(s)
    os.chmod(path, 0o644)
    reset_keyring()
    with pytest.raises(ConfigurationError, match="readable by others"):
        get_keyring(s)


def test_production_refuses_missing_keys_and_placeholder_secret(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        settings(tmp_path, environment="production")
    with pytest.raises(ValueError, match="19456"):
        settings(
            tmp_path,
            environment="production",
            secret_key="x-real-secret",
            password_hash_memory_kib=1024,
        )
    s = settings(
        tmp_path,
        environment="production",
        secret_key="a-real-secret-value",
        password_hash_memory_kib=65536,
    )
    reset_keyring()
    with pytest.raises(ConfigurationError, match="no key ring"):
        get_keyring(s)
    assert not (tmp_path / "keys.json").exists()


def test_keys_from_the_environment(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    s = settings(tmp_path, keys=ring.to_json())
    assert get_keyring(s).keys == ring.keys
    with pytest.raises(ConfigurationError, match="malformed") as err:
        get_keyring(settings(tmp_path, keys='{"current": "x"}'))
    assert "current" not in str(err.value)  # key material is never echoed


def test_ciphertext_is_authenticated_and_bound_to_its_column() -> None:
    ring = KeyRing.generate()
    stored = encrypt("Amina Yusuf", "persons.given_name", ring)
    assert stored.startswith(f"v1.{ring.current}.") and key_id_of(stored) == ring.current
    assert "Amina" not in stored
    assert decrypt(stored, "persons.given_name", ring) == "Amina Yusuf"
    assert encrypt("Amina Yusuf", "persons.given_name", ring) != stored  # fresh nonce
    with pytest.raises(ConfigurationError, match="failed authentication"):
        decrypt(stored, "persons.family_name", ring)  # moved to another column
    tampered = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]
    with pytest.raises(ConfigurationError):
        decrypt(tampered, "persons.given_name", ring)
    with pytest.raises(ConfigurationError, match="not in the key ring"):
        decrypt(stored, "persons.given_name", KeyRing.generate())


def test_encrypted_columns_know_their_table_and_column() -> None:
    col = Base.metadata.tables["persons"].c.phone
    assert isinstance(col.type, EncryptedText) and col.type.context == "persons.phone"
    with pytest.raises(ConfigurationError):
        EncryptedText().process_bind_param("x", None)  # type: ignore[arg-type]


def test_secrets_stay_out_of_settings_repr(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    s = settings(tmp_path, keys=ring.to_json(), secret_key="s3cr3t-value-xyz")
    text = repr(s) + str(s)
    assert "s3cr3t-value-xyz" not in text and ring.to_json()[:40] not in text
    assert "blind_index_key" not in text


def test_a_running_process_sees_a_rotated_ring(tmp_path: Path) -> None:
    s = settings(tmp_path)
    ring, path = init_keyring(s)
    assert get_keyring(s).current == ring.current
    rotated = ring.with_new_key()
    # as another process (keys rotate) would: this process's cache is not told
    path.write_text(rotated.to_json(), encoding="utf-8")
    seen = get_keyring(s)
    assert seen.current == rotated.current and set(seen.keys) == {ring.current, rotated.current}
