"""Referrals to directory services.

Sharing needs the person's consent ``referral_sharing``; without it a referral is refused with
the reason, unless a supervisor records why it must go anyway (the override reason is stored
encrypted and audited). The sender chooses the fields shared; the receiving partner focal point
sees those fields only. Withdrawing consent revokes every open referral of the person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from safepath.cases import access
from safepath.cases.codes import new_code
from safepath.cases.plans import mark_in_progress
from safepath.cases.registry import check_version, flush, get_case, now, work_on
from safepath.cases.schemas import DeclineIn, ReferralAnswer, ReferralIn
from safepath.errors import Forbidden, NotFound, ValidationFailed
from safepath.privacy import audit, consent
from safepath.privacy.actor import Actor, Role
from safepath.store.models import Organisation, Service, User
from safepath.store.models.cases import Case, Referral

OPEN_STATES = ("sent", "accepted")
IDENTIFYING = frozenset({"given_name", "family_name", "phone"})  # shared only with consent
# referral action -> (statuses it is allowed from, resulting status)
MOVES = {
    "accept": (("sent",), "accepted"),
    "decline": (("sent",), "declined"),
    "complete": (("accepted",), "completed"),
    "revoke": (OPEN_STATES, "revoked"),
}


def _service(session: Session, ref: str) -> Service:
    org_code, _, svc_code = ref.partition("/")
    svc = session.scalar(
        select(Service)
        .join(Organisation, Service.organisation_id == Organisation.id)
        .where(Organisation.code == org_code, Service.code == svc_code)
    )
    if svc is None:
        raise ValidationFailed(
            f"no service {ref!r} in the directory (use '<organisation>/<service>' codes)"
        )
    return svc


def referral_services(session: Session) -> list[tuple[str, str]]:
    """Every service of the directory a case may be referred to (other agencies' too), as
    (reference for ``ReferralIn.service``, label), by label."""
    rows = session.execute(
        select(Service.code, Service.name, Organisation.code).join(
            Organisation, Service.organisation_id == Organisation.id
        )
    ).all()
    return sorted((f"{org}/{code}", f"{name} ({org})") for code, name, org in rows)


def refer(
    session: Session, actor: Actor, code: str, data: ReferralIn, expected_version: int | None
) -> Referral:
    case, _ = work_on(session, actor, code, "refer", expected_version)
    svc = _service(session, data.service)
    consented = consent.has_consent(session, case.person_id, "referral_sharing")
    if not consented:
        if data.override_reason is None:
            raise ValidationFailed(
                f"person {case.person_code} has not consented to sharing data by referral "
                "(purpose referral_sharing): record the consent first, or a supervisor may "
                "refer with an override_reason"
            )
        if actor.role not in access.CONSENT_OVERRIDE:
            raise Forbidden(
                f"role '{actor.role}' may not refer without consent; ask a supervisor to "
                "record the override"
            )
    elif data.override_reason is not None:
        raise ValidationFailed("the person consented: an override_reason is not needed")
    named = [f for f in data.shared_fields if f in IDENTIFYING]
    if named and not consented:
        raise ValidationFailed(
            f"{', '.join(named)}: a person's name and phone go to a partner only with their "
            "consent to share (purpose referral_sharing), never on an override"
        )
    referral = Referral(
        code=new_code("RF"),
        case_id=case.id,
        service_id=svc.id,
        to_organisation_id=svc.organisation_id,
        shared_fields=list(dict.fromkeys(data.shared_fields)),
        status="sent",
        reason=data.reason,
        urgency=data.urgency,
        consent_override_reason=data.override_reason,
        sent_by_user_id=actor.user_id,
        sent_at=now(),
    )
    session.add(referral)
    mark_in_progress(case)
    case.updated_at = now()
    flush(session)
    fields = ["shared_fields", *referral.shared_fields]
    if data.override_reason is not None:
        fields.append("consent_override_reason")
    audit.record(
        session,
        actor,
        "export",  # data leaves the agency for a partner
        "referral",
        referral.code,
        person_code=case.person_code,
        fields=fields,
    )
    return referral


def case_referrals(session: Session, actor: Actor, code: str) -> tuple[Case, list[Referral]]:
    access.require(actor, access.INTERNAL)
    case = get_case(session, actor, code)
    return case, list(case.referrals)


def _get(session: Session, actor: Actor, referral_code: str) -> Referral:
    referral = session.scalar(select(Referral).where(Referral.code == referral_code))
    if referral is None:
        raise NotFound(f"referral {referral_code!r} not found")
    if actor.role is Role.partner_focal_point:
        if referral.to_organisation_id != actor.agency_id or not _still_shared(
            session, actor, referral
        ):
            raise NotFound(f"referral {referral_code!r} not found")
    else:
        get_case(session, actor, referral.case.code)  # 404 outside the sender's scope
    return referral


def get_referral(session: Session, actor: Actor, referral_code: str) -> Referral:
    referral = _get(session, actor, referral_code)
    if actor.role is Role.partner_focal_point and referral.status not in access.PARTNER_VISIBLE:
        raise NotFound(f"referral {referral_code!r} not found")
    return referral


def inbox(
    session: Session, actor: Actor, status: str | None = None, limit: int = 50, offset: int = 0
) -> list[Referral]:
    """Referrals addressed to the partner's organisation (declined and revoked drop out)."""
    access.require(actor, access.PARTNER | access.SUPERVISE)
    stmt = select(Referral).where(Referral.to_organisation_id == actor.agency_id)
    visible = [status] if status else list(access.PARTNER_VISIBLE)
    if actor.role is Role.partner_focal_point:
        visible = [s for s in visible if s in access.PARTNER_VISIBLE]
    stmt = stmt.where(Referral.status.in_(visible))
    # the cases come with the page (one query), and so do the services (kept in the session,
    # where ``referral_view`` finds them): no query per referral
    rows = list(
        session.scalars(
            stmt.options(selectinload(Referral.case))
            .order_by(Referral.sent_at.desc(), Referral.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    if rows:
        services = session.scalars(
            select(Service).where(Service.id.in_({r.service_id for r in rows}))
        )
        session.info.setdefault("referrals.services", {}).update({s.id: s for s in services})
    if actor.role is Role.partner_focal_point:
        sharing = consent.consenting(
            session,
            {r.case.person_id for r in rows if r.consent_override_reason is None},
            "referral_sharing",
        )
        return [
            r for r in rows if r.consent_override_reason is not None or r.case.person_id in sharing
        ]
    return rows


def _still_shared(session: Session, actor: Actor, referral: Referral) -> bool:
    """Consent to share withdrawn (and no override): the partner no longer sees the referral."""
    return referral.consent_override_reason is not None or consent.has_consent(
        session, referral.case.person_id, "referral_sharing"
    )


def _move(
    session: Session,
    actor: Actor,
    referral_code: str,
    action: str,
    expected_version: int | None,
    note: str | None,
) -> Referral:
    if action == "revoke":
        if actor.role is Role.partner_focal_point:
            raise Forbidden("only the sending agency may revoke a referral")
        access.require(actor, access.WORK)
    else:
        access.require(actor, access.PARTNER)
    referral = _get(session, actor, referral_code)
    check_version(referral, expected_version)
    allowed, target = MOVES[action]
    if referral.status not in allowed:
        raise ValidationFailed(
            f"cannot {action} a referral in status '{referral.status}'"
            + (": accept it first" if action == "complete" and referral.status == "sent" else "")
        )
    referral.status = target
    stamp = now()
    if action in ("accept", "decline"):
        referral.responded_at = stamp
        referral.responded_by_user_id = actor.user_id
    if action == "complete":
        referral.completed_at = stamp
    if action == "revoke":
        referral.revoked_at = stamp
    if note is not None:  # each answer keeps its own note: the sender reads them all
        if action == "complete":
            referral.completion_note = note
        elif action == "revoke":
            referral.revoke_note = note
        else:
            referral.response_note = note
    flush(session)
    audit.record(
        session,
        actor,
        "update",
        "referral",
        referral.code,
        person_code=referral.case.person_code,
        fields=["status"],
    )
    return referral


def accept(
    session: Session, actor: Actor, code: str, data: ReferralAnswer, version: int | None
) -> Referral:
    return _move(session, actor, code, "accept", version, data.note)


def decline(
    session: Session, actor: Actor, code: str, data: DeclineIn, version: int | None
) -> Referral:
    return _move(session, actor, code, "decline", version, data.reason)


def complete(
    session: Session, actor: Actor, code: str, data: ReferralAnswer, version: int | None
) -> Referral:
    return _move(session, actor, code, "complete", version, data.note)


def revoke(
    session: Session, actor: Actor, code: str, data: ReferralAnswer, version: int | None
) -> Referral:
    return _move(session, actor, code, "revoke", version, data.note)


def revoke_for_withdrawn_consent(session: Session, actor: Actor, person_id: int) -> int:
    """Consent to share was withdrawn: stop sharing (open referrals given under that consent are
    revoked, so partners no longer see them). Returns how many were revoked."""
    rows: Sequence[Referral] = session.scalars(
        select(Referral)
        .join(Case, Referral.case_id == Case.id)
        .where(
            Case.person_id == person_id,
            Referral.status.in_(OPEN_STATES),
            Referral.consent_override_reason.is_(None),
        )
    ).all()
    stamp = now()
    for referral in rows:
        referral.status = "revoked"
        referral.revoked_at = stamp
        audit.record(
            session,
            actor,
            "update",
            "referral",
            referral.code,
            person_code=referral.case.person_code,
            fields=["status", "consent_withdrawn"],
        )
    flush(session)
    return len(rows)


def _org_codes(session: Session, needed: int) -> dict[int, str]:
    """Organisation codes by id, read once per session (a list of referrals shows many), and
    again when an organisation is missing (one made since)."""
    orgs: dict[int, str] | None = session.info.get("referrals.org_codes")
    if orgs is None or needed not in orgs:
        orgs = dict(session.execute(select(Organisation.id, Organisation.code)).all())
        session.info["referrals.org_codes"] = orgs
    return orgs


def _sender(session: Session, user_id: int | None) -> dict[str, str | None] | None:
    """Who sent the referral and how the partner reaches them (a work contact, staff data)."""
    if user_id is None:
        return None
    known: dict[int, dict[str, str | None]] = session.info.setdefault("referrals.senders", {})
    if user_id not in known:
        row = session.execute(
            select(User.username, User.work_phone, User.work_email).where(User.id == user_id)
        ).one_or_none()
        if row is None:
            return None
        known[user_id] = {"username": row[0], "work_phone": row[1], "work_email": row[2]}
    return known[user_id]


def referral_view(session: Session, referral: Referral) -> dict[str, Any]:
    svc = session.info.get("referrals.services", {}).get(referral.service_id) or session.get(
        Service, referral.service_id
    )
    orgs = _org_codes(session, referral.to_organisation_id)
    return {
        "code": referral.code,
        "case": referral.case.code,
        "service": f"{orgs.get(referral.to_organisation_id)}/{svc.code if svc else '?'}",
        "to_organisation": orgs.get(referral.to_organisation_id),
        "status": referral.status,
        "shared_fields": referral.shared_fields,
        "reason": referral.reason,
        "urgency": referral.urgency,
        "consent_override": referral.consent_override_reason is not None,
        "response_note": referral.response_note,
        "completion_note": referral.completion_note,
        "revoke_note": referral.revoke_note,
        "sent_by": _sender(session, referral.sent_by_user_id),
        "sent_at": referral.sent_at.isoformat() if referral.sent_at else None,
        "responded_at": referral.responded_at.isoformat() if referral.responded_at else None,
        "completed_at": referral.completed_at.isoformat() if referral.completed_at else None,
        "version": referral.version,
    }
