"""What a case looks like to its agency's staff, and to a partner it was referred to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.cases import access, registry
from safepath.cases.actions import Action, allowed_actions
from safepath.cases.closure import outcome_view
from safepath.cases.hooks import PERSON_SHAREABLE, live_shared_fields
from safepath.cases.referrals import referral_services
from safepath.cases.registry import aware, now
from safepath.errors import NotFound
from safepath.privacy import audit, persons
from safepath.privacy.actor import Actor
from safepath.store.models import Organisation, Service, User
from safepath.store.models.cases import Assessment, Case, FollowUp, Intervention, Referral


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def is_overdue(case: Case) -> bool:
    due = aware(case.next_action_due)
    return due is not None and due < now() and case.status not in ("closed",)


@dataclass(frozen=True)
class CaseView:
    """A case as its agency's staff see it; dates are datetimes (``as_dict`` gives the JSON)."""

    code: str
    person_code: str
    subject: str
    household_size: int | None
    status: str
    thematic_areas: list[str]
    gpc_risks: list[str]
    population_group: str | None
    place_pcode: str | None
    agency: str | None
    team_id: int | None
    caseworker: str | None
    risk_level: str | None
    phase: int | None
    next_action_due: datetime | None
    overdue: bool
    plan_status: str | None
    narrative: str | None
    closure_reason: str | None
    closed_at: datetime | None
    outcome: dict[str, Any] | None
    created_at: datetime | None
    updated_at: datetime | None
    version: int

    def as_dict(self) -> dict[str, Any]:
        # field by field: ``dataclasses.asdict`` deep-copies every list and dict, which was most
        # of the CPU time of a page of the case list
        out = {name: getattr(self, name) for name in _CASE_FIELDS}
        for name in ("next_action_due", "closed_at", "created_at", "updated_at"):
            out[name] = _iso(out[name])
        for name in ("thematic_areas", "gpc_risks"):
            out[name] = list(out[name])
        if out["outcome"] is not None:
            out["outcome"] = dict(out["outcome"])
        return out


_CASE_FIELDS = tuple(f.name for f in fields(CaseView))


