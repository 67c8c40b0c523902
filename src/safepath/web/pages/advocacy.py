"""Advocacy pages: the log (issues with their duty bearers, areas and status), one issue with its
actions and responses, and an area's page with its risks, cases and advocacy side by side."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from safepath.advocacy import access, areas, service
from safepath.advocacy.schemas import STATUSES, ActionEdit, ActionIn, IssueEdit, IssueIn, StatusIn
from safepath.web import menu
from safepath.web.context import Page, PageDep, see_other
from safepath.web.forms import Posted, first, invalid, read_form, version

router = APIRouter(include_in_schema=False)


def _log_page(page: Page, status: int = 200, refused: str | None = None, **values: Any) -> Response:
    page.require(*menu.opens("/advocacy"))
    issues = [service.view(page.db, i) for i in service.list_issues(page.db, page.actor)]
    return page.render(
        "advocacy.html",
        status=status,
        issues=issues,
        refused=refused,
        values=values,
        can_write=page.actor.role in access.WRITE,
    )


@router.get("/advocacy")
def advocacy_log(page: PageDep) -> Response:
    return _log_page(page)


def _issue_fields(post: Posted) -> dict[str, Any]:
    areas_given = [p.strip() for p in (first(post, "areas") or "").replace(",", " ").split()]
    return {
        "title": first(post, "title") or "",
        "summary": first(post, "summary"),
        "duty_bearer": first(post, "duty_bearer") or "",
        "duty_bearer_level": first(post, "duty_bearer_level") or "",
        "rights": post.get("rights", []),
        "gpc_risks": post.get("gpc_risks", []),
        "areas": areas_given,
    }


def _issue_in(post: Posted) -> IssueIn:
    try:
        return IssueIn.model_validate(_issue_fields(post))
    except ValidationError as exc:
        raise invalid(exc) from exc


@router.post("/advocacy")
async def raise_issue(page: PageDep) -> Response:
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    issue, refused = page.attempt(
        lambda: service.create_issue(page.db, page.actor, _issue_in(post))
    )
    if refused is not None or issue is None:
        values = {k: first(post, k) or "" for k in ("title", "summary", "duty_bearer", "areas")}
        return _log_page(
            page, refused.status if refused else 422, refused.message if refused else None, **values
        )
    return see_other(f"/advocacy/{issue.code}")


def _issue_page(page: Page, code: str, status: int = 200, refused: str | None = None) -> Response:
    issue = service.get_issue(page.db, page.actor, code)
    return page.render(
        "advocacy_issue.html",
        status=status,
        issue=service.view(page.db, issue),
        refused=refused,
        statuses=STATUSES,
        today=date.today().isoformat(),
        can_write=page.actor.role in access.WRITE,
    )


@router.get("/advocacy/{code}")
def advocacy_issue(page: PageDep, code: str) -> Response:
    return _issue_page(page, code)


@router.post("/advocacy/{code}/{step}")
async def advocacy_step(page: PageDep, code: str, step: str) -> Response:
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    expected = version(post)

    def write() -> Any:
        try:
            if step == "status":
                body = StatusIn.model_validate({"status": first(post, "status")})
                return service.set_status(page.db, page.actor, code, body, expected)
            if step == "edit":
                edit = IssueEdit.model_validate(_issue_fields(post))
                return service.update_issue(page.db, page.actor, code, edit, expected)
            if step == "action":
                change = ActionEdit.model_validate(
                    {
                        "response": first(post, "response"),
                        "response_on": first(post, "response_on"),
                    }
                )
                raw = first(post, "action_id") or ""
                action_id = int(raw) if raw.isdigit() and len(raw) < 10 else 0
                return service.update_action(page.db, page.actor, code, action_id, change, expected)
            action = ActionIn.model_validate(
                {
                    "kind": first(post, "kind"),
                    "taken_on": first(post, "taken_on"),
                    "description": first(post, "description"),
                    "response": first(post, "response"),
                    "response_on": first(post, "response_on"),
                }
            )
            return service.add_action(page.db, page.actor, code, action, expected)
        except ValidationError as exc:
            raise invalid(exc) from exc

    if step not in ("status", "actions", "edit", "action"):
        return _issue_page(page, code, 404)
    _, refused = page.attempt(write)
    if refused is not None:
        return _issue_page(page, code, refused.status, refused.message)
    return see_other(f"/advocacy/{code}")


@router.get("/areas/{pcode}")
def area_page(page: PageDep, pcode: str) -> Response:
    page.require(*menu.opens("/advocacy"))
    return page.render("area.html", area=areas.area(page.db, page.actor, pcode))
