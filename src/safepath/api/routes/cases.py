"""``/cases``: registration, lists and filters, the case itself, assessments, plan and closure.

Thin: each route calls one ``safepath.cases`` service, which applies role, scope, consent,
version and lifecycle rules. Cases are addressed by their pseudonymous code, never by id.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from safepath.api.routes.case_common import IfMatch, Who, done, versioned
from safepath.cases import access, assessments, closure, plans, registry, views
from safepath.cases.registry import CaseFilter
from safepath.cases.schemas import (
    AssessmentIn,
    AssignIn,
    CaseIn,
    CaseUpdate,
    ClosureIn,
    PlanIn,
)
from safepath.http.db import DB
from safepath.http.params import CodeParam, IdParam, Limit, NameParam, Offset
from safepath.http.responses import RECORD, SIGNED_IN, VERSIONED_WRITE, WRITE

router = APIRouter(prefix="/cases", tags=["cases"], responses=SIGNED_IN)
Status = Literal[
    "registered",
    "assessed",
    "plan_approved",
    "in_progress",
    "closure_requested",
    "closed",
    "reopened",
]


# an opaque cursor from ``next_cursor`` (base64url); one that is not ours answers 422 naming it
CursorParam = Annotated[str | None, Query(max_length=400, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("")
def list_cases(
    request: Request,
    db: DB,
    actor: Who,
    status: Status | None = None,
    risk_level: Literal["high", "medium", "low", "none"] | None = None,
    thematic_area: Annotated[str | None, Query(pattern=r"^[a-z_]{1,60}$")] = None,
    place: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9]{1,32}$")] = None,
    caseworker: NameParam = None,
    team_id: IdParam = None,
    person_code: CodeParam = None,
    overdue: bool | None = None,
    sort: Annotated[str, Query(pattern=r"^-?[a-z_]+$")] = "-updated_at",
    limit: Limit = 50,
    offset: Offset = 0,
    cursor: CursorParam = None,
    include_total: bool = False,
) -> JSONResponse:
    """A page of cases. Page on with ``next`` (a URL) or ``next_cursor`` (the ``cursor`` of the
    following page; ``null`` on the last page); ``total`` only with ``include_total=true`` (it
    counts every matching case). ``offset`` still works, bounded, but reads every row before it."""
    access.require(actor, access.INTERNAL)
    f = CaseFilter(
        status, risk_level, thematic_area, place, caseworker, team_id, overdue, person_code
    )
    page = registry.list_cases(
        db,
        actor,
        f,
        sort=sort,
        limit=limit,
        offset=offset,
        cursor=cursor,
        with_total=include_total,
    )
    out: dict[str, Any] = {
        "limit": limit,
        "offset": offset,
        "items": views.case_views(db, page.items, page.names),
        "next_cursor": page.next,
        "next": _page_url(request, page.next),
        "previous_cursor": page.previous,
    }
    if include_total:
        out["total"] = page.total
    return JSONResponse(out)  # already JSON values: no second pass through the encoder


def _page_url(request: Request, cursor: str | None) -> str | None:
    """This request's URL with ``cursor`` in place of any cursor or offset it had."""
    if cursor is None:
        return None
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "offset")]
    return f"{request.url.path}?{urlencode([*kept, ('cursor', cursor)])}"


@router.post("", status_code=201, responses=WRITE)
def create_case(db: DB, actor: Who, body: CaseIn) -> JSONResponse:
    case = registry.create_case(db, actor, body)
    return versioned(db, views.case_view(db, case), case.version, 201)


@router.get("/overdue")
def overdue(
    db: DB, actor: Who, by: Literal["caseworker", "team", "agency"] = "caseworker"
) -> list[dict[str, Any]]:
    return registry.overdue_summary(db, actor, by)


@router.get("/{code}", responses=RECORD)
def get_case(db: DB, actor: Who, code: str) -> JSONResponse:
    case, names = registry.read_case(db, actor, code)
    return versioned(db, views.view_for(db, actor, case, names), case.version)


