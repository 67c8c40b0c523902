"""Synthetic demo cases: about 2,000 cases across thematic areas and the Meridia places, with
realistic histories — baseline assessments scored by the real risk engine, plans approved by a
supervisor, referrals answered by the partners, follow-ups, reassessments and closures with
mixed outcomes.

Every step goes through the same services a user calls (``safepath.cases.registry``,
``assessments``, ``plans``, ``referrals``, ``followups``, ``closure``), as the acting demo user:
a caseworker registers, assesses, plans, refers, follows up and requests closure; the supervisor
approves plans and closures; the receiving partner's focal point accepts, completes or declines
referrals. So the demo's rows pass the same rules (consent, lifecycle, versions) and every step
is in the audit chain. Nothing here writes case rows or statuses itself.

Histories are dated in the past: each step is replayed at its own time with
``safepath.cases.clock.at`` (a case opened 5 to 360 days ago, assessed that day, planned within
days, ...); steps that would fall after today have not happened yet and are left out, so some
referrals still wait for an answer and some closures for approval. Record timestamps are the
replayed times; audit events keep the real time they were written (see ``cases.clock``), and
persons and consents are registered at load time. Open cases mostly have a recent contact with
the next one planned, so the work list shows a realistic share of overdue cases.

Deterministic (seeded) and idempotent: a second run finds the cases and adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safepath.cases import (
    assessments,
    clock,
    closure,
    followups,
    interventions,
    plans,
    referrals,
    registry,
)
from safepath.cases.schemas import (
    CaseIn,
    ClosureIn,
    DeclineIn,
    FollowUpIn,
    InterventionIn,
    InterventionProgressIn,
    PlanIn,
    ReferralAnswer,
    ReferralIn,
)
from safepath.errors import ConfigurationError
from safepath.privacy import audit, identity, persons
from safepath.privacy.actor import Actor, Role
from safepath.privacy.demo import demo_password
from safepath.privacy.person_schema import ConsentIn, PersonIn
from safepath.settings import get_settings
from safepath.store.models import Organisation, Place, Service, User
from safepath.store.models.cases import Case
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


SHARED_FIELDS = ["sex", "age", "population_group", "place_pcode", "thematic_areas", "risk_level"]
OVERRIDE_REASON = "Imminent risk to life: the supervisor refers without consent to share."
# Of the cases the demo refers: what the partner does with the referral.
ANSWERS = ["none", "accept", "complete", "decline"]
ANSWER_WEIGHTS = [15, 25, 50, 10]


@dataclass
class _World:
    agency_id: int
    caseworkers: list[Actor]
    supervisor: Actor
    places: list[str]
    services: dict[str, list[str]]  # thematic area -> ["<organisation>/<service>"]
    partners: dict[str, Actor]  # partner organisation code -> its focal point


def _actor(user: User) -> Actor:
    return identity.actor_for(user)


def _world(session: Session) -> _World:
    agency_id = session.scalar(select(Organisation.id).where(Organisation.code == AGENCY))
    if agency_id is None:
        raise RuntimeError("demo organisations are not loaded: run load_demo() first")
    users = session.scalars(
        select(User)
        .where(
            User.organisation_id == agency_id,
            User.role.in_(["caseworker", "supervisor"]),
            User.disabled.is_(False),
        )
        .order_by(User.id)
    ).all()
    caseworkers = [_actor(u) for u in users if u.role == "caseworker"]
    supervisor = next((_actor(u) for u in users if u.role == "supervisor"), None)
    if not caseworkers or supervisor is None:
        raise RuntimeError(
            "the demo agency needs a caseworker and a supervisor: create the demo users first "
            "(safepath.privacy.demo.ensure_demo_users)"
        )
    places = sorted(
        session.scalars(select(Place.pcode).where(Place.level == 2, Place.country == "XMR"))
    )
    services: dict[str, list[str]] = {}
    rows = session.execute(
        select(Service.thematic_area, Organisation.code, Service.code)
        .join(Organisation, Service.organisation_id == Organisation.id)
        .where(Organisation.kind == "partner")
        .order_by(Service.id)
    )
    for area, org_code, svc_code in rows:
        services.setdefault(area, []).append(f"{org_code}/{svc_code}")
    return _World(agency_id, caseworkers, supervisor, places, services, {})


def _partner_focal_points(session: Session, world: _World) -> None:
    """The focal point who answers referrals for each partner organisation with services; one
    is created (``partner-<organisation>``, demo password) where the organisation has none."""
    codes = sorted({ref.partition("/")[0] for refs in world.services.values() for ref in refs})
    for code in codes:
        user = session.scalars(
            select(User)
            .join(Organisation, User.organisation_id == Organisation.id)
            .where(
                Organisation.code == code,
                User.role == Role.partner_focal_point.value,
                User.disabled.is_(False),
            )
            .order_by(User.id)
        ).first()
        if user is None:
            if get_settings().environment == "production":
                raise ConfigurationError("demo users are refused in production")
            username = f"partner-{code}"
            password = demo_password(username)
            user = identity.add_user(  # published demo credentials: no strength policy
                session,
                username,
                Role.partner_focal_point,
                code,
                password,
                check_strength=False,
            )
        world.partners[code] = _actor(user)


def _at(day: datetime, rng: random.Random, hours: tuple[int, int] = (8, 17)) -> datetime:
    """A time in working hours on ``day``."""
    return datetime.combine(day.date(), time(rng.randint(*hours), rng.randint(0, 59)), UTC)


Step = tuple[datetime, int, Callable[[], None]]


def load_demo_cases(
    session: Session,
    n: int = DEFAULT_CASES,
    *,
    seed: int = SEED,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create ``n`` demo cases unless the demo agency already has cases; returns how many were
    created (0 when already loaded). ``now`` is the "today" the histories lead up to (default:
    the real time; never later)."""
    wire()
    world = _world(session)
    existing = session.scalar(
        select(func.count(Case.id)).where(Case.organisation_id == world.agency_id)
    )
    if existing:
        return 0
    _partner_focal_points(session, world)
    rng = random.Random(seed)
    today = now or datetime.now(UTC)
    themes = list(THEMES)
    for i in range(n):
        worker = world.caseworkers[i % len(world.caseworkers)]
        _Story(session, rng, world, worker, themes, today).play()
        if progress and (i + 1) % 100 == 0:
            progress(100)
    if progress and n % 100:
        progress(n % 100)
    audit.record(session, world.supervisor, "create", "demo_cases", None, fields=["count"])
    return n


