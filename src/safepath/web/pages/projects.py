"""Project pages: projects tagged by roadmap pillar and programming type with the report by
pillar and the mainstreaming roll-up; one project with its self-assessments, progress and a new
checklist."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from safepath.framework import catalogue
from safepath.mainstreaming import access, service
from safepath.mainstreaming.schemas import AssessmentIn, ProjectEdit, ProjectIn
from safepath.web import menu
from safepath.web.context import Page, PageDep, see_other
from safepath.web.forms import Posted, first, invalid, read_form, version

router = APIRouter(include_in_schema=False)


def _principles_stages() -> tuple[list[str], list[str]]:
    cat = catalogue()
    return cat.codes("mainstreaming_principles"), cat.codes("project_cycle_stages")


def _list_page(page: Page, status: int = 200, refused: str | None = None) -> Response:
    page.require(*menu.opens("/projects"))
    principles, stages = _principles_stages()
    return page.render(
        "projects.html",
        status=status,
        projects=[service.project_view(p) for p in service.list_projects(page.db, page.actor)],
        pillars=service.pillar_report(page.db, page.actor),
        rollup=service.rollup(page.db, page.actor),
        principles=principles,
        stages=stages,
        types=catalogue().codes("programming_types"),
        can_write=page.actor.role in access.WRITE,
        refused=refused,
    )


@router.get("/projects")
def projects(page: PageDep) -> Response:
    return _list_page(page)


@router.post("/projects")
async def create_project(page: PageDep) -> Response:
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))

    def write() -> Any:
        try:
            body = ProjectIn.model_validate(
                {
                    "name": first(post, "name"),
                    "programming_type": first(post, "programming_type"),
                    "pillars": post.get("pillars", []),
                }
            )
        except ValidationError as exc:
            raise invalid(exc) from exc
        return service.create_project(page.db, page.actor, body)

    project, refused = page.attempt(write)
    if refused is not None or project is None:
        return _list_page(
            page, refused.status if refused else 422, refused.message if refused else None
        )
    return see_other(f"/projects/{project.code}")


def _project_page(page: Page, code: str, status: int = 200, refused: str | None = None) -> Response:
    page.require(*menu.opens("/projects"))
    principles, stages = _principles_stages()
    return page.render(
        "project.html",
        status=status,
        project=service.project_view(service.get_project(page.db, page.actor, code)),
        principles=principles,
        stages=stages,
        types=catalogue().codes("programming_types"),
        can_write=page.actor.role in access.WRITE,
        refused=refused,
    )


@router.get("/projects/{code}")
def project(page: PageDep, code: str) -> Response:
    return _project_page(page, code)


def _assessment_in(post: Posted) -> AssessmentIn:
    principles, stages = _principles_stages()
    scores = [
        {
            "principle": p,
            "stage": s,
            "score": first(post, f"score-{p}-{s}"),
            "evidence": first(post, f"evidence-{p}-{s}"),
        }
        for p in principles
        for s in stages
    ]
    actions = []
    if first(post, "action"):
        actions.append(
            {
                "principle": first(post, "action_principle"),
                "stage": first(post, "action_stage"),
                "action": first(post, "action"),
                "owner": first(post, "owner"),
                "due_on": first(post, "due_on"),
            }
        )
    try:
        return AssessmentIn.model_validate(
            {"assessed_on": first(post, "assessed_on"), "scores": scores, "actions": actions}
        )
    except ValidationError as exc:
        raise invalid(exc) from exc


@router.post("/projects/{code}/assessments")
async def add_assessment(page: PageDep, code: str) -> Response:
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    _, refused = page.attempt(
        lambda: service.add_assessment(page.db, page.actor, code, _assessment_in(post))
    )
    if refused is not None:
        return _project_page(page, code, refused.status, refused.message)
    return see_other(f"/projects/{code}")


@router.post("/projects/{code}/edit")
async def edit_project(page: PageDep, code: str) -> Response:
    """Change the name, programming type or pillars (the form names the version it shows)."""
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))

    def write() -> Any:
        try:
            body = ProjectEdit.model_validate(
                {
                    "name": first(post, "name"),
                    "programming_type": first(post, "programming_type"),
                    "pillars": post.get("pillars", []),
                }
            )
        except ValidationError as exc:
            raise invalid(exc) from exc
        return service.update_project(page.db, page.actor, code, body, version(post))

    _, refused = page.attempt(write)
    if refused is not None:
        return _project_page(page, code, refused.status, refused.message)
    return see_other(f"/projects/{code}")