def case_rows(
    session: Session, cases: Sequence[Case], names: Mapping[int, registry.Names] | None = None
) -> list[CaseView]:
    """Typed views of many cases with two lookups (usernames, organisations), not one per case;
    none when ``names`` (``CasePage.names``: read with the cases) covers every case."""
    if names is not None and all(c.id in names for c in cases):
        return [_view(c, *names[c.id]) for c in cases]
    user_ids = {c.caseworker_id for c in cases if c.caseworker_id}
    users = (
        dict(session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    orgs = _org_codes(session, {c.organisation_id for c in cases}) if cases else {}
    return [_named(c, users, orgs) for c in cases]


def case_views(
    session: Session, cases: list[Case], names: Mapping[int, registry.Names] | None = None
) -> list[dict[str, Any]]:
    """The JSON form of ``case_rows`` (the API's)."""
    return [v.as_dict() for v in case_rows(session, cases, names)]


def case_view(session: Session, case: Case) -> dict[str, Any]:
    return case_views(session, [case])[0]


def _org_codes(session: Session, needed: Iterable[int | None] = ()) -> dict[int, str]:
    """Organisation codes by id, read once per session (a code never changes), and again when
    one of ``needed`` is missing (an organisation made since)."""
    orgs: dict[int, str] | None = session.info.get("views.org_codes")
    if orgs is None or any(i is not None and i not in orgs for i in needed):
        orgs = dict(session.execute(select(Organisation.id, Organisation.code)).all())
        session.info["views.org_codes"] = orgs
    return orgs


def _named(case: Case, users: dict[int, str], orgs: dict[int, str]) -> CaseView:
    caseworker = users.get(case.caseworker_id) if case.caseworker_id else None
    return _view(case, caseworker, orgs.get(case.organisation_id))


def _view(case: Case, caseworker: str | None, agency: str | None) -> CaseView:
    return CaseView(
        code=case.code,
        person_code=case.person_code,
        subject=case.subject,
        household_size=case.household_size,
        status=case.status,
        thematic_areas=case.thematic_areas,
        gpc_risks=case.gpc_risks,
        population_group=case.population_group,
        place_pcode=case.place_pcode,
        agency=agency,
        team_id=case.team_id,
        caseworker=caseworker,
        risk_level=case.risk_level,
        phase=case.phase,
        next_action_due=aware(case.next_action_due),
        overdue=is_overdue(case),
        plan_status=case.plan_status,
        narrative=case.narrative,
        closure_reason=case.closure_reason,
        closed_at=aware(case.closed_at),
        outcome=outcome_view(case),
        created_at=aware(case.created_at),
        updated_at=aware(case.updated_at),
        version=case.version,
    )


def _shared_value(case: Case, name: str, person: dict[str, Any]) -> Any:
    if name in ("sex", "age", "given_name", "family_name", "phone"):
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


def view_for(
    session: Session, actor: Actor, case: Case, names: registry.Names | None = None
) -> dict[str, Any]:
    """The case as ``actor`` may see it, its read audited; ``names``: from ``read_case``."""
    if actor.role in access.PARTNER:
        return partner_view(session, actor, case)
    audit.record(session, actor, "read", "case", case.code, person_code=case.person_code)
    if names is not None:
        return _view(case, *names).as_dict()
    return case_view(session, case)


# --- the case page: one case with its history, read with a fixed number of queries -----------
@dataclass(frozen=True)
class AssessmentRow:
    seq: int
    threat: float
    vulnerability: float
    capacity: float
    risk: float
    phase: int | None
    case_level: str
    assessed_at: datetime | None
    explanation: dict[str, Any]


@dataclass(frozen=True)
class InterventionRow:
    modality: str
    thematic_area: str
    gpc_risks: list[str]
    rights: list[str]
    responsible_organisation: str | None
    description: str | None
    due_date: date | None
    status: str
    number: int = 0  # its number in the plan (from 1): how progress on it is addressed
    progress_note: str | None = None
    progress_at: datetime | None = None
    progress_by: str | None = None


@dataclass(frozen=True)
class PlanView:
    status: str | None
    approved_at: datetime | None
    interventions: list[InterventionRow]


@dataclass(frozen=True)
class ReferralRow:
    code: str
    service: str  # "<organisation>/<service>"
    status: str
    shared_fields: list[str]
    response_note: str | None
    sent_at: datetime | None
    version: int = 0  # the referral's own version, for a revoke from the case page
    urgency: str | None = None
    completion_note: str | None = None  # the partner's note when the service was delivered
    revoke_note: str | None = None


@dataclass(frozen=True)
class FollowUpRow:
    kind: str
    at: datetime | None
    by: str | None
    note: str | None
    next_due: date | None


@dataclass(frozen=True)
class PersonName:
    code: str
    given_name: str | None
    family_name: str | None
    household_code: str | None = None


@dataclass(frozen=True)
class CaseFile:
    """Everything the case page shows, and what the actor may do next (``actions``)."""

    case: CaseView
    person: PersonName
    history: list[AssessmentRow]
    plan: PlanView
    referrals: list[ReferralRow]
    follow_ups: list[FollowUpRow]
    actions: frozenset[Action]
    caseworkers: list[str]  # who the case may be reassigned to (when reassign is allowed)
    services: list[tuple[str, str]]  # (reference, label) to refer to (when refer is allowed)
    override_consent: bool  # may refer without the person's consent, giving a reason

    @property
    def latest(self) -> AssessmentRow | None:
        return self.history[-1] if self.history else None


def case_file(session: Session, actor: Actor, code: str) -> CaseFile:
    """The case for its agency's staff (partners: ``partner_view``), every read audited."""
    access.require(actor, access.INTERNAL)
    case = registry.get_case(session, actor, code)
    pc = case.person_code
    audit.record(session, actor, "read", "case", case.code, person_code=pc)
    orgs = _org_codes(session, {case.organisation_id})
    users = dict(
        session.execute(
            select(User.id, User.username).where(
                User.id.in_(
                    select(FollowUp.by_user_id).where(FollowUp.case_id == case.id).distinct()
                )
                | User.id.in_(
                    select(Intervention.progress_by_user_id)
                    .where(Intervention.case_id == case.id)
                    .distinct()
                )
                | (User.id == case.caseworker_id)
            )
        ).all()
    )
    rows = session.scalars(
        select(Assessment).where(Assessment.case_id == case.id).order_by(Assessment.seq)
    ).all()
    audit.record(session, actor, "read", "assessment", case.code, person_code=pc)
    person = persons.get(session, actor, pc)  # redacted by the policy, audited
    refs = session.execute(
        select(Referral, Service.code)
        .join(Service, Referral.service_id == Service.id)
        .where(Referral.case_id == case.id)
        .order_by(Referral.id)
    ).all()
    fups = session.scalars(
        select(FollowUp).where(FollowUp.case_id == case.id).order_by(FollowUp.id)
    ).all()
    audit.record(session, actor, "read", "follow_up", case.code, person_code=pc)
    allowed = allowed_actions(session, actor, case)
    return CaseFile(
        case=_named(case, users, orgs),
        person=PersonName(
            pc, person.get("given_name"), person.get("family_name"), person.get("household_code")
        ),
        history=[
            AssessmentRow(
                a.seq,
                a.threat,
                a.vulnerability,
                a.capacity,
                a.risk,
                a.phase,
                a.case_level,
                aware(a.assessed_at),
                a.explanation,
            )
            for a in rows
        ],
        plan=PlanView(
            case.plan_status,
            aware(case.plan_approved_at),
            [
                InterventionRow(
                    i.modality,
                    i.thematic_area,
                    i.gpc_risks,
                    i.rights,
                    orgs.get(i.responsible_organisation_id)
                    if i.responsible_organisation_id
                    else None,
                    i.description,
                    i.due_date,
                    i.status,
                    n,
                    i.progress_note,
                    aware(i.progress_at),
                    users.get(i.progress_by_user_id) if i.progress_by_user_id else None,
                )
                for n, i in enumerate(case.interventions, start=1)
            ],
        ),
        referrals=[
            ReferralRow(
                r.code,
                f"{orgs.get(r.to_organisation_id)}/{svc}",
                r.status,
                r.shared_fields,
                r.response_note,
                aware(r.sent_at),
                r.version,
                r.urgency,
                r.completion_note,
                r.revoke_note,
            )
            for r, svc in refs
        ],
        follow_ups=[
            FollowUpRow(
                f.kind,
                aware(f.at),
                users.get(f.by_user_id) if f.by_user_id else None,
                f.note,
                f.next_due,
            )
            for f in fups
        ],
        actions=allowed,
        caseworkers=(
            registry.assignable_caseworkers(session, actor) if Action.reassign in allowed else []
        ),
        services=referral_services(session) if Action.refer in allowed else [],
        override_consent=Action.refer in allowed and actor.role in access.CONSENT_OVERRIDE,
    )