@dataclass
class _Ref:
    """A referral the story makes: the service, then the code and version it was given (the
    version the partner last saw: its answers name it, like the API's If-Match)."""

    service: str
    code: str = ""
    version: int = 1


class _Story:
    """One case's history: the steps with their (past) times, played in time order."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        world: _World,
        worker: Actor,
        themes: list[str],
        today: datetime,
    ) -> None:
        self.s, self.rng, self.world, self.worker, self.today = session, rng, world, worker, today
        self.steps: list[Step] = []
        self.case: Case | None = None  # once registered
        self.level = "low"  # the latest assessment's case level
        self.closure_reason: str | None = None
        self.age = rng.choices(
            [rng.randint(8, 17), rng.randint(18, 59), rng.randint(60, 80)], [18, 74, 8]
        )[0]
        self.sex = rng.choices(["female", "male", "other"], [54, 45, 1])[0]
        self.group = rng.choices(GROUPS, GROUP_WEIGHTS)[0]
        self.pcode = rng.choice(world.places)
        self.shares = rng.random() < 0.85  # consent to share data by referral
        theme = rng.choices(themes, THEME_WEIGHTS)[0]
        extra = rng.choice(themes) if rng.random() < 0.25 else theme
        self.areas = list(dict.fromkeys([theme, extra]))
        self.risks = sorted({r for a in self.areas for r in THEMES[a][0]})
        self._plot()

    # --- the plot: what happens when -----------------------------------------------------
    def _add(self, when: datetime, do: Callable[[], None]) -> datetime:
        self.steps.append((when, len(self.steps), do))
        return when

    def _plot(self) -> None:
        rng, today = self.rng, self.today
        opened_day = today - timedelta(days=rng.randint(5, 360))
        age_days = (today - opened_day).days
        opened = self._add(_at(opened_day, rng, (8, 15)), self._register)
        severity = rng.betavariate(2.2, 2.0)
        self._add(opened + timedelta(minutes=rng.randint(10, 90)), self._assess(severity))
        if rng.random() < 0.06 or age_days < 7:
            return  # newly assessed, no plan yet (some overdue)
        planned = _at(opened_day + timedelta(days=rng.randint(1, 5)), rng)
        items = self._plan_items(planned)
        self._add(planned, self._set_plan(items))
        approved = self._add(planned + timedelta(hours=rng.randint(1, 28)), self._approve_plan)
        if rng.random() < 0.6:
            self._plot_referral(approved)
        for k in range(rng.randint(0, 2)):
            at = approved + timedelta(days=7 * (k + 1), hours=rng.randint(0, 6))
            self._add(
                at,
                self._follow_up(rng.choice(["visit", "call", "review"]), at + timedelta(days=14)),
            )
        closing = age_days > 60 and rng.random() < 0.55
        reassessed = age_days > 45 and rng.random() < 0.6
        if closing and not reassessed:  # no outcome to measure: the closure needs a reason
            self.closure_reason = rng.choices(CLOSURE_REASONS, REASON_WEIGHTS)[0]
        if reassessed:
            # improving cases are the majority; some stay put or get worse
            drift = rng.choices([-0.5, -0.25, 0.0, 0.15], [45, 25, 20, 10])[0]
            later = max(0.0, min(1.0, severity + drift + rng.uniform(-0.1, 0.1)))
            day = opened_day + timedelta(days=rng.randint(30, max(31, age_days - 5)))
            again = self._add(_at(day, rng), self._assess(later))
            if closing:
                # the reassessment finds the plan carried out: the caseworker marks it done
                # and the supervisor approves the updated plan
                done = [item.model_copy(update={"status": "done"}) for item in items]
                edited = self._add(
                    again + timedelta(minutes=rng.randint(5, 60)), self._set_plan(done)
                )
                self._add(edited + timedelta(hours=rng.randint(2, 48)), self._approve_plan)
        last = max(when for when, _, _ in self.steps if when <= today)
        if closing:
            review = last + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))
            if not reassessed:
                # a case closes only with its plan carried out or called off: each intervention
                # is marked before the review (no random draw, so the rest of the story holds)
                for n in range(1, len(items) + 1):
                    self._add(review - timedelta(hours=1, minutes=n), self._finish(n))
            self._add(review, self._follow_up("review", None))
            requested = self._add(
                review + timedelta(hours=rng.randint(1, 72)), self._request_closure
            )
            self._add(requested + timedelta(hours=rng.randint(2, 96)), self._approve_closure)
        elif rng.random() < 0.85:
            # a recent contact, the next one planned: the work list is mostly up to date
            contact = max(
                last + timedelta(hours=2),
                today - timedelta(days=rng.randint(1, 13), hours=rng.randint(0, 12)),
            )
            nxt = today + timedelta(days=rng.randint(1, 14))
            self._add(contact, self._follow_up(rng.choice(["visit", "call"]), nxt))

    def _plan_items(self, planned: datetime) -> list[InterventionIn]:
        items = []
        for _ in range(self.rng.choices([1, 2, 3], [50, 35, 15])[0]):
            area = self.rng.choice(self.areas)
            items.append(
                InterventionIn(
                    modality=self.rng.choices(MODALITIES, MODALITY_WEIGHTS)[0],
                    thematic_area=area,
                    gpc_risks=THEMES[area][0],
                    rights=THEMES[area][1],
                    responsible_organisation=AGENCY,
                    due_date=(planned + timedelta(days=30)).date(),
                )
            )
        return items

    def _plot_referral(self, approved: datetime) -> None:
        rng = self.rng
        options = [s for a in self.areas for s in self.world.services.get(a, [])] or [
            s for refs in self.world.services.values() for s in refs
        ]
        if not options:
            return
        service = rng.choice(options)
        answer = rng.choices(ANSWERS, ANSWER_WEIGHTS)[0]
        override = not self.shares and rng.random() < 0.25
        if not self.shares and not override:
            return  # no consent to share: no referral
        ref = _Ref(service)
        sent = self._add(
            approved + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5)),
            self._refer(ref, override),
        )
        if answer == "none":
            return
        answered = sent + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6))
        if answer == "decline":
            self._add(answered, self._partner(ref, "decline"))
            return
        self._add(answered, self._partner(ref, "accept"))
        if answer == "complete":
            self._add(answered + timedelta(days=rng.randint(7, 30)), self._partner(ref, "complete"))

    # --- playing it through the services ---------------------------------------------------
    def play(self) -> None:
        for when, _, do in sorted(self.steps, key=lambda step: step[:2]):
            if when > self.today:
                break  # not happened yet (and neither has anything after it)
            with clock.at(when):
                do()

    @property
    def code(self) -> str:
        assert self.case is not None
        return self.case.code

    @property
    def version(self) -> int:
        """The version the actor last saw (If-Match): the services check it like the API's."""
        assert self.case is not None
        return self.case.version

    def _register(self) -> None:
        consents = [ConsentIn(purpose="case_management")]
        if self.shares:
            consents.append(ConsentIn(purpose="referral_sharing"))
        if self.age < 18:
            consents = [
                ConsentIn(purpose=c.purpose, given_by="guardian", child_assent=True)
                for c in consents
            ]
        person = persons.create(
            self.s,
            self.worker,
            PersonIn(
                sex=self.sex,
                age=self.age,
                population_group=self.group,
                place_pcode=self.pcode,
                consents=consents,
            ),
        )
        case = registry.create_case(
            self.s,
            self.worker,
            CaseIn(
                person_code=person["code"],
                thematic_areas=self.areas,
                gpc_risks=self.risks,
                population_group=self.group,
                place_pcode=self.pcode,
            ),
        )
        self.case = case

    def _assess(self, severity: float) -> Callable[[], None]:
        # drawn now (in plot order), so the seeded history does not depend on the replay
        answers = synthetic_answers(
            self.rng, self.pcode, severity, age=self.age, sex=self.sex, group=self.group
        )

        def do() -> None:
            done = assessments.record_assessment(
                self.s, self.worker, self.code, answers, self.version
            )
            self.level = done.case_level

        return do

    def _set_plan(self, items: list[InterventionIn]) -> Callable[[], None]:
        def do() -> None:
            plan = PlanIn(interventions=items)
            plans.set_plan(self.s, self.worker, self.code, plan, self.version)

        return do

    def _approve_plan(self) -> None:
        plans.approve_plan(self.s, self.world.supervisor, self.code, self.version)

    def _refer(self, ref: _Ref, override: bool) -> Callable[[], None]:
        actor = self.world.supervisor if override else self.worker

        def do() -> None:
            data = ReferralIn(
                service=ref.service,
                shared_fields=SHARED_FIELDS,
                reason="Demo referral.",
                urgency=self.level if self.level in ("high", "medium", "low") else "low",
                override_reason=OVERRIDE_REASON if override else None,
            )
            sent = referrals.refer(self.s, actor, self.code, data, self.version)
            ref.code, ref.version = sent.code, sent.version

        return do

    def _partner(self, ref: _Ref, action: str) -> Callable[[], None]:
        focal_point = self.world.partners[ref.service.partition("/")[0]]

        def do() -> None:
            if action == "accept":
                moved = referrals.accept(
                    self.s, focal_point, ref.code, ReferralAnswer(), ref.version
                )
            elif action == "complete":
                note = ReferralAnswer(note="Service provided.")
                moved = referrals.complete(self.s, focal_point, ref.code, note, ref.version)
            else:
                reason = DeclineIn(reason="Not eligible for this service.")
                moved = referrals.decline(self.s, focal_point, ref.code, reason, ref.version)
            ref.version = moved.version

        return do

    def _follow_up(self, kind: str, next_due: datetime | None) -> Callable[[], None]:
        due: date | None = next_due.date() if next_due else None
        data = FollowUpIn(kind=kind, note="Demo follow-up note.", next_due=due)

        def do() -> None:
            followups.record_follow_up(self.s, self.worker, self.code, data, self.version)

        return do

    def _finish(self, number: int) -> Callable[[], None]:
        """Done when the case closes with its outcome measured; otherwise (lost contact,
        relocated, …) cancelled, with the reason as its note."""
        reason = self.closure_reason
        data = InterventionProgressIn(
            status="cancelled" if reason else "done",
            note=f"Closed early: {reason}." if reason else "Delivered.",
        )

        def do() -> None:
            interventions.record_progress(
                self.s, self.worker, self.code, number, data, self.version
            )

        return do

    def _request_closure(self) -> None:
        data = ClosureIn(reason=self.closure_reason)  # no reason: the outcome is measured
        closure.request_closure(self.s, self.worker, self.code, data, self.version)

    def _approve_closure(self) -> None:
        closure.approve_closure(self.s, self.world.supervisor, self.code, self.version)


