"""Demo accountability data: complaints and feedback (a few sensitive ones, handled by the PSEA
focal point), advocacy issues with duty bearers, and projects with two mainstreaming
self-assessments each, so the pages and reports are real on first start.

Every step goes through the services a user calls, as the acting demo user, at its own past time
(``safepath.cases.clock.at``): received, acknowledged, answered and closed days apart. Deterministic
(seeded) and idempotent: a second run finds the demo agency's complaints and adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safepath.advocacy import service as advocacy
from safepath.advocacy.schemas import ActionIn, IssueIn, StatusIn
from safepath.cases import clock
from safepath.feedback import service
from safepath.feedback.schemas import AssignIn, ClosureIn, ComplaintIn, ResponseIn
from safepath.framework import catalogue
from safepath.mainstreaming import service as mainstreaming
from safepath.mainstreaming.schemas import AssessmentIn, ProjectIn
from safepath.privacy import identity
from safepath.privacy.actor import Actor
from safepath.store.models import Organisation, User
from safepath.store.models.advocacy import AdvocacyIssue
from safepath.store.models.feedback import Complaint
from safepath.store.models.mainstreaming import Project

AGENCY = "demo-agency"
SEED = 16
PLACES = ("XM0101", "XM0102", "XM0201", "XM0202", "XM0301", "XM0401")
# (channel, category, what was said, what was answered); the public form's are sent anonymously
COMPLAINTS: list[tuple[str, str, str, str]] = [
    (
        "hotline",
        "assistance_quality",
        "The hygiene kits ran out before our block.",
        "Extra kits delivered.",
    ),
    (
        "help_desk",
        "access_exclusion",
        "My family was left off the distribution list.",
        "Registered after verification.",
    ),
    (
        "suggestion_box",
        "suggestion_appreciation",
        "Please hold distributions in the morning, before the heat.",
        "Distributions moved to 8am.",
    ),
    (
        "community_meeting",
        "information_request",
        "When will the legal aid clinic come back?",
        "Every second Tuesday, announced at the centre.",
    ),
    (
        "hotline",
        "information_request",
        "How do I replace a lost registration card?",
        "Explained the replacement at the help desk.",
    ),
    (
        "help_desk",
        "assistance_quality",
        "The water point has been broken for a week.",
        "Repaired by the WASH partner.",
    ),
    (
        "community_meeting",
        "access_exclusion",
        "Older people cannot queue for hours.",
        "A priority line was opened.",
    ),
    (
        "web_form",
        "suggestion_appreciation",
        "Thank you for the interpreters at the clinic.",
        "Shared with the team.",
    ),
    (
        "web_form",
        "safety_protection_concern",
        "Girls are harassed on the way to the latrines at night.",
        "Lighting installed; protection team informed.",
    ),
    (
        "hotline",
        "safety_protection_concern",
        "A neighbour threatens to evict families who complain.",
        "Referred to the HLP partner.",
    ),
    (
        "suggestion_box",
        "other",
        "The notice board is only in one language.",
        "Notices now in three languages.",
    ),
    (
        "help_desk",
        "information_request",
        "Where can children register for school?",
        "Given the education desk's hours.",
    ),
]
SENSITIVE: list[tuple[str, str, str]] = [
    (
        "hotline",
        "sexual_exploitation_abuse",
        "A volunteer asked for sex in exchange for a ration card.",
    ),
    ("web_form", "fraud_corruption", "Ration cards are being sold at the gate."),
    ("help_desk", "staff_misconduct", "A guard insults and pushes people in the queue."),
]


def _actor(session: Session, role: str) -> Actor:
    user = session.scalar(
        select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(Organisation.code == AGENCY, User.role == role, User.disabled.is_(False))
        .order_by(User.id)
    )
    if user is None:
        raise RuntimeError(f"the demo agency has no {role}: create the demo users first")
    return identity.actor_for(user)


def _at(day: datetime, rng: random.Random) -> datetime:
    return day.replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59), second=0, microsecond=0)


def _replay(
    session: Session,
    rng: random.Random,
    recorder: Actor | None,
    handler: Actor,
    supervisor: Actor,
    data: ComplaintIn,
    answer: str | None,
    days_ago: int,
) -> None:
    today = datetime.now(UTC)
    received = _at(today - timedelta(days=days_ago), rng)
    if recorder is None:
        # the public intake counts the address in a transaction of its own: on SQLite it waits
        # for this session's write lock, so commit what came before
        session.commit()
    with clock.at(received):
        c = service.submit(session, recorder, data, ip="demo-form" if recorder is None else None)
    code = c.code
    steps: list[tuple[datetime, Callable[[], object]]] = []
    ack = received + timedelta(days=rng.choice((0, 1, 1, 2, 4)), hours=2)
    steps.append((ack, lambda: service.acknowledge(session, handler, code, c.version)))
    if rng.random() < 0.5:
        steps.append(
            (
                ack + timedelta(hours=1),
                lambda: service.assign(
                    session, supervisor, code, AssignIn(assignee=handler.username), c.version
                ),
            )
        )
    if answer:
        answered = ack + timedelta(days=rng.randint(1, 9))
        steps.append(
            (
                answered,
                lambda: service.respond(
                    session, handler, code, ResponseIn(response=answer), c.version
                ),
            )
        )
        closed = answered + timedelta(days=rng.randint(0, 5))
        steps.append(
            (
                closed,
                lambda: service.close(
                    session,
                    handler,
                    code,
                    ClosureIn(feedback_given=f"Told the person: {answer}"),
                    c.version,
                ),
            )
        )
    for when, step in steps:
        if when >= datetime.now(UTC):
            break  # not happened yet: the complaint waits for it
        with clock.at(when):
            step()


def load_demo_complaints(session: Session, seed: int = SEED) -> int:
    """Create the demo complaints unless the demo agency has some; returns how many were made."""
    agency_id = session.scalar(select(Organisation.id).where(Organisation.code == AGENCY))
    if agency_id is None:
        raise RuntimeError("demo organisations are not loaded: run load_demo() first")
    if session.scalar(
        select(func.count(Complaint.id)).where(Complaint.organisation_id == agency_id)
    ):
        return 0
    rng = random.Random(seed)
    caseworker = _actor(session, "caseworker")
    supervisor = _actor(session, "supervisor")
    psea = _actor(session, "psea_focal_point")
    made = 0
    for round_ in range(2):  # two rounds: enough complaints for the reports' cells
        for channel, category, said, answer in COMPLAINTS:
            public = channel == "web_form"
            data = ComplaintIn(
                channel=channel,
                category=category,
                description=said,
                place_pcode=rng.choice(PLACES),
                population_group=rng.choice(("idp", "migrant", "refugee", "host_community")),
                contact=None
                if public or rng.random() < 0.4
                else f"+000 555 {rng.randint(1000, 9999)}",
                contact_consent=not public,
            )
            days_ago = rng.randint(3, 150) if round_ == 0 else rng.randint(0, 40)
            final = answer if days_ago > 12 or rng.random() < 0.3 else None
            recorder = None if public else caseworker
            _replay(session, rng, recorder, caseworker, supervisor, data, final, days_ago)
            made += 1
    for channel, category, said in SENSITIVE:
        public = channel == "web_form"
        data = ComplaintIn(
            channel=channel,
            category=category,
            description=said,
            place_pcode=rng.choice(PLACES),
            contact=None if public else "+000 555 0199",
            contact_consent=not public,
        )
        answer = "Investigation opened; survivor referred to assistance with consent."
        _replay(
            session,
            rng,
            None if public else caseworker,
            psea,
            psea,
            data,
            answer,
            rng.randint(10, 90),
        )
        made += 1
    return made


# (title, duty bearer, level, rights, GPC risks, areas, actions (kind, days ago, what, response),
# final status)
ISSUES: list[
    tuple[
        str, str, str, list[str], list[str], list[str], list[tuple[str, int, str, str | None]], str
    ]
] = [
    (
        "Checkpoints delay patients on the road to the district hospital",
        "Provincial governor, northern province",
        "local",
        ["freedom_of_movement", "health"],
        ["movement_restrictions"],
        ["XM0101", "XM0102"],
        [
            ("meeting", 120, "Raised the delays with the governor's office.", "Asked for cases."),
            ("letter", 90, "Sent anonymised figures on delayed referrals.", None),
            ("meeting", 30, "Agreed a medical pass at two checkpoints.", "Passes issued."),
        ],
        "achieved",
    ),
    (
        "Birth registration closed to displaced families",
        "Ministry of Interior, civil registry department",
        "national",
        ["access_to_justice", "family_life"],
        ["legal_identity_justice"],
        ["XM02"],
        [
            ("joint_statement", 75, "Protection cluster statement on legal identity.", None),
            ("letter", 40, "Requested mobile registration days.", "Under review."),
        ],
        "in_progress",
    ),
    (
        "Deportation of migrants without screening at the border",
        "Regional migration commission",
        "regional",
        ["non_refoulement", "access_to_justice"],
        ["abduction_detention", "movement_restrictions"],
        ["XM04"],
        [("meeting", 20, "Briefed the commission on screening for protection needs.", None)],
        "in_progress",
    ),
    (
        "Evictions from informal settlements",
        "Municipality of the eastern district",
        "local",
        ["decent_work_living"],
        ["theft_extortion_eviction"],
        ["XM0301"],
        [],
        "open",
    ),
]


def load_demo_advocacy(session: Session) -> int:
    """Create the demo advocacy issues unless the demo agency has some."""
    agency_id = session.scalar(select(Organisation.id).where(Organisation.code == AGENCY))
    if session.scalar(
        select(func.count(AdvocacyIssue.id)).where(AdvocacyIssue.organisation_id == agency_id)
    ):
        return 0
    supervisor = _actor(session, "supervisor")
    today = datetime.now(UTC).date()
    for title, bearer, level, rights, risks, areas, actions, status in ISSUES:
        issue = advocacy.create_issue(
            session,
            supervisor,
            IssueIn(
                title=title,
                duty_bearer=bearer,
                duty_bearer_level=level,
                rights=rights,
                gpc_risks=risks,
                areas=areas,
            ),
        )
        for kind, days_ago, what, response in actions:
            taken = today - timedelta(days=days_ago)
            advocacy.add_action(
                session,
                supervisor,
                issue.code,
                ActionIn(
                    kind=kind,
                    taken_on=taken,
                    description=what,
                    response=response,
                    response_on=taken + timedelta(days=10) if response else None,
                ),
                issue.version,
            )
        if status != issue.status:
            advocacy.set_status(
                session, supervisor, issue.code, StatusIn(status=status), issue.version
            )
    return len(ISSUES)


# (name, programming type, pillars, interventions (name, type, pillars, thematic area))
PROJECTS: list[tuple[str, str, list[str], list[tuple[str, str, list[str], str]]]] = [
    (
        "Protection case management in the northern province",
        "specialized",
        ["capacity", "accountability"],
        [
            ("Case management teams", "specialized", ["capacity"], "other"),
            ("Referral pathways with partners", "integration", ["partnership"], "other"),
        ],
    ),
    (
        "Shelter and non-food items for displaced families",
        "mainstreaming",
        ["accountability"],
        [
            ("Site safety audits", "integration", ["accountability"], "gbv"),
            (
                "Complaint and feedback desks",
                "mainstreaming",
                ["accountability", "partnership"],
                "psea",
            ),
        ],
    ),
    (
        "Legal identity for returnees",
        "specialized",
        ["advocacy", "leadership"],
        [("Mobile civil registration days", "integration", ["advocacy"], "legal_identity")],
    ),
]


def load_demo_projects(session: Session, seed: int = SEED) -> int:
    """Create the demo projects, each with two self-assessments six months apart."""
    agency_id = session.scalar(select(Organisation.id).where(Organisation.code == AGENCY))
    if session.scalar(select(func.count(Project.id)).where(Project.organisation_id == agency_id)):
        return 0
    rng = random.Random(seed)
    analyst = _actor(session, "analyst")
    cat = catalogue()
    principles = cat.codes("mainstreaming_principles")
    stages = cat.codes("project_cycle_stages")
    today = datetime.now(UTC).date()
    for name, kind, pillars, interventions in PROJECTS:
        project = mainstreaming.create_project(
            session,
            analyst,
            ProjectIn.model_validate(
                {
                    "name": name,
                    "programming_type": kind,
                    "pillars": pillars,
                    "interventions": [
                        {"name": n, "programming_type": t, "pillars": p, "thematic_area": a}
                        for n, t, p, a in interventions
                    ],
                }
            ),
        )
        first = {(p, s): rng.randint(0, 2) for p in principles for s in stages}
        second = {k: min(3, v + rng.choice((0, 0, 1, 1, 2))) for k, v in first.items()}
        for days_ago, scores in ((200, first), (20, second)):
            weakest = min(scores, key=lambda k: (scores[k], k))
            body = {
                "assessed_on": (today - timedelta(days=days_ago)).isoformat(),
                "scores": [
                    {"principle": p, "stage": s, "score": v, "evidence": "Checklist review"}
                    for (p, s), v in scores.items()
                ],
                "actions": [
                    {
                        "principle": weakest[0],
                        "stage": weakest[1],
                        "action": "Train the team and add the check to the activity plan",
                        "owner": "Programme manager",
                        "due_on": (today - timedelta(days=days_ago - 60)).isoformat(),
                    }
                ],
            }
            mainstreaming.add_assessment(
                session, analyst, project.code, AssessmentIn.model_validate(body)
            )
    return len(PROJECTS)


def load() -> list[str]:
    """Entry point for ``safepath demo``, after the demo users and cases."""
    from safepath.store.db import session_scope

    with session_scope() as session:
        made = load_demo_complaints(session)
    with session_scope() as session:
        issues = load_demo_advocacy(session)
    with session_scope() as session:
        projects = load_demo_projects(session)
    with session_scope() as session:
        total = session.scalar(select(func.count(Complaint.id))) or 0
        sensitive = (
            session.scalar(select(func.count(Complaint.id)).where(Complaint.sensitive.is_(True)))
            or 0
        )
    return [
        f"complaints: {total} ({sensitive} sensitive, for the PSEA focal point only)"
        + ("" if made else " (already loaded)"),
        f"advocacy issues: {len(ISSUES)}" + ("" if issues else " (already loaded)"),
        f"projects: {len(PROJECTS)}, two self-assessments each"
        + ("" if projects else " (already loaded)"),
    ]
