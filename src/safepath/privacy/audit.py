"""The audit trail: every create, read, update, delete and export of personal data appends an
event to a hash chain.

Each event's ``hash`` is HMAC-SHA256 (audit key from the key ring, outside the database) over the
previous event's hash and the event's own content, so changing, deleting or reordering any row
breaks the chain from there on, and someone with only database access cannot re-forge it.

Two steps, so that the chain never serialises the server:
1. ``record`` inserts the event in the caller's transaction, unchained and without any lock: it
   commits or rolls back with the change it describes (no audited change without its event).
2. As that transaction commits (``before_commit``), ``chain_pending`` takes the chain lock
   (PostgreSQL: a transaction-scoped advisory lock; SQLite: the single write lock) and links every
   unchained event it can see, its own and any left by others, giving each the next ``chain_seq``
   (when no other is pending, its own are inserted already linked: one write per event).
   The lock is held for the commit only, never across a request. ``prev_hash`` is unique, so two
   chainers cannot fork the chain.
Events written through a session that did not chain (a raw connection, an old process) stay
pending until the next commit anywhere or ``safepath audit verify`` links them; ``verify``
reports how many are pending.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from safepath.privacy.actor import Actor
from safepath.privacy.keys import get_keyring
from safepath.settings import get_settings
from safepath.store.models.audit import AuditEvent
from safepath.store.models.identity import User
from safepath.store.models.persons import Person

GENESIS = "0" * 64
ACTIONS = frozenset(
    {
        "create",
        "read",
        "update",
        "delete",
        "export",
        "erase",
        "anonymise",
        "consent",
        "login",
        "login_failed",
        "logout",
        "token_revoke",
        "user_admin",
        "key_rotate",
        "search",
    }
)
# The usual actions are listed above; other layers may add their own (approve, refer, close...).
_ACTION = re.compile(r"[a-z][a-z_]{1,19}")
_PG_LOCK_ID = 0x5AFE_A0D1  # any constant, shared by every writer of the chain


def _ts(at: datetime) -> str:
    # SQLite returns naive datetimes (stored as UTC): normalise so write and verify agree.
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(prev_hash: str, event: Any, key: bytes | None = None) -> str:
    """``event``: an AuditEvent or a row with the same attributes."""
    payload = json.dumps(
        [
            prev_hash,
            _ts(event.at),
            event.user_id,
            event.username,
            event.role,
            event.ip,
            event.action,
            event.record_type,
            event.record_id,
            event.person_code,
            event.fields,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    secret = key if key is not None else get_keyring().audit_key
    return hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).hexdigest()


log = logging.getLogger("safepath.audit")
_PENDING = "safepath_audit_pending"
CHAIN_BATCH = 500


def _lock_chain(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    else:
        # A write statement (matching nothing) as the transaction's first statement takes
        # SQLite's single write lock now (waiting up to the busy timeout), before the head is read.
        conn.execute(text("UPDATE audit_events SET id = id WHERE 0 = 1"))


def chain_pending(bind: Engine | Connection) -> int:
    """Link every visible unchained event, oldest first; returns how many were linked. On a
    connection, inside its transaction (the caller commits); on an engine, in a transaction of
    its own."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            return chain_pending(conn)
    conn = bind
    _lock_chain(conn)
    head = conn.execute(
        select(AuditEvent.chain_seq, AuditEvent.hash)
        .where(AuditEvent.chain_seq.is_not(None))
        .order_by(AuditEvent.chain_seq.desc())
        .limit(1)
    ).first()
    seq, prev = (int(head[0] or 0), str(head[1])) if head else (0, GENESIS)
    key = get_keyring().audit_key
    table = cast(Table, AuditEvent.__table__)
    link = (
        update(table)
        .where(table.c.id == bindparam("event_id"))
        .values(
            chain_seq=bindparam("new_seq"),
            prev_hash=bindparam("new_prev"),
            hash=bindparam("new_hash"),
        )
    )
    linked = 0
    while True:
        rows = conn.execute(
            select(table).where(table.c.chain_seq.is_(None)).order_by(table.c.id).limit(CHAIN_BATCH)
        ).all()
        params = []
        for row in rows:
            seq += 1
            digest = _digest(prev, row, key)
            params.append(
                {"event_id": row.id, "new_seq": seq, "new_prev": prev, "new_hash": digest}
            )
            prev = digest
        if params:
            conn.execute(link, params)  # one executemany per batch
        linked += len(rows)
        if len(rows) < CHAIN_BATCH:
            return linked


