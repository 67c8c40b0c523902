"""``/projects``: projects tagged by roadmap pillar and programming type, their protection
mainstreaming self-assessments and progress; ``/mainstreaming/rollup`` across projects by
principle and stage; ``/roadmap/pillars``: the report by pillar.

Thin: each route calls one ``safepath.mainstreaming`` service."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from safepath.api.routes.case_common import IfMatch, done, versioned
from safepath.http.auth import CurrentActor
from safepath.http.db import DB
from safepath.http.params import CodeParam
from safepath.http.responses import RECORD, SIGNED_IN, VERSIONED_WRITE, WRITE
from safepath.mainstreaming import service
from safepath.mainstreaming.schemas import AssessmentIn, ProjectEdit, ProjectIn

router = APIRouter(tags=["projects"], responses=SIGNED_IN)


@router.get("/projects")
def list_projects(db: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return [service.project_view(p) for p in service.list_projects(db, actor)]


@router.post("/projects", status_code=201, responses=WRITE)
def create_project(db: DB, actor: CurrentActor, body: ProjectIn) -> JSONResponse:
    project = service.create_project(db, actor, body)
    view = service.project_view(project)
    done(db)
    return JSONResponse(view, status_code=201)


@router.get("/projects/{code}", responses=RECORD)
def get_project(db: DB, actor: CurrentActor, code: str) -> JSONResponse:
    project = service.get_project(db, actor, code)
    return versioned(db, service.project_view(project), project.version)


@router.patch("/projects/{code}", responses=VERSIONED_WRITE)
def update_project(
    db: DB, actor: CurrentActor, code: str, body: ProjectEdit, version: IfMatch
) -> JSONResponse:
    """Change the name, programming type or pillars, based on the version read."""
    project = service.update_project(db, actor, code, body, version)
    return versioned(db, service.project_view(project), project.version)


@router.post("/projects/{code}/assessments", status_code=201, responses=VERSIONED_WRITE)
def add_assessment(db: DB, actor: CurrentActor, code: str, body: AssessmentIn) -> JSONResponse:
    assessment = service.add_assessment(db, actor, code, body)
    out = {"code": assessment.code, "score": service.score(assessment)}
    done(db)
    return JSONResponse(out, status_code=201)


@router.get("/projects/{code}/progress", responses=RECORD)
def progress(
    db: DB, actor: CurrentActor, code: str, earlier: CodeParam = None, later: CodeParam = None
) -> dict[str, Any]:
    """Between two assessments (default: the last two), cell by cell."""
    return asdict(service.progress(service.get_project(db, actor, code), earlier, later))


@router.get("/mainstreaming/rollup")
def rollup(db: DB, actor: CurrentActor) -> dict[str, Any]:
    return service.rollup(db, actor).as_dict()


@router.get("/roadmap/pillars")
def pillars(db: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return service.pillar_report(db, actor)
