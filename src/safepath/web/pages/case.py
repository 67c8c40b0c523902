"""One case: registration (person, consent, case), the case view with its risk explained, and
the forms that move it on (plan, approval, referral, follow-up, closure). Every write is a
domain service call; a refusal is shown on the case page with the service's message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from safepath.cases import (
    assessments,
    closure,
    followups,
    plans,
    referrals,
    registry,
    views,
)
from safepath.cases.schemas import (
    SHAREABLE_FIELDS,
    AssignIn,
    CaseIn,
    ClosureIn,
    FollowUpIn,
    InterventionIn,
    PlanIn,
    ReferralIn,
)
from safepath.errors import SafepathError, ValidationFailed
from safepath.privacy import persons
from safepath.privacy.actor import Role
from safepath.privacy.person_schema import ConsentIn, PersonIn
from safepath.store.models import Organisation, Service, User
from safepath.web import charts
from safepath.web.context import Page, PageDep, see_other
from safepath.web.i18n import translate
from safepath.web.pages.assess import _post

router = APIRouter(include_in_schema=False)
STAFF = (Role.caseworker, Role.supervisor)


def _first(post: dict[str, list[str]], name: str) -> str | None:
    value = (post.get(name) or [""])[0].strip()
    return value or None


def _invalid(exc: ValidationError) -> ValidationFailed:
    parts = [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return ValidationFailed("; ".join(parts))


# --- registration ----------------------------------------------------------------------------


@router.get("/register")
def register_form(page: PageDep) -> Response:
    page.require(*STAFF)
    return page.render("register.html", values={}, consents=set(), areas=set())


@router.post("/register")
async def register(page: PageDep) -> Response:
    page.require(*STAFF)
    post = await _post(page.request)
    page.check_csrf(_first(post, "csrf_token"))
    consents = set(post.get("consent", []))
    areas = post.get("thematic_areas", [])

    def write() -> str:
        try:
            person_in = PersonIn(
                given_name=_first(post, "given_name"),
                family_name=_first(post, "family_name"),
                sex=_first(post, "sex"),
                age=_first(post, "age"),
                phone=_first(post, "phone"),
                place_pcode=_first(post, "place_pcode"),
                population_group=_first(post, "population_group"),
                consents=[
                    ConsentIn(purpose=p, given_by=_first(post, "given_by") or "person")
                    for p in sorted(consents)
                ],
            )
        except ValidationError as exc:
            raise _invalid(exc) from exc
        person = persons.create(page.db, page.actor, person_in)
        try:
            case_in = CaseIn(
                person_code=person["code"],
                subject=_first(post, "subject") or "individual",
                household_size=_first(post, "household_size"),
                thematic_areas=areas,
                narrative=_first(post, "narrative"),
            )
        except ValidationError as exc:
            raise _invalid(exc) from exc
        return registry.create_case(page.db, page.actor, case_in).code

    code, refused = page.attempt(write)
    if refused is not None:
        return page.render(
            "register.html",
            status=refused.status,
            values={k: _first(post, k) or "" for k in post},
            consents=consents,
            areas=set(areas),
            refused=refused.message,
        )
    return see_other(f"/cases/{code}")


# --- the case --------------------------------------------------------------------------------


def _risk_charts(page: Page, history: list[dict[str, Any]]) -> dict[str, Any]:
    lang = page.lang
    if not history:
        return {}
    latest = history[-1]
    rtl = lang == "ar"
    tvc = charts.bars(
        [
            (translate("Threat", lang), latest["threat"], charts.COLOURS["threat"]),
            (
                translate("Vulnerability", lang),
                latest["vulnerability"],
                charts.COLOURS["vulnerability"],
            ),
            (translate("Capacity", lang), latest["capacity"], charts.COLOURS["capacity"]),
        ],
        5,
        translate("Threat, vulnerability and capacity (1 to 5)", lang),
        rtl=rtl,
    )
    trend = charts.line(
        [(str(a["seq"]), float(a["risk"])) for a in history],
        10,
        translate("Risk at each assessment", lang),
    )
    return {"tvc_chart": tvc, "trend_chart": trend}


def _services(page: Page) -> list[tuple[str, str]]:
    """The services directory as (reference, label) for the referral form: other agencies' too."""
    rows = page.db.execute(
        select(Service.code, Service.name, Organisation.code).join(Organisation)
    ).all()
    return sorted((f"{org}/{code}", f"{name} ({org})") for code, name, org in rows)


def _caseworkers(page: Page) -> list[str]:
    """Who a supervisor may hand the case to: the agency's active case staff."""
    return list(
        page.db.scalars(
            select(User.username)
            .where(
                User.organisation_id == page.actor.agency_id,
                User.role.in_([Role.caseworker.value, Role.supervisor.value]),
                User.disabled.is_(False),
            )
            .order_by(User.username)
        )
    )


