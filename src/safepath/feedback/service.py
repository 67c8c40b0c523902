"""Taking and handling complaints: intake, acknowledgement, assignment, response, closure with the
feedback given, recategorisation (PSEA-safe routing) and the case a complaint may become.

Every write names the version it is based on (428 without, 412 when stale), every read of the
free text and every write is audited, and a complaint the caller may not see answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from safepath.cases import clock
from safepath.cases.codes import new_code
from safepath.cases.registry import check_version, flush
from safepath.errors import ConfigurationError, Conflict, NotFound, Problem, ValidationFailed
from safepath.feedback import access, throttle
from safepath.feedback.deadlines import deadlines
from safepath.feedback.schemas import (
    AssignIn,
    CaseReferralIn,
    CategoryIn,
    ClosureIn,
    ComplaintIn,
    ResponseIn,
)
from safepath.framework import catalogue
from safepath.privacy import audit, identity
from safepath.privacy.actor import Actor, Role
from safepath.settings import get_settings
from safepath.store.models import Organisation, Place, User
from safepath.store.models.feedback import Complaint


class Status:
    received = "received"
    acknowledged = "acknowledged"
    responded = "responded"
    closed = "closed"


STATUSES = (Status.received, Status.acknowledged, Status.responded, Status.closed)
OPEN = (Status.received, Status.acknowledged, Status.responded)
PUBLIC = "public"  # the audit trail's name for a person without an account


def now() -> datetime:
    """The recorded time (the real time, or the demo's replayed past: ``cases.clock``)."""
    return clock.now()


def aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def public_actor(agency_id: int, ip: str | None) -> Actor:
    """Who the audit trail names for a complaint sent without an account. Its role is no role of
    the policy ("public"), so it passes no permission check anywhere."""
    return Actor(user_id=0, username=PUBLIC, role=cast(Role, PUBLIC), agency_id=agency_id, ip=ip)


def is_sensitive(category: str) -> bool:
    return bool(catalogue().entry("complaint_categories", category).sensitive)


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _place(session: Session, pcode: str | None) -> str | None:
    if pcode is not None and session.get(Place, pcode) is None:
        message = f"place_pcode: unknown place P-code {pcode!r}"
        raise ValidationFailed(
            message, problems=[Problem(message, scope="body", column="place_pcode", value=pcode)]
        )
    return pcode


def receiving_agency(session: Session, code: str | None) -> int:
    """The agency of a complaint sent without an account: the one named, else the configured
    one (``SAFEPATH_COMPLAINTS_AGENCY``), else the first agency registered."""
    wanted = code or get_settings().complaints_agency
    stmt = select(Organisation.id).where(Organisation.kind == "agency")
    if wanted:
        found = session.scalar(stmt.where(Organisation.code == wanted))
        if found is None:
            message = f"agency: no agency {wanted!r} receives complaints here"
            raise ValidationFailed(
                message, problems=[Problem(message, scope="body", column="agency", value=wanted)]
            )
        return int(found)
    first = session.scalar(stmt.order_by(Organisation.id).limit(1))
    if first is None:
        raise ConfigurationError("no agency is registered to receive complaints")
    return int(first)


def submit(
    session: Session, actor: Actor | None, data: ComplaintIn, *, ip: str | None = None
) -> Complaint:
    """Take a complaint. ``actor`` ``None``: sent without an account (the public form or an
    anonymous API call), counted against the address's flood limit first, in a transaction of its
    own (so call it before writing anything else in ``session``: SQLite has one write lock)."""
    if actor is None:
        throttle.count_public_submission(_engine(session), ip)
        agency_id = receiving_agency(session, data.agency)
        recorder = public_actor(agency_id, ip)
    else:
        # any staff member may record what they were told, for their own agency
        if data.agency is not None:
            raise ValidationFailed("agency: staff record complaints for their own agency only")
        agency_id, recorder = actor.agency_id, actor
    stamp = now()
    due = deadlines().for_category(data.category)
    complaint = Complaint(
        code=new_code("CP"),
        organisation_id=agency_id,
        channel=data.channel,
        category=data.category,
        sensitive=is_sensitive(data.category),
        place_pcode=_place(session, data.place_pcode),
        population_group=data.population_group,
        description=data.description,
        anonymous=data.contact is None,
        contact=data.contact,
        contact_consent=data.contact_consent,
        status=Status.received,
        received_at=stamp,
        acknowledge_due=stamp + timedelta(days=due.acknowledge_days),
        respond_due=stamp + timedelta(days=due.respond_days),
        created_by_user_id=actor.user_id if actor is not None else None,
        updated_at=stamp,
    )
    session.add(complaint)
    flush(session)
    written = ["description", *(["contact"] if data.contact else [])]
    audit.record(
        session, recorder, "create", access.record_type(complaint), complaint.code, fields=written
    )
    return complaint


def get_complaint(session: Session, actor: Actor, code: str) -> Complaint:
    """The complaint if the actor may see it; 404 otherwise, whatever the role (no hint that a
    sensitive complaint exists)."""
    found: Complaint | None = session.scalars(
        access.scope(actor, select(Complaint).where(Complaint.code == code))
    ).first()
    if found is None:
        raise NotFound(f"complaint {code!r} not found")
    return found


@dataclass(frozen=True)
class ComplaintFilter:
    status: str | None = None
    category: str | None = None
    channel: str | None = None
    place: str | None = None  # P-code prefix
    overdue: bool | None = None
    mine: bool = False


def _overdue_condition(at: datetime) -> Any:
    return ((Complaint.status == Status.received) & (Complaint.acknowledge_due < at)) | (
        Complaint.status.in_((Status.received, Status.acknowledged)) & (Complaint.respond_due < at)
    )


def list_complaints(
    session: Session, actor: Actor, f: ComplaintFilter, *, limit: int = 50, offset: int = 0
) -> tuple[int, list[Complaint]]:
    access.require(actor, access.HANDLE)
    stmt = access.scope(actor, select(Complaint))
    if f.status:
        stmt = stmt.where(Complaint.status == f.status)
    if f.category:
        stmt = stmt.where(Complaint.category == f.category)
    if f.channel:
        stmt = stmt.where(Complaint.channel == f.channel)
    if f.place:
        stmt = stmt.where(Complaint.place_pcode.like(f"{f.place}%"))
    if f.mine:
        stmt = stmt.where(Complaint.assigned_to_user_id == actor.user_id)
    if f.overdue is not None:
        late = _overdue_condition(now())
        stmt = stmt.where(late if f.overdue else ~late)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(limit).offset(offset)
    ).all()
    return total, list(rows)


