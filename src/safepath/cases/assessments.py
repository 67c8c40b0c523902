"""Assessments: answers validated against the screening form, scored by the risk engine with the
person's area profile, stored with T, V, C, R, phase, case level, explanation and model version.
The case level sets the case's next-action deadline from the model's configurable deadlines."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safepath.cases import access, lifecycle
from safepath.cases.instruments import instrument
from safepath.cases.registry import check_work, flush, get_case, now, work_on
from safepath.places.area_profiles import area_row
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.store.models.cases import Assessment, Case


def _place_of(case: Case, answers: dict[str, Any]) -> str | None:
    # The model joins the area profile on the admin-2 P-code the respondent gave; else the case's.
    value = answers.get("adm2_pcode") or case.place_pcode
    return str(value) if value else None


def record_assessment(
    session: Session,
    actor: Actor,
    code: str,
    answers: dict[str, Any],
    expected_version: int | None = None,
) -> Assessment:
    case, _ = work_on(session, actor, code, "assess", expected_version)
    return _record(session, actor, case, answers)


def assess_case(
    session: Session,
    actor: Actor,
    case: Case,
    answers: dict[str, Any],
    expected_version: int | None = None,
) -> Assessment:
    """``record_assessment`` on a case the caller already loaded with ``registry.get_case``
    (the same checks, without loading it again)."""
    check_work(actor, case, "assess", expected_version)
    return _record(session, actor, case, answers)


def _record(session: Session, actor: Actor, case: Case, answers: dict[str, Any]) -> Assessment:
    tool = instrument()
    tool.check_answers(answers)  # the one validation of the answers (InputError with problems)
    pcode = _place_of(case, answers)
    # The operation's area profile row for the place: community and structural risk.
    result = tool.score(answers, pcode, area_row(session, tool.model_id, pcode))
    model = tool.model
    seq = (
        session.scalar(select(func.max(Assessment.seq)).where(Assessment.case_id == case.id)) or 0
    ) + 1
    assessment = Assessment(
        case_id=case.id,
        case=case,  # held: the route reads the case's new version (no second SELECT)
        seq=seq,
        answers=json.dumps(answers, sort_keys=True, default=str),
        place_pcode=pcode,
        threat=result.threat,
        vulnerability=result.vulnerability,
        capacity=result.capacity,
        risk=result.risk,
        phase=result.phase,
        case_level=str(result.case_level),
        explanation=result.explanation,
        model_id=model.id,
        model_version=str(model.version),
        instrument_id=tool.id,
        form_id=tool.form_id,
        assessed_by_user_id=actor.user_id,
        assessed_at=now(),
    )
    session.add(assessment)
    apply_risk(case, assessment)
    case.status = lifecycle.after_assessment(case.status)
    case.updated_at = assessment.assessed_at
    flush(session)
    audit.record(
        session,
        actor,
        "create",
        "assessment",
        f"{case.code}/{seq}",
        person_code=case.person_code,
        fields=sorted(answers),
    )
    return assessment


def apply_risk(case: Case, assessment: Assessment) -> None:
    """Latest risk on the case; its level sets the next-action deadline (none: no deadline)."""
    case.risk_level = assessment.case_level
    case.phase = assessment.phase
    hours = instrument(assessment.instrument_id).deadline_hours(assessment.case_level)
    case.next_action_due = assessment.assessed_at + timedelta(hours=hours) if hours else None


def list_assessments(session: Session, actor: Actor, code: str) -> tuple[Case, list[Assessment]]:
    access.require(actor, access.INTERNAL)
    case = get_case(session, actor, code)
    rows = session.scalars(
        select(Assessment).where(Assessment.case_id == case.id).order_by(Assessment.seq)
    ).all()
    audit.record(session, actor, "read", "assessment", case.code, person_code=case.person_code)
    return case, list(rows)


def assessment_view(a: Assessment, *, with_answers: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {
        "seq": a.seq,
        "kind": "baseline" if a.seq == 1 else "reassessment",
        "threat": a.threat,
        "vulnerability": a.vulnerability,
        "capacity": a.capacity,
        "risk": a.risk,
        "phase": a.phase,
        "case_level": a.case_level,
        "model": {"id": a.model_id, "version": a.model_version},
        "instrument": {"id": a.instrument_id, "form": a.form_id},
        "place_pcode": a.place_pcode,
        "assessed_at": a.assessed_at.isoformat() if a.assessed_at else None,
        "explanation": a.explanation,
    }
    if with_answers:
        view["answers"] = json.loads(a.answers)
    return view