def _work_contacts(session: Session) -> None:
    """Case staff get a (fictitious) work contact, so partners see how to reach them; a contact
    someone set is kept."""
    staff = session.scalars(
        select(User)
        .where(User.role.in_(registry.CASE_STAFF_ROLES), User.work_email.is_(None))
        .order_by(User.id)
    )
    for user in staff:
        user.work_email = f"{user.username}@demo-agency.example"
        user.work_phone = f"+999 555 {user.id:04d}"


def load(n: int = DEFAULT_CASES) -> list[str]:
    """Entry point for ``safepath demo``: demo users (one per role), then the demo cases.
    Call after ``safepath.demo.load_demo()`` (places, organisations, services)."""
    from safepath.privacy.demo import ensure_demo_users
    from safepath.store.db import session_scope

    with session_scope() as session:
        users = ensure_demo_users(session)
        _work_contacts(session)
    with session_scope() as session:
        created = load_demo_cases(session, n)
    with session_scope() as session:
        total = session.scalar(select(func.count(Case.id))) or 0
        closed = session.scalar(select(func.count(Case.id)).where(Case.status == "closed")) or 0
        partners = session.execute(
            select(User.username, Organisation.code)
            .join(Organisation, User.organisation_id == Organisation.id)
            .where(User.username.like("partner-%"), User.role == Role.partner_focal_point.value)
            .order_by(User.username)
        ).all()
    users += [(u, demo_password(u), Role.partner_focal_point.value, org) for u, org in partners]
    lines = [
        f"cases: {total} ({closed} closed)" + ("" if created else " (already loaded)"),
        "users (username / password / role):",
    ]
    lines += [f"  {u} / {p} / {r} ({a})" for u, p, r, a in users]
    return lines
