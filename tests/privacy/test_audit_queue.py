"""The in-process queue before SQLite's write lock (``audit._SQLITE_WRITERS``): held only while
a transaction chains its events, released however that transaction ends, never waited on by a
transaction that already writes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, event, func, select, text

from safepath.privacy import audit
from safepath.privacy.actor import Actor, Role
from safepath.store.db import session_scope
from safepath.store.models import AuditEvent

ACTOR = Actor(user_id=7, username="cw", role=Role.caseworker, agency_id=1, ip="10.0.0.9")


def _events() -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_released_after_a_commit_and_after_a_failed_one(engine: Engine) -> None:
    with session_scope() as s:
        audit.record(s, ACTOR, "read", "person", "P-1", person_code="P-1")
    assert not audit._SQLITE_WRITERS.locked()
    assert _events() == 1

    class Boom(Exception):
        pass

    def fail(*_a: object) -> None:
        raise Boom

    # the commit fails after the events were chained (the queue taken, on SQLite)
    event.listen(engine, "commit", fail)
    try:
        with pytest.raises(Boom), session_scope() as s:
            audit.record(s, ACTOR, "read", "person", "P-2", person_code="P-2")
    finally:
        event.remove(engine, "commit", fail)
    assert not audit._SQLITE_WRITERS.locked()
    assert _events() == 1  # nothing of the failed transaction was kept
    with session_scope() as s:
        assert audit.verify(s).ok


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the queue is SQLite's
def test_a_transaction_that_already_writes_does_not_queue(engine: Engine) -> None:
    assert engine.dialect.name == "sqlite"
    assert audit._SQLITE_WRITERS.acquire(timeout=1)  # another thread of this process holds it
    try:
        with session_scope() as s:
            s.execute(text("UPDATE audit_events SET id = id WHERE 0 = 1"))  # holds the write lock
            audit.record(s, ACTOR, "read", "person", "P-3", person_code="P-3")
        # committed at once: had it waited for the queue, it would have waited the busy timeout
    finally:
        audit._SQLITE_WRITERS.release()
    assert _events() == 1
