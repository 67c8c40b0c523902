"""Lists of cases: "my work" (overdue first, then by risk level and deadline), the case search
with filters (htmx refreshes the results; without JavaScript the form submits as a GET), and the
supervisor's team view with what waits for approval."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from safepath.cases import lifecycle, registry, views
from safepath.cases.registry import CaseFilter
from safepath.privacy import persons
from safepath.privacy.actor import Role
from safepath.web.context import PageDep, see_other

router = APIRouter(include_in_schema=False)
MY_WORK_ROWS = 100
LEVEL_RANK = {"high": 0, "medium": 1, "low": 2, "none": 3, None: 4}
CASE_ROLES = (Role.caseworker, Role.supervisor)
START = {
    Role.partner_focal_point: "/inbox",
    Role.analyst: "/analysis/outcomes",
    Role.admin: "/admin",
    Role.dp_focal_point: "/analysis/outcomes",
    Role.auditor: "/account",
}


def urgency(view: dict[str, Any]) -> tuple[int, int, str]:
    """Overdue first, then high before medium before low, then the nearest deadline."""
    return (
        0 if view["overdue"] else 1,
        LEVEL_RANK.get(view["risk_level"], 4),
        view["next_action_due"] or "9999",
    )


def _parse(views_: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for v in views_:
        due = v.get("next_action_due")
        v["due"] = datetime.fromisoformat(due) if due else None
    return views_


@router.get("/work")
def my_work(page: PageDep) -> Response:
    if page.actor.role not in CASE_ROLES:
        return see_other(START.get(page.actor.role, "/account"))
    rows = []
    # a supervisor's work is the team's caseload (the access policy scopes it to their teams)
    mine = None if page.actor.role is Role.supervisor else "me"
    for status in sorted(lifecycle.ACTIVE):
        _, found = registry.list_cases(
            page.db, page.actor, CaseFilter(status=status, caseworker=mine), limit=500
        )
        rows.extend(found)
    active = sorted(views.case_views(page.db, rows), key=urgency)
    counts = dict.fromkeys(("high", "medium", "low", "none"), 0)
    for v in active:
        if v["risk_level"] in counts:
            counts[v["risk_level"]] += 1
    return page.render(
        "work.html",
        # the most urgent first; the whole caseload is one click away in the case list
        cases=_parse(active[:MY_WORK_ROWS]),
        total=len(active),
        counts=counts,
        overdue=sum(1 for v in active if v["overdue"]),
    )


FILTERS = ("status", "risk_level", "thematic_area", "place", "caseworker", "person_code")


@router.get("/cases")
def case_list(
    page: PageDep,
    status: str = "",
    risk_level: str = "",
    thematic_area: str = "",
    place: str = "",
    caseworker: str = "",
    person_code: str = "",
    overdue: str = "",
    q: str = "",
    sort: str = "-updated_at",
    offset: int = 0,
) -> Response:
    page.require(*CASE_ROLES, Role.dp_focal_point)
    chosen = {
        "status": status,
        "risk_level": risk_level,
        "thematic_area": thematic_area,
        "place": place.strip().upper(),
        "caseworker": caseworker.strip(),
        "person_code": person_code.strip(),
    }
    f = CaseFilter(
        status=chosen["status"] or None,
        risk_level=chosen["risk_level"] or None,
        thematic_area=chosen["thematic_area"] or None,
        place=chosen["place"] or None,
        caseworker=chosen["caseworker"] or None,
        person_code=chosen["person_code"] or None,
        overdue=True if overdue == "1" else None,
    )
    sort = sort if sort.lstrip("-") in registry.SORTS else "-updated_at"
    offset = max(0, offset)
    people: list[dict[str, Any]] = []
    if q.strip():
        # name or phone through the person registry's blind indexes; then those people's cases
        people = persons.search(page.db, page.actor, q.strip(), limit=10)["items"]
        rows = []
        for person in people:
            _, found = registry.list_cases(
                page.db, page.actor, replace(f, person_code=person["code"]), sort=sort, limit=25
            )
            rows.extend(found)
        total, offset = len(rows), 0
    else:
        total, rows = registry.list_cases(
            page.db, page.actor, f, sort=sort, limit=25, offset=offset
        )
    template = "cases_results.html" if page.request.headers.get("hx-request") else "cases.html"
    return page.render(
        template,
        cases=_parse(views.case_views(page.db, rows)),
        total=total,
        chosen=chosen,
        overdue=overdue,
        q=q,
        people=people,
        sort=sort,
        offset=offset,
        statuses=[s.value for s in lifecycle.Status],
    )


@router.get("/team")
def team(page: PageDep) -> Response:
    page.require(Role.supervisor)
    overdue = registry.overdue_summary(page.db, page.actor, "caseworker")
    _, plans = registry.list_cases(
        page.db, page.actor, CaseFilter(status=lifecycle.Status.assessed), limit=200
    )
    to_approve = [c for c in plans if c.plan_status == "draft"]  # a draft has interventions
    _, closures = registry.list_cases(
        page.db, page.actor, CaseFilter(status=lifecycle.Status.closure_requested), limit=200
    )
    return page.render(
        "team.html",
        overdue=overdue,
        plans=_parse(views.case_views(page.db, to_approve)),
        closures=_parse(views.case_views(page.db, list(closures))),
    )
