"""Synthetic demo cases: about 2,000 cases across thematic areas and the Meridia places, with
realistic histories — baseline assessments scored by the real risk engine, plans, referrals,
follow-ups, reassessments and closures with mixed outcomes.

Deterministic (seeded) and idempotent: a second run finds the cases and adds nothing. Persons go
through the person service (consent, encryption, audit); the case history is then written in bulk
with the ORM, which is what keeps a full load within seconds.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safepath.cases.assessments import apply_risk
from safepath.cases.codes import new_code
from safepath.cases.instruments import instrument
from safepath.cases.outcome import measure, record_outcome
from safepath.privacy import audit, persons
from safepath.privacy.actor import Actor, Role
from safepath.privacy.person_schema import ConsentIn, PersonIn
from safepath.store.models import Organisation, Place, Service, Team, User
from safepath.store.models.cases import Assessment, Case, FollowUp, Intervention, Referral
from safepath.wiring import wire

AGENCY = "demo-agency"
DEFAULT_CASES = 2000
SEED = 20231

# thematic area -> GPC risks it typically addresses, and rights
THEMES: dict[str, tuple[list[str], list[str]]] = {
    "counter_trafficking": (["trafficking_forced_labour"], ["freedom_from_slavery"]),
    "gbv": (["gbv", "psychological_abuse"], ["health", "right_to_life"]),
    "child_protection": (["family_separation", "child_marriage"], ["family_life", "education"]),
    "legal_identity": (["legal_identity_justice"], ["access_to_justice"]),
    "alternatives_to_detention": (["abduction_detention"], ["freedom_of_movement"]),
    "health_mhpss": (["psychological_abuse"], ["health"]),
    "hlp": (["theft_extortion_eviction"], ["decent_work_living"]),
    "xenophobia_racism": (["discrimination_denial"], ["non_discrimination"]),
    "migrant_workers": (
        ["trafficking_forced_labour", "theft_extortion_eviction"],
        ["decent_work_living"],
    ),
    "mine_risk_education": (["explosive_ordnance"], ["right_to_life"]),
}
THEME_WEIGHTS = [14, 18, 16, 12, 8, 12, 8, 5, 5, 2]
MODALITIES = ["preventive", "responsive", "remedial", "environment_building"]
MODALITY_WEIGHTS = [25, 45, 22, 8]
GROUPS = ["migrant", "idp", "refugee", "asylum_seeker", "returnee", "migrant_worker", "stateless"]
GROUP_WEIGHTS = [30, 25, 12, 10, 10, 10, 3]
CLOSURE_REASONS = ["lost_contact", "relocated", "consent_withdrawn", "other", "deceased"]
REASON_WEIGHTS = [50, 25, 10, 13, 2]
YN = ("yes", "no")
FREQ = ("never", "sometimes", "often", "always")
PARTLY = ("yes", "partly", "no")  # capacity questions: yes is good
THREATS = [
    "physical_violence",
    "theft_extortion",
    "eviction",
    "discrimination",
    "detention",
    "sexual_violence",
    "forced_labour",
    "trafficking",
    "family_separation",
    "torture",
]


def synthetic_answers(
    rng: random.Random, pcode: str, severity: float, *, age: int, sex: str, group: str
) -> dict[str, Any]:
    """A complete, valid screening submission; ``severity`` in [0, 1] drives how bad it is."""

    def bad(p: float = 1.0) -> bool:
        return rng.random() < severity * p

    def freq() -> str:
        return FREQ[min(3, int(severity * 4 * rng.random() + (0.6 if bad() else 0)))]

    def cap() -> str:
        return PARTLY[min(2, int(severity * 3 * rng.random() + (0.5 if bad(0.6) else 0)))]

    threats = sorted({t for t in THREATS if bad(0.25)})
    answers: dict[str, Any] = {
        "adm1_pcode": pcode[:4],
        "adm2_pcode": pcode,
        "consent": "yes",
        "resp_age": age,
        "resp_sex": sex,
        "nationality": rng.choice(["SDN", "ERI", "SOM", "AFG", "SYR", "VEN", "STATELESS"]),
        "pop_group": group,
        "hh_size": rng.randint(1, 8),
        "migration_stage": rng.choice(["transit", "destination", "destination", "return"]),
        "documents": rng.choices(
            ["valid", "expired", "none", "held_by_other"],
            [1 - severity, severity / 2, severity / 3, severity / 6],
        )[0],
        "movement_restricted": "yes" if bad(0.5) else "no",
        "detained": "yes" if bad(0.2) else "no",
        "threats_experienced": " ".join(threats) if threats else "none",
        "threat_to_life": "yes" if bad(0.12) else "no",
        "gbv_concern": freq() if sex == "female" else "never",
        "eviction_threat": "yes" if bad(0.4) else "no",
        "extortion": "yes" if bad(0.35) else "no",
        "forced_work": "yes" if bad(0.2) else "no",
        "debt_bondage": "yes" if bad(0.15) else "no",
        "child_married": "no",
        "child_recruited": "no",
        "eo_nearby": "yes" if bad(0.1) else "no",
        "discrimination": freq(),
        "psych_abuse": freq(),
        "distress": freq(),
        "safe_shelter": cap(),
        "income": rng.choices(["regular", "irregular", "none"], [1 - severity, 0.6, severity])[0],
        "support_network": cap(),
        "services_access": cap(),
        "info_access": cap(),
    }
    for d in ("seeing", "hearing", "mobility", "cognition", "self_care", "communication"):
        answers[f"wg_{d}"] = (
            rng.choice(["some_difficulty", "a_lot_of_difficulty"]) if bad(0.15) else "no_difficulty"
        )
    if age < 18:
        answers["resp_unaccompanied"] = "yes" if bad(0.3) else "no"
    return answers


@dataclass
class _World:
    agency_id: int
    caseworkers: list[Actor]
    supervisor_id: int | None
    teams: list[int]
    places: list[str]
    services: dict[str, list[tuple[int, int]]]  # thematic area -> [(service id, org id)]
    partner_ids: list[int]


def _world(session: Session) -> _World:
    agency_id = session.scalar(select(Organisation.id).where(Organisation.code == AGENCY))
    if agency_id is None:
        raise RuntimeError("demo organisations are not loaded: run load_demo() first")
    teams = list(session.scalars(select(Team.id).where(Team.organisation_id == agency_id)))
    users = session.scalars(
        select(User).where(
            User.organisation_id == agency_id, User.role.in_(["caseworker", "supervisor"])
        )
    ).all()
    caseworkers = [
        Actor(u.id, u.username, Role(u.role), agency_id, frozenset(t.id for t in u.teams))
        for u in users
        if u.role == "caseworker"
    ]
    if not caseworkers:
        raise RuntimeError(
            "no caseworker in the demo agency: create the demo users first "
            "(safepath.privacy.demo.ensure_demo_users)"
        )
    supervisor = next((u.id for u in users if u.role == "supervisor"), None)
    places = list(
        session.scalars(select(Place.pcode).where(Place.level == 2, Place.country == "XMR"))
    )
    services: dict[str, list[tuple[int, int]]] = {}
    for svc in session.scalars(
        select(Service).join(Organisation).where(Organisation.kind == "partner")
    ):
        services.setdefault(svc.thematic_area, []).append((svc.id, svc.organisation_id))
    partners = list(session.scalars(select(Organisation.id).where(Organisation.kind == "partner")))
    return _World(agency_id, caseworkers, supervisor, teams, sorted(places), services, partners)


def _at(day: datetime, rng: random.Random, hours: tuple[int, int] = (8, 17)) -> datetime:
    return datetime.combine(day.date(), time(rng.randint(*hours), rng.randint(0, 59)), UTC)


def load_demo_cases(
    session: Session,
    n: int = DEFAULT_CASES,
    *,
    seed: int = SEED,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create ``n`` demo cases unless the demo agency already has cases; returns how many were
    created (0 when already loaded)."""
    wire()
    world = _world(session)
    existing = session.scalar(
        select(func.count(Case.id)).where(Case.organisation_id == world.agency_id)
    )
    if existing:
        return 0
    rng = random.Random(seed)
    today = now or datetime.now(UTC)
    model = instrument().model
    themes = list(THEMES)
    # Persons first (through the person service), then the case histories in bulk: keeping
    # the two apart avoids autoflushing a growing graph on every person-service query.
    people = [
        _person(session, rng, world.caseworkers[i % len(world.caseworkers)], world)
        for i in range(n)
    ]
    if progress:
        progress(n // 2)
    with session.no_autoflush:
        for i, person in enumerate(people):
            _one_case(session, rng, world, person, themes, today, model)
            if (i + 1) % 500 == 0:
                session.flush()
    if progress:
        progress(n - n // 2)
    session.flush()
    if world.caseworkers:
        audit.record(session, world.caseworkers[0], "create", "demo_cases", None, fields=["count"])
    return n


@dataclass(frozen=True)
class _Person:
    worker: Actor
    id: int
    code: str
    age: int
    sex: str
    group: str
    pcode: str


def _person(session: Session, rng: random.Random, worker: Actor, world: _World) -> _Person:
    age = rng.choices([rng.randint(8, 17), rng.randint(18, 59), rng.randint(60, 80)], [18, 74, 8])
    sex = rng.choices(["female", "male", "other"], [54, 45, 1])[0]
    group = rng.choices(GROUPS, GROUP_WEIGHTS)[0]
    pcode = rng.choice(world.places)
    consents = [ConsentIn(purpose="case_management")]
    if rng.random() < 0.85:
        consents.append(ConsentIn(purpose="referral_sharing"))
    data = PersonIn(
        sex=sex, age=age[0], population_group=group, place_pcode=pcode, consents=consents
    )
    person = persons.create(session, worker, data)
    ref = persons.resolve(session, worker, person["code"])
    return _Person(worker, ref.id, ref.code, age[0], sex, group, pcode)


def _one_case(
    session: Session,
    rng: random.Random,
    world: _World,
    p: _Person,
    themes: list[str],
    today: datetime,
    model: Any,
) -> None:
    worker, age, sex, group, pcode = p.worker, p.age, p.sex, p.group, p.pcode
    theme = rng.choices(themes, THEME_WEIGHTS)[0]
    extra = rng.choice(themes) if rng.random() < 0.25 else theme
    areas = list(dict.fromkeys([theme, extra]))
    risks = sorted({r for a in areas for r in THEMES[a][0]})
    opened = today - timedelta(days=rng.randint(5, 360))
    case = Case(
        code=new_code("CS"),
        person_id=p.id,
        person_code=p.code,
        subject="individual",
        organisation_id=world.agency_id,
        team_id=min(worker.team_ids) if worker.team_ids else None,
        caseworker_id=worker.user_id,
        created_by_user_id=worker.user_id,
        status="registered",
        thematic_areas=areas,
        gpc_risks=risks,
        population_group=group,
        place_pcode=pcode,
        created_at=opened,
        updated_at=opened,
    )
    session.add(case)
    severity = rng.betavariate(2.2, 2.0)
    baseline = _assess(
        rng, case, 1, pcode, severity, age, sex, group, _at(opened, rng), model, worker
    )
    case.assessments.append(baseline)
    apply_risk(case, baseline)
    case.status = "assessed"
    age_days = (today - opened).days
    if rng.random() < 0.1 or age_days < 7:
        return  # newly assessed, no plan yet (some overdue)
    plan_day = opened + timedelta(days=rng.randint(1, 5))
    n_items = rng.choices([1, 2, 3], [50, 35, 15])[0]
    for _ in range(n_items):
        area = rng.choice(areas)
        case.interventions.append(
            Intervention(
                modality=rng.choices(MODALITIES, MODALITY_WEIGHTS)[0],
                thematic_area=area,
                gpc_risks=THEMES[area][0],
                rights=THEMES[area][1],
                responsible_organisation_id=world.agency_id,
                due_date=(plan_day + timedelta(days=30)).date(),
                status="planned",
            )
        )
    case.plan_status, case.plan_approved_at = "approved", plan_day
    case.plan_approved_by_user_id = world.supervisor_id
    case.status = "plan_approved"
    if rng.random() < 0.6:
        _refer(rng, world, case, areas, plan_day, today, worker)
    for k in range(rng.randint(0, 3)):
        at = plan_day + timedelta(days=7 * (k + 1))
        if at >= today:
            break
        case.follow_ups.append(
            FollowUp(
                kind=rng.choice(["visit", "call", "review"]),
                note="Demo follow-up note.",
                next_due=(at + timedelta(days=14)).date(),
                by_user_id=worker.user_id,
                at=at,
            )
        )
        case.status = "in_progress"
    stage = rng.random()
    if age_days > 45 and stage < 0.6:
        # improving cases are the majority; some stay put or get worse
        drift = rng.choices([-0.5, -0.25, 0.0, 0.15], [45, 25, 20, 10])[0]
        later = max(0.0, min(1.0, severity + drift + rng.uniform(-0.1, 0.1)))
        re_at = _at(opened + timedelta(days=rng.randint(30, max(31, age_days - 5))), rng)
        again = _assess(rng, case, 2, pcode, later, age, sex, group, re_at, model, worker)
        case.assessments.append(again)
        apply_risk(case, again)
        for item in case.interventions:
            item.status = "done"
        case.status = "in_progress"
    if age_days > 60 and rng.random() < 0.55:
        _close(rng, world, case, today)
    if case.status != "closed" and rng.random() < 0.7:
        case.next_action_due = today + timedelta(hours=rng.randint(2, 14 * 24))  # work planned
    case.updated_at = max(
        [
            case.created_at,
            *(a.assessed_at for a in case.assessments),
            *(f.at for f in case.follow_ups),
        ]
    )


def _assess(
    rng: random.Random,
    case: Case,
    seq: int,
    pcode: str,
    severity: float,
    age: int,
    sex: str,
    group: str,
    at: datetime,
    model: Any,
    worker: Actor,
) -> Assessment:
    answers = synthetic_answers(rng, pcode, severity, age=age, sex=sex, group=group)
    result = instrument().score(answers, pcode)
    return Assessment(
        seq=seq,
        answers=json.dumps(answers, sort_keys=True),
        place_pcode=pcode,
        threat=result.threat,
        vulnerability=result.vulnerability,
        capacity=result.capacity,
        risk=result.risk,
        phase=result.phase,
        case_level=result.case_level,
        explanation=result.explanation,
        model_id=model.id,
        model_version=str(model.version),
        instrument_id=instrument().id,
        form_id=instrument().form_id,
        assessed_by_user_id=worker.user_id,
        assessed_at=at,
    )


def _refer(
    rng: random.Random,
    world: _World,
    case: Case,
    areas: list[str],
    day: datetime,
    today: datetime,
    worker: Actor,
) -> None:
    options = [s for a in areas for s in world.services.get(a, [])] or [
        s for lst in world.services.values() for s in lst
    ]
    if not options:
        return
    service_id, org_id = rng.choice(options)
    status = rng.choices(["sent", "accepted", "completed", "declined"], [15, 25, 50, 10])[0]
    sent = day + timedelta(days=1)
    case.referrals.append(
        Referral(
            code=new_code("RF"),
            service_id=service_id,
            to_organisation_id=org_id,
            shared_fields=[
                "sex",
                "age",
                "population_group",
                "place_pcode",
                "thematic_areas",
                "risk_level",
            ],
            status=status,
            reason="Demo referral.",
            urgency=case.risk_level if case.risk_level != "none" else "low",
            sent_by_user_id=worker.user_id,
            sent_at=sent,
            responded_at=None if status == "sent" else sent + timedelta(days=2),
            completed_at=sent + timedelta(days=20) if status == "completed" else None,
            response_note="Not eligible for this service." if status == "declined" else None,
        )
    )
    case.status = "in_progress"


def _close(rng: random.Random, world: _World, case: Case, today: datetime) -> None:
    outcome = measure(list(case.assessments))
    last = max(a.assessed_at for a in case.assessments)
    closed = min(today - timedelta(days=1), last + timedelta(days=rng.randint(3, 20)))
    case.status = "closed"
    case.closure_requested_at = closed - timedelta(days=1)
    case.closed_at = closed
    case.closed_by_user_id = world.supervisor_id
    case.next_action_due = None
    record_outcome(case, outcome)
    if outcome is None:
        case.closure_reason = rng.choices(CLOSURE_REASONS, REASON_WEIGHTS)[0]


def load(n: int = DEFAULT_CASES) -> list[str]:
    """Entry point for ``safepath demo``: demo users (one per role), then the demo cases.
    Call after ``safepath.demo.load_demo()`` (places, organisations, services)."""
    from safepath.privacy.demo import ensure_demo_users
    from safepath.store.db import session_scope

    with session_scope() as session:
        users = ensure_demo_users(session)
    with session_scope() as session:
        created = load_demo_cases(session, n)
    with session_scope() as session:
        total = session.scalar(select(func.count(Case.id))) or 0
        closed = session.scalar(select(func.count(Case.id)).where(Case.status == "closed")) or 0
    lines = [
        f"cases: {total} ({closed} closed)" + ("" if created else " (already loaded)"),
        "users (username / password / role):",
    ]
    lines += [f"  {u} / {p} / {r} ({a})" for u, p, r, a in users]
    return lines
