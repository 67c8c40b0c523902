"""Lists of cases: "my work" (overdue first, then by risk level and deadline), the case search
with filters (htmx refreshes the results; without JavaScript the form submits as a GET), and the
supervisor's team view with what waits for approval."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from safepath.cases import lifecycle, registry, views, worklist
from safepath.cases.registry import CaseFilter
from safepath.inputs import MAX_OFFSET
from safepath.privacy import persons
from safepath.web import menu
from safepath.web.context import PageDep, see_other

router = APIRouter(include_in_schema=False)
MY_WORK_ROWS = 100
PAGE_ROWS = 25
TOTAL_CAP = 1000  # the case list counts its matches up to here, then shows "1,000+"


@router.get("/work")
def my_work(page: PageDep) -> Response:
    if page.actor.role not in menu.opens("/work"):
        return see_other(menu.start(page.actor.role))
    work = worklist.my_work(page.db, page.actor, limit=MY_WORK_ROWS)
    return page.render(
        "work.html",
        # the most urgent first; the whole caseload is one click away in the case list
        cases=work.items,
        total=work.total,
        counts=work.by_level,
        overdue=work.overdue,
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
    cursor: str = "",
) -> Response:
    page.require(*menu.opens("/cases"))
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
    offset = min(max(0, offset), MAX_OFFSET)
    people: list[dict[str, Any]] = []
    if q.strip():
        # name or phone through the person registry's blind indexes; then those people's cases
        people = persons.search(page.db, page.actor, q.strip(), limit=10)["items"]
        f = replace(f, person_codes=tuple(p["code"] for p in people))
    page_ = registry.CasePage([], None, None, 0)
    if f.person_codes != ():  # a name search that found nobody has no cases to look up
        # keyset pages ("Next" carries the cursor); the count stops past TOTAL_CAP ("1,000+")
        page_ = registry.list_cases(
            page.db,
            page.actor,
            f,
            sort=sort,
            limit=PAGE_ROWS,
            offset=0 if cursor else offset,
            cursor=cursor or None,
            with_total=True,
            total_cap=TOTAL_CAP,
        )
    template = "cases_results.html" if page.request.headers.get("hx-request") else "cases.html"
    return page.render(
        template,
        cases=views.case_rows(page.db, page_.items),
        total=TOTAL_CAP if page_.total_capped else page_.total,
        total_capped=page_.total_capped,
        next_cursor=page_.next,
        previous_cursor=page_.previous,
        chosen=chosen,
        overdue=overdue,
        q=q,
        people=people,
        sort=sort,
        statuses=[s.value for s in lifecycle.Status],
    )


@router.get("/team")
def team(page: PageDep) -> Response:
    page.require(*menu.opens("/team"))
    overdue = registry.overdue_summary(page.db, page.actor, "caseworker")
    plans = registry.list_cases(
        page.db, page.actor, CaseFilter(status=lifecycle.Status.assessed), limit=200
    ).items
    to_approve = [c for c in plans if c.plan_status == "draft"]  # a draft has interventions
    closures = registry.list_cases(
        page.db, page.actor, CaseFilter(status=lifecycle.Status.closure_requested), limit=200
    ).items
    return page.render(
        "team.html",
        overdue=overdue,
        plans=views.case_rows(page.db, to_approve),
        closures=views.case_rows(page.db, closures),
    )
