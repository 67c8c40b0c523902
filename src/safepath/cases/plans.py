"""The case plan: interventions (modality, thematic area, GPC risks and rights addressed,
responsible organisation, due date, status) and its approval by a supervisor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.cases import lifecycle
from safepath.cases.registry import aware, flush, now, work_on
from safepath.cases.schemas import PlanIn
from safepath.errors import ValidationFailed
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.store.models import Organisation, User
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
    before = list(case.interventions)
    case.interventions.clear()
    for n, item in enumerate(plan.interventions):
        line = Intervention(
            modality=item.modality,
            thematic_area=item.thematic_area,
            gpc_risks=item.gpc_risks,
            rights=item.rights,
            responsible_organisation_id=_org_id(session, item.responsible_organisation),
            description=item.description,
            due_date=item.due_date,
            status=item.status,
        )
        _keep_progress(before[n] if n < len(before) else None, line)
        case.interventions.append(line)
    case.plan_status = "draft"
    if case.status == lifecycle.Status.plan_approved:
        case.status = lifecycle.Status.assessed  # the new plan needs approval again
    case.plan_approved_at = None
    case.plan_approved_by_user_id = None
    case.updated_at = now()  # the plan is part of the case: bump its version
    flush(session)
    audit.record(session, actor, "update", "case_plan", case.code, person_code=case.person_code)
    return case


def _keep_progress(old: Intervention | None, new: Intervention) -> None:
    """The same line, with the same status, keeps the progress recorded on it (the plan form
    sends every line back on each save)."""
    same = old is not None and (old.modality, old.thematic_area, old.status) == (
        new.modality,
        new.thematic_area,
        new.status,
    )
    if same and old is not None:
        new.progress_note = old.progress_note
        new.progress_at = old.progress_at
        new.progress_by_user_id = old.progress_by_user_id


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
    by_ids = {i.progress_by_user_id for i in case.interventions if i.progress_by_user_id}
    names = (
        dict(session.execute(select(User.id, User.username).where(User.id.in_(by_ids))).all())
        if by_ids
        else {}
    )
    return {
        "status": case.plan_status,
        "approved_at": case.plan_approved_at.isoformat() if case.plan_approved_at else None,
        "interventions": [
            {
                "number": n,
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
                "progress_note": i.progress_note,
                "progress_at": aware_iso(i.progress_at),
                "progress_by": names.get(i.progress_by_user_id or 0),
            }
            for n, i in enumerate(case.interventions, start=1)
        ],
    }


def aware_iso(at: datetime | None) -> str | None:
    at = aware(at)
    return at.isoformat() if at else None


def mark_in_progress(case: Case) -> None:
    case.status = lifecycle.after_activity(case.status)
