"""A caseworker's work: their active cases (a supervisor's: the team's), most urgent first —
overdue, then high before medium before low risk, then the nearest deadline — ordered by the
database, with the counts by risk level, in two queries whatever the caseload."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from safepath.cases import access, lifecycle
from safepath.cases.registry import now
from safepath.cases.views import CaseView, case_rows
from safepath.privacy.actor import Actor, Role
from safepath.store.models.cases import Case

LEVELS = ("high", "medium", "low", "none")  # most urgent first


@dataclass(frozen=True)
class WorkList:
    items: list[CaseView]  # the most urgent ``limit`` cases, in order
    total: int  # active cases in the work list
    overdue: int
    by_level: dict[str, int]  # every level of LEVELS, 0 when none


def my_work(session: Session, actor: Actor, limit: int = 100) -> WorkList:
    access.require(actor, access.WORK)
    where: list[ColumnElement[bool]] = [Case.status.in_(sorted(lifecycle.ACTIVE))]
    if actor.role is not Role.supervisor:  # a supervisor's work is the team's caseload
        where.append(Case.caseworker_id == actor.user_id)
    due = Case.next_action_due
    late = and_(due.is_not(None), due < now())
    rank = case(*((Case.risk_level == lvl, i) for i, lvl in enumerate(LEVELS)), else_=len(LEVELS))
    counts = session.execute(
        access.scope_cases(
            actor,
            select(Case.risk_level, func.count(Case.id), func.sum(case((late, 1), else_=0))),
        )
        .where(*where)
        .group_by(Case.risk_level)
    ).all()
    rows = session.scalars(
        access.scope_cases(actor, select(Case))
        .where(*where)
        .order_by(
            case((late, 0), else_=1),
            rank,
            case((due.is_(None), 1), else_=0),
            due,
            Case.id,
        )
        .limit(limit)
    ).all()
    by_level = dict.fromkeys(LEVELS, 0)
    for level, n, _ in counts:
        if level in by_level:
            by_level[level] = n
    return WorkList(
        items=case_rows(session, rows),
        total=sum(n for _, n, _ in counts),
        overdue=sum(int(o or 0) for _, _, o in counts),
        by_level=by_level,
    )
