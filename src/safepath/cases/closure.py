"""Closure: requested by the caseworker, approved (or sent back) by a supervisor; the outcome is
measured when the case closes. Without a follow-up assessment there is no outcome to measure, so
a reason code is required (lost_contact, relocated, deceased, consent_withdrawn, other). A case
closes only when every intervention of its plan is done or cancelled (checked on the request and
again on the approval)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from safepath.cases.interventions import refuse_closure_while_open
from safepath.cases.outcome import measure, record_outcome
from safepath.cases.registry import flush, now, work_on
from safepath.cases.schemas import CLOSURE_REASONS, ClosureIn
from safepath.errors import ValidationFailed
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.store.models.cases import Case


def request_closure(
    session: Session, actor: Actor, code: str, data: ClosureIn, expected_version: int | None
) -> Case:
    case, target = work_on(session, actor, code, "request_closure", expected_version)
    refuse_closure_while_open(case)
    if len(case.assessments) < 2 and data.reason is None:
        raise ValidationFailed(
            f"case {case.code} has no follow-up assessment, so no outcome can be measured: "
            "reassess it first, or give a closure reason: " + ", ".join(CLOSURE_REASONS)
        )
    assert target is not None
    case.status = target
    case.closure_reason = data.reason
    case.closure_note = data.note
    case.closure_requested_at = case.updated_at = now()
    case.closure_requested_by_user_id = actor.user_id
    flush(session)
    audit.record(
        session,
        actor,
        "update",
        "case",
        case.code,
        person_code=case.person_code,
        fields=["status", "closure_reason"],
    )
    return case


def approve_closure(
    session: Session, actor: Actor, code: str, expected_version: int | None
) -> Case:
    case, target = work_on(session, actor, code, "approve_closure", expected_version)
    refuse_closure_while_open(case)
    assert target is not None
    outcome = measure(list(case.assessments))
    case.status = target
    case.closed_at = case.updated_at = now()
    case.closed_by_user_id = actor.user_id
    case.next_action_due = None
    record_outcome(case, outcome)
    flush(session)
    audit.record(
        session,
        actor,
        "update",
        "case",
        case.code,
        person_code=case.person_code,
        fields=["status", "outcome"],
    )
    return case


def reject_closure(
    session: Session, actor: Actor, code: str, data: ClosureIn, expected_version: int | None
) -> Case:
    case, target = work_on(session, actor, code, "reject_closure", expected_version)
    assert target is not None
    case.status = target
    case.closure_reason = None
    case.closure_note = data.note
    case.updated_at = now()
    flush(session)
    audit.record(
        session, actor, "update", "case", case.code, person_code=case.person_code, fields=["status"]
    )
    return case


def reopen(
    session: Session, actor: Actor, code: str, data: ClosureIn, expected_version: int | None
) -> Case:
    case, target = work_on(session, actor, code, "reopen", expected_version)
    assert target is not None
    case.status = target
    case.reopened_count += 1
    case.closed_at = None
    case.outcome_achieved = None
    case.delta_threat = case.delta_vulnerability = case.delta_capacity = case.delta_risk = None
    case.closure_note = data.note
    case.updated_at = now()
    flush(session)
    audit.record(
        session, actor, "update", "case", case.code, person_code=case.person_code, fields=["status"]
    )
    return case


def outcome_view(case: Case) -> dict[str, Any] | None:
    if case.status != "closed":
        return None
    return {
        "baseline_phase": case.baseline_phase,
        "latest_phase": case.latest_phase,
        "phase_change": (
            None
            if case.baseline_phase is None or case.latest_phase is None
            else case.latest_phase - case.baseline_phase
        ),
        "delta_threat": case.delta_threat,
        "delta_vulnerability": case.delta_vulnerability,
        "delta_capacity": case.delta_capacity,
        "delta_risk": case.delta_risk,
        "outcome_achieved": case.outcome_achieved,
        "rule": case.outcome_rule,
        "closure_reason": case.closure_reason,
    }
