"""The audit chain across processes: several writer processes keep one gap-free chain, and a
writer killed with SIGKILL loses no acknowledged event and leaves a chain that verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import Engine, func, select

from safepath.privacy import audit
from safepath.store.db import dispose_engines, get_engine, session_scope
from safepath.store.models import AuditEvent

# One event per transaction; the id is printed only after the commit returned (acknowledged).
WRITER = """
import sys
from safepath.wiring import wire
from safepath.privacy import audit
from safepath.privacy.actor import SYSTEM
from safepath.store.db import session_scope
wire()
tag = sys.argv[2]
for i in range(int(sys.argv[1])):
    with session_scope() as s:
        audit.record(s, SYSTEM, "read", "person", f"{tag}-{i}", person_code="P-1")
    print(f"{tag}-{i}", flush=True)  # written, linked and committed by now
"""


def _writer(n: int, tag: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(n), tag],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_three_writer_processes_keep_one_chain(engine: Engine) -> None:
    dispose_engines()
    procs = [_writer(25, f"w{k}") for k in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1][-2000:] for o in outs]
    acknowledged = {x for out, _ in outs for x in out.split()}
    assert len(acknowledged) == 75
    with session_scope() as s:
        result = audit.verify(s)
        ids = set(s.scalars(select(AuditEvent.record_id)))
        seqs = sorted(int(q or 0) for q in s.scalars(select(AuditEvent.chain_seq)))
    assert (result.ok, result.checked) == (True, 75)
    assert acknowledged == ids
    assert seqs == list(range(1, 76))  # gap-free chain order


def test_sigkill_mid_burst_loses_no_acknowledged_event(engine: Engine) -> None:
    dispose_engines()
    proc = _writer(100_000, "k")
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while len(seen) < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)
    seen += rest.split()
    assert len(seen) >= 40
    linked = audit.chain_pending(get_engine())  # what the next writer or `audit verify` does
    with session_scope() as s:
        result = audit.verify(s)
        ids = set(s.scalars(select(AuditEvent.record_id)))
        total = s.scalar(select(func.count()).select_from(AuditEvent))
    assert result.ok and result.pending == 0, result
    assert result.checked == total
    assert set(seen) <= ids, "an acknowledged event is missing"
    assert linked >= 0
