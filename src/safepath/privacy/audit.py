"""The audit trail: every create, read, update, delete and export of personal data appends an
event to a hash chain.

Each event's ``hash`` is HMAC-SHA256 (audit key from the key ring, outside the database) over the
previous event's hash and the event's own content, so changing, deleting or reordering any row
breaks the chain from there on, and someone with only database access cannot re-forge it.
Appends are serialised (PostgreSQL: a transaction-scoped advisory lock; SQLite: taking the single
write lock first) and ``prev_hash`` is unique, so concurrent writers cannot fork the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from safepath.privacy.actor import Actor
from safepath.privacy.keys import get_keyring
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


def _digest(prev_hash: str, event: AuditEvent) -> str:
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
    key = get_keyring().audit_key
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    else:
        # A write statement (matching nothing) takes SQLite's single write lock now, before we
        # read the chain head, so no other writer can append in between.
        session.execute(text("UPDATE audit_events SET id = id WHERE 0 = 1"))


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
    """Append one event (in the caller's transaction: it commits or rolls back with the change)."""
    if not _ACTION.fullmatch(action):
        raise ValueError(f"audit action {action!r} is not a short lowercase word")
    _lock_chain(session)
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
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
        prev_hash=prev or GENESIS,
    )
    event.hash = _digest(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str | None = None


def verify(session: Session, batch: int = 1000) -> VerifyResult:
    """Walk the whole chain in id order; name the first event whose link does not hold."""
    prev = GENESIS
    checked = 0
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch)
    result = session.execute(stmt)
    try:
        for event in result.scalars():
            if event.prev_hash != prev:
                return VerifyResult(False, checked, event.id, "previous-hash link does not match")
            if not hmac.compare_digest(event.hash, _digest(prev, event)):
                return VerifyResult(False, checked, event.id, "content does not match its hash")
            prev = event.hash
            checked += 1
    finally:
        result.close()  # a server-side cursor on PostgreSQL: release it on early return too
    return VerifyResult(True, checked)


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
