"""``allowed_actions`` says exactly what the services accept: for every status × role (and the
preconditions beyond status: a plan to approve, consent to share), each action is tried through
its service; an action offered must succeed, one not offered must be refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from tests.cases.conftest import Staff, answers

from safepath.cases import (
    assessments,
    closure,
    followups,
    interventions,
    plans,
    referrals,
    registry,
)
from safepath.cases.actions import Action, allowed_actions
from safepath.cases.schemas import (
    AssignIn,
    CaseIn,
    ClosureIn,
    FollowUpIn,
    InterventionIn,
    InterventionProgressIn,
    PlanIn,
    ReferralIn,
)
from safepath.errors import SafepathError
from safepath.privacy import persons
from safepath.privacy.actor import Actor
from safepath.privacy.person_schema import ConsentIn, PersonIn
from safepath.store.db import session_scope
from safepath.store.models.cases import Case

A = Action
PLAN = PlanIn(interventions=[InterventionIn(modality="responsive", thematic_area="gbv")])
SERVICE = "legal-aid/civil-docs"


def _v(s: Session, code: str) -> int:
    """The case's current version: every service write names the version it is based on."""
    return int(s.scalar(select(Case.version).where(Case.code == code)) or 0)


def _open(staff: Staff, steps: list[str], consents: tuple[str, ...]) -> str:
    cw, sup = staff.actors["caseworker"], staff.actors["supervisor"]
    with session_scope() as s:
        person = persons.create(
            s,
            cw,
            PersonIn(given_name="Test", consents=[ConsentIn(purpose=p) for p in consents]),
        )
        code = registry.create_case(
            s, cw, CaseIn(person_code=person["code"], thematic_areas=["gbv"])
        ).code
        for step in steps:
            if step == "assess":
                assessments.record_assessment(s, cw, code, answers(0.6), _v(s, code))
            elif step == "plan":
                plans.set_plan(s, cw, code, PLAN, _v(s, code))
            elif step == "approve":
                plans.approve_plan(s, sup, code, _v(s, code))
            elif step == "refer":  # also moves an approved plan's case in progress
                referrals.refer(
                    s, cw, code, ReferralIn(service=SERVICE, shared_fields=["age"]), _v(s, code)
                )
            elif step == "done":  # the plan carried out: closure may be requested
                progress = InterventionProgressIn(status="done")
                interventions.record_progress(s, cw, code, 1, progress, _v(s, code))
            elif step == "request":
                closure.request_closure(s, cw, code, ClosureIn(reason="other"), _v(s, code))
            elif step == "close":
                closure.approve_closure(s, sup, code, _v(s, code))
            elif step == "reopen":
                closure.reopen(s, sup, code, ClosureIn(), _v(s, code))
    return code


SHARE = ("case_management", "referral_sharing")
CASES: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "registered": ([], SHARE),
    "registered, no consent to share": ([], ("case_management",)),
    "assessed, no plan": (["assess"], SHARE),
    "assessed, draft plan": (["assess", "plan"], SHARE),
    "plan_approved": (["assess", "plan", "approve"], SHARE),
    "in_progress, plan approved": (["assess", "plan", "approve", "refer"], SHARE),
    "in_progress, plan edited": (["assess", "plan", "approve", "refer", "plan"], SHARE),
    "in_progress, plan done": (["assess", "plan", "approve", "refer", "done"], SHARE),
    "closure_requested": (["assess", "plan", "approve", "refer", "done", "request"], SHARE),
    "closed": (["assess", "plan", "approve", "refer", "done", "request", "close"], SHARE),
    "reopened": (
        ["assess", "plan", "approve", "refer", "done", "request", "close", "reopen"],
        SHARE,
    ),
}


