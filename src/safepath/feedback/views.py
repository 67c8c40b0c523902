"""What a complaint looks like to those who handle it: a row for lists (no free text, so listing
reads no personal data) and the full record (its free text read and audited)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.feedback import access, service
from safepath.feedback.service import OPEN, Status, aware, now
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.store.models import User
from safepath.store.models.feedback import Complaint

_DATES = (
    "received_at",
    "acknowledge_due",
    "respond_due",
    "acknowledged_at",
    "responded_at",
    "closed_at",
)


def _iso(value: datetime | None) -> str | None:
    return aware(value).isoformat() if value is not None else None  # type: ignore[union-attr]


def is_overdue(c: Complaint, at: datetime | None = None) -> bool:
    at = at or now()
    ack, respond = aware(c.acknowledge_due), aware(c.respond_due)
    if c.status == Status.received and ack is not None and ack < at:
        return True
    return (
        c.status in (Status.received, Status.acknowledged)
        and respond is not None
        and (respond < at)
    )


@dataclass(frozen=True)
class ComplaintRow:
    code: str
    channel: str
    category: str
    sensitive: bool
    place_pcode: str | None
    population_group: str | None
    status: str
    anonymous: bool
    received_at: datetime
    acknowledge_due: datetime
    respond_due: datetime
    acknowledged_at: datetime | None
    responded_at: datetime | None
    closed_at: datetime | None
    overdue: bool
    assigned_to: str | None
    case_code: str | None
    version: int

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in _DATES:
            out[name] = _iso(out[name])
        return out


@dataclass(frozen=True)
class ComplaintView(ComplaintRow):
    """The full record: the free text and the contact (given with consent)."""

    description: str | None
    contact: str | None
    contact_consent: bool
    response: str | None
    feedback_given: str | None
    actions: tuple[str, ...]


def _usernames(session: Session, rows: Sequence[Complaint]) -> dict[int, str]:
    ids = {c.assigned_to_user_id for c in rows if c.assigned_to_user_id}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def _row_fields(c: Complaint, users: dict[int, str]) -> dict[str, Any]:
    return {
        "code": c.code,
        "channel": c.channel,
        "category": c.category,
        "sensitive": c.sensitive,
        "place_pcode": c.place_pcode,
        "population_group": c.population_group,
        "status": c.status,
        "anonymous": c.anonymous,
        "received_at": aware(c.received_at),
        "acknowledge_due": aware(c.acknowledge_due),
        "respond_due": aware(c.respond_due),
        "acknowledged_at": aware(c.acknowledged_at),
        "responded_at": aware(c.responded_at),
        "closed_at": aware(c.closed_at),
        "overdue": is_overdue(c),
        "assigned_to": users.get(c.assigned_to_user_id) if c.assigned_to_user_id else None,
        "case_code": c.case_code,
        "version": c.version,
    }


def rows(session: Session, complaints: Sequence[Complaint]) -> list[ComplaintRow]:
    users = _usernames(session, complaints)
    return [ComplaintRow(**_row_fields(c, users)) for c in complaints]


def allowed_actions(actor: Actor, c: Complaint) -> tuple[str, ...]:
    """The steps the form offers (the services check them again)."""
    if actor.role not in access.HANDLE or c.status not in OPEN:
        return ()
    out = []
    if c.status == Status.received:
        out.append("acknowledge")
    if c.status in (Status.received, Status.acknowledged):
        out.append("respond")
    if c.status in (Status.acknowledged, Status.responded):
        out.append("close")
    if actor.role in access.ASSIGN:
        out.append("assign")
    out.append("recategorise")
    if actor.role in access.REFER and c.case_code is None:
        out.append("refer")
    return tuple(out)


def view(session: Session, actor: Actor, c: Complaint) -> ComplaintView:
    """The full record, audited as a read of its free text."""
    users = _usernames(session, [c])
    shown = [
        n
        for n in ("description", "contact", "response", "feedback_given")
        if getattr(c, n) is not None
    ]
    audit.record(session, actor, "read", access.record_type(c), c.code, fields=shown)
    return ComplaintView(
        **_row_fields(c, users),
        description=c.description,
        contact=c.contact,
        contact_consent=c.contact_consent,
        response=c.response,
        feedback_given=c.feedback_given,
        actions=allowed_actions(actor, c),
    )


def read(session: Session, actor: Actor, code: str) -> ComplaintView:
    return view(session, actor, service.get_complaint(session, actor, code))


REGISTER_COLUMNS = (
    "code",
    "received_at",
    "channel",
    "category",
    "place_pcode",
    "population_group",
    "status",
    "acknowledge_due",
    "acknowledged_at",
    "respond_due",
    "responded_at",
    "closed_at",
    "overdue",
    "case_code",
)


def export_register(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The complaints register the actor may see, without free text or contacts (an export of
    codes and dates), audited as an export."""
    access.require(actor, access.EXPORT)
    found = session.scalars(
        access.scope(actor, select(Complaint)).order_by(Complaint.received_at, Complaint.id)
    ).all()
    out = [{k: r.as_dict()[k] for k in REGISTER_COLUMNS} for r in rows(session, found)]
    audit.record(session, actor, "export", "complaint", None, fields=REGISTER_COLUMNS)
    return out


def assignees(session: Session, actor: Actor, sensitive: bool) -> list[str]:
    """Who a complaint of the actor's agency may be assigned to (what ``service.assign`` takes):
    for a sensitive one, PSEA focal points only."""
    roles = access.SENSITIVE if sensitive else access.HANDLE
    return list(
        session.scalars(
            select(User.username)
            .where(
                User.organisation_id == actor.agency_id,
                User.role.in_([r.value for r in roles]),
                User.disabled.is_(False),
            )
            .order_by(User.username)
        )
    )


def case_takers(session: Session, actor: Actor) -> list[str]:
    """Who may take a case opened from a complaint (what ``service.refer_to_case`` takes as
    ``caseworker``): the agency's active caseworkers and supervisors."""
    return list(
        session.scalars(
            select(User.username)
            .where(
                User.organisation_id == actor.agency_id,
                User.role.in_([r.value for r in access.CASE_STAFF]),
                User.disabled.is_(False),
            )
            .order_by(User.username)
        )
    )