def _chain_before_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the outer commit writes the events
    entries = session.info.pop(_PENDING, [])
    if not entries:
        return
    session.flush()
    rows = [_row(entry) for entry, _ in entries]
    # The same connection and transaction: no second connection per request (a pool of N would
    # deadlock at N/2 concurrent requests), and the events commit already linked.
    conn = session.connection()
    _queue_in_process(session, conn)
    head = _lock_and_read_head(conn)
    if head is None or head[2] is not None:
        # events someone left unchained come first, in id order: insert, then link them all
        conn.execute(_INSERT, rows)
        chain_pending(conn)
        return
    # The usual case: nothing else is pending, so the events are inserted already linked (one
    # executemany, each row and index entry written once, instead of an insert and an update).
    seq, prev = int(head[0] or 0), str(head[1] or GENESIS)
    key = get_keyring().audit_key
    for row in rows:
        seq += 1
        digest = _digest(prev, _Event(**row), key)
        row.update(chain_seq=seq, prev_hash=prev, hash=digest)
        prev = digest
    conn.execute(_INSERT, rows)


# SQLite: the threads of one process that are about to take the write lock for their events
# queue on this lock first. SQLite's busy handler retries after sleeps of 1 to 100 ms, so a crowd
# of waiters leaves the write lock idle between tries; a queue hands it over at once. Only an aid:
# the database lock still decides, a thread already writing (holding it) never waits here, and
# a wait past the busy timeout goes on to SQLite's own.
_SQLITE_WRITERS = threading.Lock()
_HELD = "safepath_audit_queue_held"


def _queue_in_process(session: Session, conn: Connection) -> None:
    if conn.dialect.name != "sqlite" or session.info.get(_HELD):
        return
    raw = conn.connection.dbapi_connection
    if raw is None or getattr(raw, "in_transaction", True):
        return  # already holds SQLite's write lock (it wrote earlier in this transaction)
    if _SQLITE_WRITERS.acquire(timeout=get_settings().sqlite_busy_timeout_ms / 1000):
        session.info[_HELD] = True


def _release_queue(session: Session, transaction: Any) -> None:
    if transaction.parent is None and session.info.pop(_HELD, False):
        _SQLITE_WRITERS.release()


def _lock_and_read_head(conn: Connection) -> tuple[Any, Any, Any] | None:
    """Take the chain lock, then read the head (seq, hash) and whether any event is pending
    (third value not None): ``None`` when an event is pending or the chain is empty (the caller
    then links the slow way). Two statements on PostgreSQL, one on SQLite, per commit."""
    if conn.dialect.name != "sqlite" or not _SQLITE_RETURNING:
        # PostgreSQL takes a statement's snapshot as it starts, so the head must be read by a
        # statement that starts after the lock is granted: two statements.
        _lock_chain(conn)
        head = conn.execute(_HEAD_AND_PENDING).first()
    else:
        # SQLite: an UPDATE takes the single write lock before it reads, so rewriting the head
        # row in place (hash = hash: no index touched) locks and reads it in one statement.
        head = conn.execute(_SQLITE_LOCK_HEAD).first()
        if head is None:  # an empty chain: the UPDATE matched nothing but holds the lock
            return None
    return None if head is None else (head[0], head[1], head[2])


_PENDING_FLAG = select(literal(1)).where(AuditEvent.chain_seq.is_(None)).limit(1).scalar_subquery()
_HEAD_AND_PENDING = (
    select(AuditEvent.chain_seq, AuditEvent.hash, _PENDING_FLAG)
    .where(AuditEvent.chain_seq.is_not(None))
    .order_by(AuditEvent.chain_seq.desc())
    .limit(1)
)
_SQLITE_LOCK_HEAD = text(
    "UPDATE audit_events SET hash = hash "
    "WHERE chain_seq = (SELECT max(chain_seq) FROM audit_events) "
    "RETURNING chain_seq, hash, "
    "(SELECT 1 FROM audit_events WHERE chain_seq IS NULL LIMIT 1)"
)
_INSERT = insert(cast(Table, AuditEvent.__table__))
_SQLITE_RETURNING = sqlite3.sqlite_version_info >= (3, 35)  # UPDATE ... RETURNING


@dataclass(frozen=True)
class _Event:
    """An event's content as ``_digest`` reads it, before it has a row."""

    at: datetime
    user_id: int | None
    username: str | None
    role: str | None
    ip: str | None
    action: str
    record_type: str
    record_id: str | None
    person_code: str | None
    fields: str


