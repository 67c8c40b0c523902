"""What the auditor and the data-protection focal point oversee, as typed views for their pages:
the audit trail (filtered, keyset-paged), the key ring's status (never key material) and what
retention would do now. Each view checks its permission; reading the trail is itself audited."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safepath.errors import ValidationFailed
from safepath.privacy import audit, policy, retention, rotation
from safepath.privacy.actor import Actor, Role
from safepath.privacy.keys import get_keyring
from safepath.settings import get_settings
from safepath.store.models.audit import AuditEvent
from safepath.store.models.identity import User
from safepath.store.models.persons import Person

TRAIL_PAGE = 50


@dataclass(frozen=True)
class TrailFilter:
    username: str | None = None
    action: str | None = None
    person_code: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValidationFailed("the start date is after the end date")

    def used(self) -> list[str]:
        """The filters set (audited with the read: what the reader looked for)."""
        return [k for k, v in self.__dict__.items() if v]


@dataclass(frozen=True)
class TrailEvent:
    id: int
    at: datetime
    username: str
    role: str
    ip: str | None
    action: str
    record_type: str
    record_id: str | None
    person_code: str | None
    fields: list[str]
    chained: bool


@dataclass(frozen=True)
class TrailPage:
    events: list[TrailEvent]
    next_before: int | None  # the cursor of the next (older) page; None on the last
    actions: list[str] = field(default_factory=list)  # the choices of the action filter


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def trail(
    session: Session,
    actor: Actor,
    flt: TrailFilter,
    *,
    before: int | None = None,
    limit: int = TRAIL_PAGE,
    hidden_record_types: Collection[str] = (),
) -> TrailPage:
    """The trail, newest first, ``limit`` events older than the event ``before``. Auditors see
    every agency; a data-protection focal point the events of their agency's staff and persons.
    ``hidden_record_types`` are left out in the query (so every page is full)."""
    policy.require(actor, "audit.read")
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit + 1)
    if before is not None:
        stmt = stmt.where(AuditEvent.id < before)
    if flt.username:
        stmt = stmt.where(AuditEvent.username == flt.username)
    if flt.action:
        stmt = stmt.where(AuditEvent.action == flt.action)
    if flt.person_code:
        stmt = stmt.where(AuditEvent.person_code == flt.person_code)
    if flt.since:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(flt.since, time(), UTC))
    if flt.until:
        end = datetime.combine(flt.until + timedelta(days=1), time(), UTC)
        stmt = stmt.where(AuditEvent.at < end)
    if hidden_record_types:
        stmt = stmt.where(AuditEvent.record_type.not_in(sorted(hidden_record_types)))
    if actor.role is not Role.auditor:
        own_persons = select(Person.code).where(Person.organisation_id == actor.agency_id)
        own_staff = select(User.id).where(User.organisation_id == actor.agency_id)
        stmt = stmt.where(
            AuditEvent.user_id.in_(own_staff) | AuditEvent.person_code.in_(own_persons)
        )
    rows = session.scalars(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    audit.record(session, actor, "read", "audit_trail", None, fields=flt.used())
    return TrailPage(
        [
            TrailEvent(
                e.id,
                _aware(e.at),
                e.username,
                e.role,
                e.ip,
                e.action,
                e.record_type,
                e.record_id,
                e.person_code,
                json.loads(e.fields),
                e.chain_seq is not None,
            )
            for e in rows
        ],
        rows[-1].id if more and rows else None,
        sorted(audit.ACTIONS),
    )


def verify(session: Session, actor: Actor) -> audit.VerifyResult:
    """The chain check ``safepath audit verify`` runs (read-only: pending events are counted,
    not linked; the next commit links them)."""
    policy.require(actor, "audit.verify")
    return audit.verify(session)


@dataclass(frozen=True)
class KeyInfo:
    id: str
    created_on: date | None  # from the id (``kYYYYMMDD…``)
    current: bool


@dataclass(frozen=True)
class Rotation:
    at: datetime
    key_id: str | None
    by: str


@dataclass(frozen=True)
class KeyStatus:
    keys: list[KeyInfo]  # newest first
    rotating: bool
    pending_rows: int  # rows holding a value not yet on the current key
    rotations: list[Rotation]  # newest first, from the audit trail
    source: str  # "file" or "environment" (never the path's content)


def _created(kid: str) -> date | None:
    try:
        return datetime.strptime(kid[1:9], "%Y%m%d").date()
    except ValueError:
        return None


def key_status(session: Session, actor: Actor, engine: Engine) -> KeyStatus:
    """Which field-encryption keys the ring holds, which is current, rotation progress and the
    past rotations. Key material never leaves the ring."""
    policy.require(actor, "keys.read")
    ring = get_keyring()
    keys = sorted(ring.keys, key=lambda k: (_created(k) or date.min, k), reverse=True)
    rotations = session.execute(
        select(AuditEvent.at, AuditEvent.record_id, AuditEvent.username)
        .where(AuditEvent.action == "key_rotate")
        .order_by(AuditEvent.id.desc())
        .limit(50)
    ).all()
    return KeyStatus(
        [KeyInfo(k, _created(k), k == ring.current) for k in keys],
        ring.rotating,
        rotation.pending(engine, ring),
        [Rotation(_aware(at), kid, by) for at, kid, by in rotations],
        "file" if ring.source is not None else "environment",
    )


@dataclass(frozen=True)
class RetentionStatus:
    period_days: int
    due: dict[str, int]  # rule -> records past their period (that ``apply`` would change)
    held: dict[str, int]  # hold -> persons past their period kept by it
    applied: bool = False


def _split(counts: dict[str, int], applied: bool) -> RetentionStatus:
    held = {
        k.removeprefix("persons_held_"): v
        for k, v in counts.items()
        if k.startswith("persons_held_")
    }
    due = {k: v for k, v in counts.items() if not k.startswith("persons_held_")}
    return RetentionStatus(get_settings().retention_days_person, due, held, applied)


def retention_status(session: Session, actor: Actor) -> RetentionStatus:
    """The dry run: what is due now, and what the holds keep (nothing is changed)."""
    policy.require(actor, "retention.read")
    return _split(retention.run(session, apply=False, actor=actor), False)


def apply_retention(session: Session, actor: Actor) -> RetentionStatus:
    """Anonymise and purge what is due (each anonymisation audited as the actor's)."""
    policy.require(actor, "retention.run")
    return _split(retention.run(session, apply=True, actor=actor), True)
