"""What an actor may do next on a case: the lifecycle rules (``lifecycle.RULES``), the role each
action needs (``registry.roles_for``), record scope, and the few preconditions the services check
on the case itself (a plan to approve, consent to share). Pages offer exactly these actions; the
services enforce the same rules again on every write."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.cases import access, lifecycle, registry
from safepath.cases.interventions import open_interventions
from safepath.privacy import consent
from safepath.privacy.actor import Actor
from safepath.store.models.cases import Case


class Action(StrEnum):
    assess = "assess"
    edit_plan = "edit_plan"
    approve_plan = "approve_plan"
    refer = "refer"
    follow_up = "follow_up"
    progress = "progress"
    request_closure = "request_closure"
    approve_closure = "approve_closure"
    reject_closure = "reject_closure"
    reassign = "reassign"
    reopen = "reopen"


A = Action
# Action -> its rule in lifecycle.RULES (the names differ only where the page's word does)
RULE: dict[Action, str] = {a: ("assign" if a is A.reassign else a.value) for a in Action}


def _by_rules(actor: Actor, status: lifecycle.Status) -> set[Action]:
    return {
        a
        for a in Action
        if actor.role in registry.roles_for(RULE[a]) and status in lifecycle.RULES[RULE[a]][1]
    }


def allowed_actions(session: Session, actor: Actor, case: Case) -> frozenset[Action]:
    """The actions ``actor`` may take on ``case`` now (empty outside the actor's scope).

    Input-dependent refusals remain the services' (a stale version, an unknown service or
    caseworker, closing without an outcome and without a reason). Closure is not offered while an
    intervention is still planned or in progress: the page names them instead."""
    if actor.role not in access.WORK:
        return frozenset()
    reached = session.scalar(access.scope_cases(actor, select(Case.id).where(Case.id == case.id)))
    if reached is None:
        return frozenset()
    allowed = _by_rules(actor, lifecycle.Status(case.status))
    if A.approve_plan in allowed and (not case.interventions or case.plan_status == "approved"):
        allowed.discard(A.approve_plan)
    if not case.interventions:
        allowed.discard(A.progress)
    elif open_interventions(case):
        allowed -= {A.request_closure, A.approve_closure}
    if (
        A.refer in allowed
        and actor.role not in access.CONSENT_OVERRIDE
        and not consent.has_consent(session, case.person_id, "referral_sharing")
    ):
        allowed.discard(A.refer)  # only a supervisor may refer without consent (with a reason)
    return frozenset(allowed)