def _row(entry: AuditEvent) -> dict[str, Any]:
    return {
        "at": entry.at,
        "user_id": entry.user_id,
        "username": entry.username,
        "role": entry.role,
        "ip": entry.ip,
        "action": entry.action,
        "record_type": entry.record_type,
        "record_id": entry.record_id,
        "person_code": entry.person_code,
        "fields": entry.fields,
    }


def _within(txn: Any, ended: Any) -> bool:
    while txn is not None:
        if txn is ended:
            return True
        txn = txn.parent
    return False


def _drop_rolled_back(session: Session, previous_transaction: Any) -> None:
    """A rollback (of the whole transaction or of a savepoint) takes its events with it."""
    entries = session.info.get(_PENDING)
    if entries:
        kept = [(e, t) for e, t in entries if not _within(t, previous_transaction)]
        session.info[_PENDING] = kept


def has_pending(session: Session) -> bool:
    """Whether events recorded in ``session`` wait for its commit."""
    return bool(session.info.get(_PENDING))


def install_chaining() -> None:
    """Link a transaction's events as it commits (called by the wiring)."""
    if not sa_event.contains(Session, "before_commit", _chain_before_commit):
        sa_event.listen(Session, "before_commit", _chain_before_commit)
        sa_event.listen(Session, "after_soft_rollback", _drop_rolled_back)
        sa_event.listen(Session, "after_transaction_end", _release_queue)


def record(
    session: Session,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: str | int | None,
    *,
    person_code: str | None = None,
    fields: Iterable[str] = (),
) -> AuditEvent:
    """Add one event to the caller's transaction: written and linked into the chain as that
    transaction commits, dropped if it (or the savepoint it was recorded in) rolls back. The
    returned object describes the event; it is not attached to the session (no id)."""
    if not _ACTION.fullmatch(action):
        raise ValueError(f"audit action {action!r} is not a short lowercase word")
    entry = AuditEvent(
        at=datetime.now(UTC),
        user_id=actor.user_id,
        username=actor.username,
        role=str(actor.role),
        ip=actor.ip,
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        person_code=person_code,
        fields=json.dumps(sorted(set(fields))),
    )
    # Held back until the commit: on SQLite an INSERT takes the single write lock, and holding it
    # from the first audited read to the end of the request made concurrent requests time out.
    txn = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((entry, txn))
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str | None = None
    pending: int = 0  # committed but not yet linked


def verify(session: Session, batch: int = 1000) -> VerifyResult:
    """Walk the whole chain in chain order; name the first event whose link does not hold."""
    prev = GENESIS
    checked = 0
    pending = (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.chain_seq.is_(None))
        )
        or 0
    )
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.chain_seq.is_not(None))
        .order_by(AuditEvent.chain_seq)
        .execution_options(yield_per=batch)
    )
    result = session.execute(stmt)
    try:
        for event in result.scalars():
            if event.prev_hash != prev:
                return VerifyResult(
                    False, checked, event.id, "previous-hash link does not match", pending
                )
            if not hmac.compare_digest(event.hash or "", _digest(prev, event)):
                return VerifyResult(
                    False, checked, event.id, "content does not match its hash", pending
                )
            prev = event.hash or ""
            checked += 1
    finally:
        result.close()  # a server-side cursor on PostgreSQL: release it on early return too
    return VerifyResult(True, checked, pending=pending)


def events(
    session: Session,
    *,
    person_code: str | None = None,
    limit: int = 200,
    offset: int = 0,
    agency_id: int | None = None,
) -> Sequence[AuditEvent]:
    """Newest first. With ``agency_id``: the events of that agency's staff and the events about
    that agency's persons (what its data-protection focal point oversees)."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    if person_code:
        stmt = stmt.where(AuditEvent.person_code == person_code)
    if agency_id is not None:
        own_persons = select(Person.code).where(Person.organisation_id == agency_id)
        own_staff = select(User.id).where(User.organisation_id == agency_id)
        stmt = stmt.where(
            AuditEvent.user_id.in_(own_staff) | AuditEvent.person_code.in_(own_persons)
        )
    return session.scalars(stmt).all()


def as_dict(event: AuditEvent) -> dict[str, object]:
    return {
        "id": event.id,
        "at": _ts(event.at),
        "user": event.username,
        "role": event.role,
        "ip": event.ip,
        "action": event.action,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "person_code": event.person_code,
        "fields": json.loads(event.fields),
    }
