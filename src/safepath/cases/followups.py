"""Follow-ups: a dated contact with an encrypted note and the next due date (which becomes the
case's next-action deadline)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.cases import access
from safepath.cases.plans import mark_in_progress
from safepath.cases.registry import flush, get_case, now, work_on
from safepath.cases.schemas import FollowUpIn
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.store.models import User
from safepath.store.models.cases import Case, FollowUp


def record_follow_up(
    session: Session, actor: Actor, code: str, data: FollowUpIn, expected_version: int | None
) -> FollowUp:
    case, _ = work_on(session, actor, code, "follow_up", expected_version)
    follow_up = FollowUp(
        case_id=case.id,
        case=case,  # held: the route reads the case's new version (no second SELECT)
        kind=data.kind,
        note=data.note,
        next_due=data.next_due,
        by_user_id=actor.user_id,
        at=now(),
    )
    session.add(follow_up)
    if data.next_due is not None:
        # Due by the end of that day (UTC).
        case.next_action_due = datetime.combine(data.next_due, time(), UTC) + timedelta(days=1)
    mark_in_progress(case)
    case.updated_at = now()
    flush(session)
    audit.record(
        session,
        actor,
        "create",
        "follow_up",
        f"{case.code}/{follow_up.id}",
        person_code=case.person_code,
        fields=["note"] if data.note else [],
    )
    return follow_up


def list_follow_ups(session: Session, actor: Actor, code: str) -> tuple[Case, list[FollowUp]]:
    access.require(actor, access.INTERNAL)
    case = get_case(session, actor, code)
    audit.record(session, actor, "read", "follow_up", case.code, person_code=case.person_code)
    return case, list(case.follow_ups)


def follow_up_view(session: Session, f: FollowUp, by: str | None = None) -> dict[str, Any]:
    """``by``: the author's username when the caller knows it (saves its lookup)."""
    if by is None:
        by = session.scalar(select(User.username).where(User.id == f.by_user_id))
    return {
        "kind": f.kind,
        "at": f.at.isoformat() if f.at else None,
        "by": by,
        "note": f.note,
        "next_due": f.next_due.isoformat() if f.next_due else None,
    }
