"""Several processes using a fresh data directory at once (server workers on first start) end
with one key ring between them, never two."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import hashlib, time, sys
from safepath.privacy.keys import get_keyring
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))  # start together
ring = get_keyring()
print(hashlib.sha256(ring.to_json().encode()).hexdigest())
"""


def test_concurrent_first_use_creates_one_ring(tmp_path: Path) -> None:
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEPATH_")}
    env |= {"SAFEPATH_DATA_DIR": str(tmp_path / "data"), "SAFEPATH_ENVIRONMENT": "development"}
    start = str(time.time() + 2.0)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, start],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(6)
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [e[-500:] for _, e in outs]
    digests = {o.strip() for o, _ in outs}
    assert len(digests) == 1, "two processes created different key rings"
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["keys.json"]
