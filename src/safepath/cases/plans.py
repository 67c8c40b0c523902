"""The case plan: interventions (modality, thematic area, GPC risks and rights addressed,
responsible organisation, due date, status) and its approval by a supervisor."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.cases import lifecycle
from safepath.cases.registry import flush, now, work_on
from safepath.cases.schemas import PlanIn
from safepath.errors import ValidationFailed
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.store.models import Organisation
from safepath.store.models.cases import Case, Intervention


def _org_id(session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    # Organisation codes are stable: looked up once per session (a demo load plans thousands).
    known: dict[str, int] = session.info.setdefault("safepath.cases.org_ids", {})
    org_id = known.get(code)
    if org_id is None:
        org_id = session.scalar(select(Organisation.id).where(Organisation.code == code))
        if org_id is None:
            raise ValidationFailed(f"unknown organisation {code!r}")
        known[code] = org_id
    return org_id


def set_plan(
    session: Session, actor: Actor, code: str, plan: PlanIn, expected_version: int | None
) -> Case:
    """Replace the plan's interventions. Editing an approved plan sends it back for approval."""
    case, _ = work_on(session, actor, code, "edit_plan", expected_version)
    case.interventions.clear()
    for item in plan.interventions:
        case.interventions.append(
            Intervention(
                modality=item.modality,
                thematic_area=item.thematic_area,
                gpc_risks=item.gpc_risks,
                rights=item.rights,
                responsible_organisation_id=_org_id(session, item.responsible_organisation),
                description=item.description,
                due_date=item.due_date,
                status=item.status,
            )
        )
    case.plan_status = "draft"
    if case.status == lifecycle.Status.plan_approved:
        case.status = lifecycle.Status.assessed  # the new plan needs approval again
    case.plan_approved_at = None
    case.plan_approved_by_user_id = None
    case.updated_at = now()  # the plan is part of the case: bump its version
    flush(session)
    audit.record(session, actor, "update", "case_plan", case.code, person_code=case.person_code)
    return case


def approve_plan(session: Session, actor: Actor, code: str, expected_version: int | None) -> Case:
    case, target = work_on(session, actor, code, "approve_plan", expected_version)
    if not case.interventions:
        raise ValidationFailed(f"case {case.code} has no plan to approve: add interventions first")
    if case.plan_status == "approved":
        raise ValidationFailed(f"the plan of case {case.code} is already approved")
    case.plan_status = "approved"
    case.plan_approved_at = case.updated_at = now()
    case.plan_approved_by_user_id = actor.user_id
    assert target is not None
    case.status = target
    flush(session)
    audit.record(session, actor, "update", "case_plan", case.code, person_code=case.person_code)
    return case


def plan_view(session: Session, case: Case) -> dict[str, Any]:
    orgs = dict(session.execute(select(Organisation.id, Organisation.code)).all())
    return {
        "status": case.plan_status,
        "approved_at": case.plan_approved_at.isoformat() if case.plan_approved_at else None,
        "interventions": [
            {
                "modality": i.modality,
                "thematic_area": i.thematic_area,
                "gpc_risks": i.gpc_risks,
                "rights": i.rights,
                "responsible_organisation": (
                    orgs.get(i.responsible_organisation_id)
                    if i.responsible_organisation_id
                    else None
                ),
                "description": i.description,
                "due_date": i.due_date.isoformat() if i.due_date else None,
                "status": i.status,
            }
            for i in case.interventions
        ],
    }


def mark_in_progress(case: Case) -> None:
    case.status = lifecycle.after_activity(case.status)
