"""Progress on the plan's interventions: each one is marked in progress, done or cancelled with a
note, without sending the plan back for approval (the plan itself is unchanged). Interventions
are addressed by their number in the plan (1, 2, …), and the write names the case's version like
every case update, so a plan replaced meanwhile cannot be marked by mistake. A case closes only
when none is still planned or in progress (``open_interventions``, checked by ``closure``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from safepath.cases.plans import mark_in_progress
from safepath.cases.registry import flush, now, work_on
from safepath.cases.schemas import OPEN_INTERVENTION_STATUSES, InterventionProgressIn
from safepath.errors import NotFound, ValidationFailed
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.store.models.cases import Case, Intervention


def open_interventions(case: Case) -> list[tuple[int, Intervention]]:
    """The plan's interventions still planned or in progress, with their numbers (from 1)."""
    return [
        (n, i)
        for n, i in enumerate(case.interventions, start=1)
        if i.status in OPEN_INTERVENTION_STATUSES
    ]


def refuse_closure_while_open(case: Case) -> None:
    """Closure waits for every intervention to be done or cancelled; the refusal names them."""
    still = open_interventions(case)
    if not still:
        return
    listed = "; ".join(f"#{n} {i.modality}/{i.thematic_area} ({i.status})" for n, i in still)
    raise ValidationFailed(
        f"case {case.code} cannot close while interventions are still planned or in progress: "
        f"{listed}; mark each one done or cancelled first"
    )


def record_progress(
    session: Session,
    actor: Actor,
    code: str,
    number: int,
    data: InterventionProgressIn,
    expected_version: int | None,
) -> Case:
    case, _ = work_on(session, actor, code, "progress", expected_version)
    items = list(case.interventions)
    if not 1 <= number <= len(items):
        raise NotFound(
            f"case {case.code} has no intervention {number} "
            f"(its plan has {len(items)}): reload the plan"
        )
    item = items[number - 1]
    if item.status == data.status and not data.note:
        raise ValidationFailed(
            f"intervention {number} of case {case.code} is already {data.status}: "
            "choose another status or write a note"
        )
    item.status = data.status
    item.progress_note = data.note
    item.progress_at = case.updated_at = now()  # the plan is part of the case: bump its version
    item.progress_by_user_id = actor.user_id
    if data.status != "planned":
        mark_in_progress(case)  # work on an approved plan: the case is in progress
    flush(session)
    audit.record(
        session,
        actor,
        "update",
        "case_intervention",
        f"{case.code}/{number}",
        person_code=case.person_code,
        fields=["status", "progress_note"] if data.note else ["status"],
    )
    return case