def case_page(page: Page, code: str, status: int = 200, refused: str | None = None) -> Response:
    case = registry.get_case(page.db, page.actor, code)
    if page.actor.role is Role.partner_focal_point:
        return see_other("/inbox")
    view = views.view_for(page.db, page.actor, case)
    _, rows = assessments.list_assessments(page.db, page.actor, code)
    history = [assessments.assessment_view(a, with_answers=False) for a in rows]
    for a in history:
        a["at"] = datetime.fromisoformat(a["assessed_at"]) if a["assessed_at"] else None
    person = persons.get(page.db, page.actor, case.person_code)
    _, refs = referrals.case_referrals(page.db, page.actor, code)
    _, fups = followups.list_follow_ups(page.db, page.actor, code)
    due = view.get("next_action_due")
    return page.render(
        "case.html",
        status=status,
        case=view,
        due=datetime.fromisoformat(due) if due else None,
        person=person,
        history=history,
        latest=history[-1] if history else None,
        plan=plans.plan_view(page.db, case),
        referrals=[referrals.referral_view(page.db, r) for r in refs],
        follow_ups=[followups.follow_up_view(page.db, f) for f in fups],
        services=_services(page),
        shareable=SHAREABLE_FIELDS,
        refused=refused,
        is_supervisor=page.actor.role is Role.supervisor,
        caseworkers=_caseworkers(page) if page.actor.role is Role.supervisor else [],
        **_risk_charts(page, history),
    )


@router.get("/cases/{code}")
def case_view(page: PageDep, code: str) -> Response:
    return case_page(page, code)


async def _act(page: Page, code: str, write: Any) -> Response:
    """Check the token and the version, run the write; back to the case either way."""
    post = await _post(page.request)
    page.check_csrf(_first(post, "csrf_token"))
    raw = _first(post, "version") or ""
    version = int(raw) if raw.isdigit() else None

    def run() -> Any:
        try:
            return write(post, version)
        except ValidationError as exc:
            raise _invalid(exc) from exc

    _, refused = page.attempt(run)
    if refused is not None:
        return case_page(page, code, status=refused.status, refused=refused.message)
    return see_other(f"/cases/{code}")


def _interventions(post: dict[str, list[str]]) -> list[InterventionIn]:
    items = []
    n = len(post.get("modality", []))
    for i in range(n):

        def at(name: str, i: int = i) -> str | None:
            values = post.get(name, [])
            v = values[i].strip() if i < len(values) else ""
            return v or None

        if not at("modality"):
            continue
        items.append(
            InterventionIn(
                modality=at("modality") or "",
                thematic_area=at("thematic_area") or "",
                gpc_risks=[r for r in (at("gpc_risk") or "").split(",") if r],
                description=at("description"),
                due_date=at("due_date"),
                status=at("status") or "planned",
            )
        )
    return items


@router.post("/cases/{code}/plan")
async def save_plan(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: plans.set_plan(
            page.db, page.actor, code, PlanIn(interventions=_interventions(post)), v
        ),
    )


@router.post("/cases/{code}/plan/approve")
async def approve_plan(page: PageDep, code: str) -> Response:
    return await _act(page, code, lambda post, v: plans.approve_plan(page.db, page.actor, code, v))


@router.post("/cases/{code}/refer")
async def refer(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: referrals.refer(
            page.db,
            page.actor,
            code,
            ReferralIn(
                service=_first(post, "service") or "",
                shared_fields=post.get("shared_fields", []),
                reason=_first(post, "reason"),
                urgency=_first(post, "urgency"),
                override_reason=_first(post, "override_reason"),
            ),
            v,
        ),
    )


@router.post("/cases/{code}/follow-up")
async def follow_up(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: followups.record_follow_up(
            page.db,
            page.actor,
            code,
            FollowUpIn(
                kind=_first(post, "kind") or "visit",
                note=_first(post, "note"),
                next_due=_first(post, "next_due"),
            ),
            v,
        ),
    )


@router.post("/cases/{code}/close")
async def request_closure(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: closure.request_closure(
            page.db,
            page.actor,
            code,
            ClosureIn(reason=_first(post, "reason"), note=_first(post, "note")),
            v,
        ),
    )


@router.post("/cases/{code}/close/approve")
async def approve_closure(page: PageDep, code: str) -> Response:
    return await _act(
        page, code, lambda post, v: closure.approve_closure(page.db, page.actor, code, v)
    )


@router.post("/cases/{code}/assign")
async def assign(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: registry.assign(
            page.db, page.actor, code, AssignIn(caseworker=_first(post, "caseworker")), v
        ),
    )


@router.post("/cases/{code}/close/reject")
async def reject_closure(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: closure.reject_closure(
            page.db, page.actor, code, ClosureIn(note=_first(post, "note")), v
        ),
    )


__all__ = ["SafepathError", "router"]