def _write(
    session: Session, actor: Actor, code: str, expected: int | None, allowed: tuple[str, ...]
) -> Complaint:
    complaint = get_complaint(session, actor, code)
    access.require(actor, access.HANDLE)
    check_version(complaint, expected)
    if complaint.status not in allowed:
        raise Conflict(
            f"complaint {code} is {complaint.status}: this step needs it {' or '.join(allowed)}"
        )
    return complaint


def _done(session: Session, actor: Actor, complaint: Complaint, fields: list[str]) -> Complaint:
    complaint.updated_at = now()
    flush(session)
    audit.record(
        session, actor, "update", access.record_type(complaint), complaint.code, fields=fields
    )
    return complaint


def acknowledge(session: Session, actor: Actor, code: str, expected: int | None) -> Complaint:
    complaint = _write(session, actor, code, expected, (Status.received,))
    complaint.status = Status.acknowledged
    complaint.acknowledged_at = now()
    return _done(session, actor, complaint, ["status", "acknowledged_at"])


def _assignee(session: Session, actor: Actor, complaint: Complaint, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.organisation_id != actor.agency_id or user.disabled:
        raise ValidationFailed(f"assignee: no active user {username!r} in your agency")
    if complaint.sensitive and user.role != Role.psea_focal_point.value:
        raise ValidationFailed(
            f"assignee: a sensitive complaint goes to a PSEA focal point only, not to "
            f"{username!r} ({user.role})"
        )
    if user.role not in {r.value for r in access.HANDLE}:
        raise ValidationFailed(f"assignee: {username!r} is a {user.role} and handles no complaints")
    return user


def assign(
    session: Session, actor: Actor, code: str, data: AssignIn, expected: int | None
) -> Complaint:
    access.require(actor, access.ASSIGN)
    complaint = _write(session, actor, code, expected, OPEN)
    complaint.assigned_to_user_id = _assignee(session, actor, complaint, data.assignee).id
    return _done(session, actor, complaint, ["assigned_to"])


def respond(
    session: Session, actor: Actor, code: str, data: ResponseIn, expected: int | None
) -> Complaint:
    complaint = _write(session, actor, code, expected, (Status.received, Status.acknowledged))
    stamp = now()
    if complaint.acknowledged_at is None:
        complaint.acknowledged_at = stamp  # an answer acknowledges too
    complaint.status = Status.responded
    complaint.response = data.response
    complaint.responded_at = stamp
    return _done(session, actor, complaint, ["status", "response"])


def close(
    session: Session, actor: Actor, code: str, data: ClosureIn, expected: int | None
) -> Complaint:
    complaint = _write(session, actor, code, expected, (Status.acknowledged, Status.responded))
    complaint.status = Status.closed
    complaint.feedback_given = data.feedback_given
    complaint.closed_at = now()
    return _done(session, actor, complaint, ["status", "feedback_given"])


def recategorise(
    session: Session, actor: Actor, code: str, data: CategoryIn, expected: int | None
) -> Complaint:
    """Correct the category. Anyone handling the complaint may route it to a sensitive category
    (it then leaves their sight, and an assignee who is not a PSEA focal point is removed); only
    the PSEA focal point sees, and so can move, a sensitive one."""
    complaint = _write(session, actor, code, expected, OPEN)
    assignee_role = None
    if complaint.assigned_to_user_id is not None:  # read before any change: one UPDATE only
        assignee_role = session.scalar(
            select(User.role).where(User.id == complaint.assigned_to_user_id)
        )
    complaint.category = data.category
    complaint.sensitive = is_sensitive(data.category)
    due = deadlines().for_category(data.category)
    received = aware(complaint.received_at) or now()
    complaint.acknowledge_due = received + timedelta(days=due.acknowledge_days)
    complaint.respond_due = received + timedelta(days=due.respond_days)
    fields = ["category"]
    if complaint.sensitive and assignee_role not in (None, Role.psea_focal_point.value):
        complaint.assigned_to_user_id = None
        fields.append("assigned_to")
    return _done(session, actor, complaint, fields)


def _case_opener(session: Session, actor: Actor, data: CaseReferralIn) -> Actor:
    """Who registers the person and opens the case: case staff themselves; for the PSEA focal
    point, the caseworker or supervisor it names, whose case it becomes. The case's own audit
    trail then names that colleague, not the PSEA focal point: a case opened by the PSEA focal
    point would tell every reader of the case's trail that a sensitive complaint lies behind it.
    The PSEA focal point's act is audited on the complaint (withheld with the sensitive ones)."""
    if actor.role in access.CASE_STAFF:
        return actor
    if not data.caseworker:
        raise ValidationFailed(
            "caseworker: name the caseworker or supervisor of your agency who takes the case",
            problems=[Problem("required", scope="body", column="caseworker")],
        )
    user = session.scalar(select(User).where(User.username == data.caseworker))
    staff = {r.value for r in access.CASE_STAFF}
    if (
        user is None
        or user.organisation_id != actor.agency_id
        or user.disabled
        or user.role not in staff
    ):
        message = (
            f"caseworker: no active caseworker or supervisor {data.caseworker!r} in your agency"
        )
        raise ValidationFailed(
            message,
            problems=[Problem(message, scope="body", column="caseworker", value=data.caseworker)],
        )
    return identity.actor_for(user, ip=actor.ip)


def refer_to_case(
    session: Session, actor: Actor, code: str, data: CaseReferralIn, expected: int | None
) -> tuple[Complaint, str]:
    """A complaint revealing a protection risk becomes a case: the person is registered with
    their consent to case management and their case opened (``cases.intake``), in one unit of
    work with the link. Nothing of the complaint's text is copied into the case; from a
    sensitive complaint not even its code, category, place or group (only what the referral
    gives, which the person agreed to share)."""
    from safepath.cases import intake
    from safepath.cases.schemas import CaseDetailsIn
    from safepath.privacy.person_schema import ConsentIn, PersonIn

    access.require(actor, access.REFER)
    complaint = _write(session, actor, code, expected, OPEN)
    if complaint.case_code is not None:
        raise Conflict(f"complaint {code} already became case {complaint.case_code}")
    opener = _case_opener(session, actor, data)
    if complaint.sensitive:
        place, group, narrative = data.place_pcode, data.population_group, data.shared_summary
    else:
        place = data.place_pcode or complaint.place_pcode
        group = data.population_group or complaint.population_group
        narrative = " ".join(
            [
                f"Opened from complaint {complaint.code}.",
                *([data.shared_summary] if data.shared_summary else []),
            ]
        )
    person = PersonIn(
        given_name=data.given_name,
        sex=data.sex,
        age=data.age,
        place_pcode=_place(session, place),
        population_group=group,
        consents=[ConsentIn(purpose="case_management")],
    )
    details = CaseDetailsIn(
        thematic_areas=data.thematic_areas,
        gpc_risks=data.gpc_risks,
        population_group=group,
        place_pcode=place,
        narrative=narrative,
        caseworker=data.caseworker if actor.role in access.CASE_STAFF else None,
    )
    case = intake.register_and_open(session, opener, person, details)
    complaint.case_code = case.code
    _done(session, actor, complaint, ["case_code"])
    return complaint, case.code