@router.patch("/{code}", responses=VERSIONED_WRITE)
def update_case(db: DB, actor: Who, code: str, body: CaseUpdate, version: IfMatch) -> JSONResponse:
    case = registry.update_case(db, actor, code, body, version)
    return versioned(db, views.case_view(db, case), case.version)


@router.post("/{code}/assignment", responses=VERSIONED_WRITE)
def assign(db: DB, actor: Who, code: str, body: AssignIn, version: IfMatch) -> JSONResponse:
    case = registry.assign(db, actor, code, body, version)
    return versioned(db, views.case_view(db, case), case.version)


# --- assessments ---------------------------------------------------------------------------
@router.get("/{code}/assessments", responses=RECORD)
def list_assessments(db: DB, actor: Who, code: str) -> list[dict[str, Any]]:
    _, rows = assessments.list_assessments(db, actor, code)
    out = [assessments.assessment_view(a) for a in rows]
    done(db)
    return out


@router.post("/{code}/assessments", status_code=201, responses=VERSIONED_WRITE)
def assess(db: DB, actor: Who, code: str, body: AssessmentIn, version: IfMatch) -> JSONResponse:
    a = assessments.record_assessment(db, actor, code, body.answers, version)
    return versioned(db, assessments.assessment_view(a, with_answers=False), a.case.version, 201)


# --- plan ----------------------------------------------------------------------------------
@router.get("/{code}/plan", responses=RECORD)
def get_plan(db: DB, actor: Who, code: str) -> JSONResponse:
    access.require(actor, access.INTERNAL)
    case = registry.get_case(db, actor, code)
    return versioned(db, plans.plan_view(db, case), case.version)


@router.put("/{code}/plan", responses=VERSIONED_WRITE)
def set_plan(db: DB, actor: Who, code: str, body: PlanIn, version: IfMatch) -> JSONResponse:
    case = plans.set_plan(db, actor, code, body, version)
    return versioned(db, plans.plan_view(db, case), case.version)


@router.post("/{code}/plan/approval", responses=VERSIONED_WRITE)
def approve_plan(db: DB, actor: Who, code: str, version: IfMatch) -> JSONResponse:
    case = plans.approve_plan(db, actor, code, version)
    return versioned(db, views.case_view(db, case), case.version)


# --- closure -------------------------------------------------------------------------------
@router.get("/{code}/closure", responses=RECORD)
def get_closure(db: DB, actor: Who, code: str) -> JSONResponse:
    access.require(actor, access.INTERNAL)
    case = registry.get_case(db, actor, code)
    body = {
        "status": case.status,
        "closure_reason": case.closure_reason,
        "note": case.closure_note,
        "outcome": closure.outcome_view(case),
    }
    return versioned(db, body, case.version)


@router.post("/{code}/closure", responses=VERSIONED_WRITE)
def request_closure(
    db: DB, actor: Who, code: str, body: ClosureIn, version: IfMatch
) -> JSONResponse:
    case = closure.request_closure(db, actor, code, body, version)
    return versioned(db, views.case_view(db, case), case.version)


@router.post("/{code}/closure/approval", responses=VERSIONED_WRITE)
def approve_closure(db: DB, actor: Who, code: str, version: IfMatch) -> JSONResponse:
    case = closure.approve_closure(db, actor, code, version)
    return versioned(db, views.case_view(db, case), case.version)


@router.post("/{code}/closure/rejection", responses=VERSIONED_WRITE)
def reject_closure(
    db: DB, actor: Who, code: str, body: ClosureIn, version: IfMatch
) -> JSONResponse:
    case = closure.reject_closure(db, actor, code, body, version)
    return versioned(db, views.case_view(db, case), case.version)


@router.post("/{code}/reopening", responses=VERSIONED_WRITE)
def reopen(db: DB, actor: Who, code: str, body: ClosureIn, version: IfMatch) -> JSONResponse:
    case = closure.reopen(db, actor, code, body, version)
    return versioned(db, views.case_view(db, case), case.version)