def _trials(consented: bool) -> dict[Action, Callable[[Session, Actor, str], Any]]:
    override = None if consented else "the person is in danger now"
    return {
        A.assess: lambda s, a, c: assessments.record_assessment(s, a, c, answers(0.4), _v(s, c)),
        A.edit_plan: lambda s, a, c: plans.set_plan(s, a, c, PLAN, _v(s, c)),
        A.approve_plan: lambda s, a, c: plans.approve_plan(s, a, c, _v(s, c)),
        A.refer: lambda s, a, c: referrals.refer(
            s,
            a,
            c,
            ReferralIn(service=SERVICE, shared_fields=["age"], override_reason=override),
            _v(s, c),
        ),
        A.follow_up: lambda s, a, c: followups.record_follow_up(
            s, a, c, FollowUpIn(kind="call"), _v(s, c)
        ),
        A.progress: lambda s, a, c: interventions.record_progress(
            s, a, c, 1, InterventionProgressIn(status="cancelled", note="not needed"), _v(s, c)
        ),
        A.request_closure: lambda s, a, c: closure.request_closure(
            s, a, c, ClosureIn(reason="other"), _v(s, c)
        ),
        A.approve_closure: lambda s, a, c: closure.approve_closure(s, a, c, _v(s, c)),
        A.reject_closure: lambda s, a, c: closure.reject_closure(s, a, c, ClosureIn(), _v(s, c)),
        A.reassign: lambda s, a, c: registry.assign(
            s, a, c, AssignIn(caseworker="cw.demo"), _v(s, c)
        ),
        A.reopen: lambda s, a, c: closure.reopen(s, a, c, ClosureIn(), _v(s, c)),
    }


def _accepted(engine: Engine, actor: Actor, code: str, trial: Callable[..., Any]) -> bool:
    """Does the service accept it? Tried in a transaction that is always rolled back."""
    with Session(engine) as s:
        try:
            trial(s, actor, code)
            s.flush()
            return True
        except SafepathError:
            return False
        finally:
            s.rollback()


def test_offered_actions_are_exactly_those_the_services_accept(
    engine: Engine, staff: Staff
) -> None:
    assert set(_trials(True)) == set(Action)  # every action is tried
    mismatches = []
    offered_anything: set[str] = set()
    for label, (steps, consents) in CASES.items():
        code = _open(staff, steps, consents)
        trials = _trials("referral_sharing" in consents)
        for who, actor in staff.actors.items():
            with Session(engine) as s:
                case = s.scalars(select(Case).where(Case.code == code)).one()
                offered = allowed_actions(s, actor, case)
            if offered:
                offered_anything.add(who)
            for action, trial in trials.items():
                accepted = _accepted(engine, actor, code, trial)
                if accepted != (action in offered):
                    mismatches.append(
                        (label, who, action.value, "accepted" if accepted else "refused")
                    )
    assert not mismatches, mismatches
    # only the agency's case staff of the case's team are ever offered anything
    assert offered_anything == {"caseworker", "supervisor"}


@pytest.mark.parametrize(
    ("label", "who", "expected"),
    [
        (
            "registered",
            "caseworker",
            {A.assess, A.edit_plan, A.refer, A.follow_up, A.request_closure},
        ),
        (
            "registered, no consent to share",
            "supervisor",
            {A.assess, A.edit_plan, A.refer, A.follow_up, A.request_closure, A.reassign},
        ),
        (
            "assessed, draft plan",
            "supervisor",
            {
                A.assess,
                A.edit_plan,
                A.approve_plan,
                A.refer,
                A.follow_up,
                A.progress,
                A.reassign,
            },
        ),
        (
            "in_progress, plan approved",
            "caseworker",
            {A.assess, A.edit_plan, A.refer, A.follow_up, A.progress},
        ),
        (
            "in_progress, plan done",
            "caseworker",
            {A.assess, A.edit_plan, A.refer, A.follow_up, A.progress, A.request_closure},
        ),
        ("closure_requested", "caseworker", {A.follow_up}),
        (
            "closure_requested",
            "supervisor",
            {A.follow_up, A.approve_closure, A.reject_closure, A.reassign},
        ),
        ("closed", "supervisor", {A.reopen}),
        ("closed", "caseworker", set()),
        ("in_progress, plan approved", "partner", set()),
        ("registered", "dp", set()),
    ],
)
def test_allowed_actions_by_status_and_role(
    engine: Engine, staff: Staff, label: str, who: str, expected: set[Action]
) -> None:
    steps, consents = CASES[label]
    code = _open(staff, steps, consents)
    with Session(engine) as s:
        case = s.scalars(select(Case).where(Case.code == code)).one()
        assert allowed_actions(s, staff.actors[who], case) == expected
