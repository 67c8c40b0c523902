"""What a case looks like to its agency's staff, and to a partner it was referred to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.cases import access
from safepath.cases.closure import outcome_view
from safepath.cases.hooks import PERSON_SHAREABLE, live_shared_fields
from safepath.cases.registry import aware, now
from safepath.errors import NotFound
from safepath.privacy import audit, persons
from safepath.privacy.actor import Actor
from safepath.store.models import Organisation, User
from safepath.store.models.cases import Case, Referral


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def is_overdue(case: Case) -> bool:
    due = aware(case.next_action_due)
    return due is not None and due < now() and case.status not in ("closed",)


def case_views(session: Session, cases: list[Case]) -> list[dict[str, Any]]:
    """Full views of many cases with two lookups (usernames, organisations), not one per case."""
    user_ids = {c.caseworker_id for c in cases if c.caseworker_id}
    users = (
        dict(session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    orgs = dict(session.execute(select(Organisation.id, Organisation.code)).all())
    return [_view(c, users, orgs) for c in cases]


def case_view(session: Session, case: Case) -> dict[str, Any]:
    return case_views(session, [case])[0]


def _view(case: Case, users: dict[int, str], orgs: dict[int, str]) -> dict[str, Any]:
    return {
        "code": case.code,
        "person_code": case.person_code,
        "subject": case.subject,
        "household_size": case.household_size,
        "status": case.status,
        "thematic_areas": case.thematic_areas,
        "gpc_risks": case.gpc_risks,
        "population_group": case.population_group,
        "place_pcode": case.place_pcode,
        "agency": orgs.get(case.organisation_id),
        "team_id": case.team_id,
        "caseworker": users.get(case.caseworker_id) if case.caseworker_id else None,
        "risk_level": case.risk_level,
        "phase": case.phase,
        "next_action_due": _iso(aware(case.next_action_due)),
        "overdue": is_overdue(case),
        "plan_status": case.plan_status,
        "narrative": case.narrative,
        "closure_reason": case.closure_reason,
        "closed_at": _iso(aware(case.closed_at)),
        "outcome": outcome_view(case),
        "created_at": _iso(aware(case.created_at)),
        "updated_at": _iso(aware(case.updated_at)),
        "version": case.version,
    }


def _shared_value(case: Case, name: str, person: dict[str, Any]) -> Any:
    if name in ("sex", "age"):
        return person.get(name)
    if name == "latest_assessment":
        if not case.assessments:
            return None
        a = case.assessments[-1]
        return {
            "threat": a.threat,
            "vulnerability": a.vulnerability,
            "capacity": a.capacity,
            "risk": a.risk,
            "phase": a.phase,
            "case_level": a.case_level,
            "assessed_at": _iso(aware(a.assessed_at)),
        }
    return getattr(case, name)


def partner_view(session: Session, actor: Actor, case: Case) -> dict[str, Any]:
    """Only the fields the sender chose to share, from the live referrals to the partner's
    agency, and only while the person's consent to share stands (or was overridden)."""
    referrals = session.scalars(
        select(Referral.code).where(
            Referral.case_id == case.id,
            Referral.to_organisation_id == actor.agency_id,
            Referral.status.in_(access.PARTNER_VISIBLE),
        )
    ).all()
    fields = live_shared_fields(session, actor, [case.id])
    if not referrals or not fields:
        raise NotFound(f"case {case.code!r} not found")
    person: dict[str, Any] = {}
    if fields & PERSON_SHAREABLE:
        person = persons.get(session, actor, case.person_code)  # redacted + audited
    view: dict[str, Any] = {"code": case.code, "referrals": list(referrals)}
    view["shared_fields"] = sorted(fields)
    for name in sorted(fields):
        view[name] = _shared_value(case, name, person)
    audit.record(
        session, actor, "read", "case", case.code, person_code=case.person_code, fields=fields
    )
    return view


def view_for(session: Session, actor: Actor, case: Case) -> dict[str, Any]:
    if actor.role in access.PARTNER:
        return partner_view(session, actor, case)
    audit.record(session, actor, "read", "case", case.code, person_code=case.person_code)
    return case_view(session, case)
