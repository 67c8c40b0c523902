"""Key rotation: killed half-way (SIGKILL) and rerun, every encrypted field ends up on the new key
and decrypts with it alone; the rerun resumes with the same new key."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, Text, select, type_coerce
from tests.privacy.conftest import World

from safepath.privacy import persons
from safepath.privacy.fields import decrypt, encrypted_columns
from safepath.privacy.keys import KeyRing, get_keyring, key_file_path, reset_keyring
from safepath.privacy.person_schema import PersonIn
from safepath.store.db import session_scope
from safepath.store.models import Base

N = 30


def _raw_values(engine: Engine) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    with engine.connect() as conn:
        for name, cols in encrypted_columns(Base.metadata).items():
            table = Base.metadata.tables[name]
            for row in conn.execute(
                select(*(type_coerce(table.c[c], Text).label(c) for c in cols))
            ):
                out.extend((f"{name}.{c}", v) for c, v in zip(cols, row, strict=True) if v)
    return out


def _on_key(engine: Engine, kid: str) -> int:
    return sum(v.startswith(f"v1.{kid}.") for _, v in _raw_values(engine))


@pytest.mark.slow
def test_rotate_killed_half_way_then_rerun(engine: Engine, world: World) -> None:
    actor = world.actors["caseworker"]
    with session_scope() as s:
        for i in range(N):
            persons.create(
                s,
                actor,
                PersonIn(
                    given_name=f"Name{i}",
                    family_name="Rotated",
                    phone=f"+1 555 000 {i:04d}",
                    notes=f"n{i}",
                ),
            )
    old = get_keyring().current
    total = len(_raw_values(engine))
    assert total == N * 4 and _on_key(engine, old) == total
    path = key_file_path()
    env = {**os.environ, "SAFEPATH_ROTATE_BATCH_SIZE": "3", "SAFEPATH_ROTATE_BATCH_PAUSE_MS": "150"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "safepath.cli", "keys", "rotate"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    new = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        current = json.loads(Path(path).read_text())["current"]
        if current != old and _on_key(engine, current) >= 4 * 6:  # at least two batches done
            new = current
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert new is not None, "rotation never started"
    done = _on_key(engine, new)
    assert 0 < done < total, "the kill should land half-way"
    assert json.loads(Path(path).read_text())["rotating"] is True

    rerun = subprocess.run(
        [sys.executable, "-m", "safepath.cli", "keys", "rotate"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"resuming rotation to key {new}" in rerun.stdout
    reset_keyring()
    ring = get_keyring()
    assert (ring.current, ring.rotating) == (new, False)
    assert _on_key(engine, new) == total
    # every value decrypts with the new key alone
    only_new = KeyRing(new, {new: ring.keys[new]}, ring.blind_index_key, ring.audit_key)
    plain = sorted(decrypt(v, ctx, only_new) for ctx, v in _raw_values(engine))
    assert len(plain) == total and "Name7" in plain and "+1 555 000 0029" in plain
    with session_scope() as s:
        found = persons.search(s, actor, "+1 555 000 0012")
    assert [p["given_name"] for p in found["items"]] == ["Name12"]
