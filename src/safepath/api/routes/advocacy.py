"""``/advocacy``: the advocacy log (issues with duty bearers, their areas, actions and responses,
status) and ``/areas/{pcode}``: an area's risks, cases and advocacy side by side. Thin: each
route calls one ``safepath.advocacy`` service."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from safepath.advocacy import areas, service
from safepath.advocacy.schemas import ActionEdit, ActionIn, IssueEdit, IssueIn, StatusIn
from safepath.api.routes.case_common import IfMatch, versioned
from safepath.http.auth import CurrentActor
from safepath.http.db import DB
from safepath.http.params import CodeParam
from safepath.http.responses import RECORD, SIGNED_IN, VERSIONED_WRITE, WRITE

router = APIRouter(tags=["advocacy"], responses=SIGNED_IN)


@router.get("/advocacy")
def list_issues(
    db: DB,
    actor: CurrentActor,
    area: CodeParam = None,
    status: Literal["open", "in_progress", "achieved", "dropped"] | None = None,
) -> list[dict[str, Any]]:
    found = service.list_issues(db, actor, area=area, status=status)
    return [service.view(db, i).as_dict() for i in found]


@router.post("/advocacy", status_code=201, responses=WRITE)
def create_issue(db: DB, actor: CurrentActor, body: IssueIn) -> JSONResponse:
    issue = service.create_issue(db, actor, body)
    return versioned(db, service.view(db, issue).as_dict(), issue.version, 201)


@router.get("/advocacy/{code}", responses=RECORD)
def get_issue(db: DB, actor: CurrentActor, code: str) -> JSONResponse:
    issue = service.get_issue(db, actor, code)
    return versioned(db, service.view(db, issue).as_dict(), issue.version)


@router.patch("/advocacy/{code}", responses=VERSIONED_WRITE)
def update_issue(
    db: DB, actor: CurrentActor, code: str, body: IssueEdit, version: IfMatch
) -> JSONResponse:
    """Change the fields given (lists replaced whole), based on the version read."""
    issue = service.update_issue(db, actor, code, body, version)
    return versioned(db, service.view(db, issue).as_dict(), issue.version)


@router.patch("/advocacy/{code}/actions/{action_id}", responses=VERSIONED_WRITE)
def update_action(
    db: DB,
    actor: CurrentActor,
    code: str,
    action_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: ActionEdit,
    version: IfMatch,
) -> JSONResponse:
    """Change a recorded action (its response, once it comes); names the issue's version."""
    issue = service.update_action(db, actor, code, action_id, body, version)
    return versioned(db, service.view(db, issue).as_dict(), issue.version)


@router.post("/advocacy/{code}/actions", status_code=201, responses=VERSIONED_WRITE)
def add_action(
    db: DB, actor: CurrentActor, code: str, body: ActionIn, version: IfMatch
) -> JSONResponse:
    issue = service.add_action(db, actor, code, body, version)
    return versioned(db, service.view(db, issue).as_dict(), issue.version, 201)


@router.post("/advocacy/{code}/status", responses=VERSIONED_WRITE)
def set_status(
    db: DB, actor: CurrentActor, code: str, body: StatusIn, version: IfMatch
) -> JSONResponse:
    issue = service.set_status(db, actor, code, body, version)
    return versioned(db, service.view(db, issue).as_dict(), issue.version)


@router.get("/areas/{pcode}", responses=RECORD)
def area(db: DB, actor: CurrentActor, pcode: str) -> dict[str, Any]:
    """The area's risk profile and phase, its cases (aggregated) and its advocacy issues."""
    view = areas.area(db, actor, pcode)
    out = asdict(view)
    out["issues"] = [i.as_dict() for i in view.issues]
    out["analysis"] = view.analysis.as_dict() if view.analysis else None
    return out
