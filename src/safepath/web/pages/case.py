"""One case: registration (person, consent, case), the case view with its risk explained, and
the forms that move it on (plan, approval, referral, follow-up, closure). Every write is a
domain service call; a refusal is shown on the case page with the service's message."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from safepath.cases import (
    closure,
    followups,
    intake,
    interventions,
    plans,
    referrals,
    registry,
    views,
)
from safepath.cases.actions import Action
from safepath.cases.area_inputs import area_inputs
from safepath.cases.household_view import household as household_view
from safepath.cases.phase_reason import phase_reason
from safepath.cases.schemas import (
    SHAREABLE_FIELDS,
    AssignIn,
    CaseDetailsIn,
    ClosureIn,
    FollowUpIn,
    InterventionIn,
    InterventionProgressIn,
    PlanIn,
    ReferralAnswer,
    ReferralIn,
)
from safepath.errors import Problem, SafepathError, localise
from safepath.places.lookup import place_choices, resolve_place
from safepath.privacy import households, matching
from safepath.privacy.actor import Role
from safepath.privacy.person_schema import ConsentIn, PersonIn
from safepath.web import charts, menu
from safepath.web.context import Page, PageDep, see_other
from safepath.web.form_errors import field_errors, in_words
from safepath.web.forms import Posted, first, invalid, read_form, version
from safepath.web.i18n import reader, translate
from safepath.web.pages.attachments import panel as attachments_panel
from safepath.web.pages.consent import panel as consent_panel

router = APIRouter(include_in_schema=False)


# --- registration ----------------------------------------------------------------------------


@router.get("/register")
def register_form(page: PageDep, household: str | None = None) -> Response:
    """``?household=`` (from a case's household): the form names that household and pre-fills
    the household size with its members and the one being registered."""
    page.require(*menu.opens("/register"))
    values: dict[str, str] = {}
    found = households.find(page.db, page.actor, household.strip().upper()) if household else None
    if found is not None:
        values = {
            "household_code": found.code,
            "household_size": str(households.size(page.db, page.actor, found.code) + 1),
        }
    return page.render(
        "register.html", values=values, consents=set(), areas=set(), places=place_choices(page.db)
    )


def _household(page: Page, post: Posted) -> None:
    """The household chosen on the form: a new one, or an existing one of the agency (refused
    naming the field otherwise); the household size defaults to its members plus this person."""
    if first(post, "new_household") == "1":
        post["household_code"] = [households.start(page.db, page.actor).code]
        return
    typed = first(post, "household_code")
    if not typed:
        return
    code = households.existing(page.db, page.actor, typed).code
    post["household_code"] = [code]
    if not first(post, "household_size"):
        post["household_size"] = [str(households.size(page.db, page.actor, code) + 1)]


def _person_in(post: Posted) -> PersonIn:
    given_by = first(post, "given_by") or "person"
    # The child's assent is recorded only with a guardian's consent (the service refuses it
    # otherwise); the form shows the choice to everyone, since it works without JavaScript.
    answer = first(post, "child_assent")
    assent = {"yes": True, "no": False}.get(answer or "") if given_by == "guardian" else None
    return PersonIn(
        given_name=first(post, "given_name"),
        family_name=first(post, "family_name"),
        sex=first(post, "sex"),
        age=first(post, "age"),
        phone=first(post, "phone"),
        place_pcode=first(post, "place_pcode"),
        household_code=first(post, "household_code"),
        nationality=first(post, "nationality"),
        population_group=first(post, "population_group"),
        consents=[
            ConsentIn(purpose=p, given_by=given_by, child_assent=assent)
            for p in sorted(set(post.get("consent", [])))
        ],
    )


def _both(post: Posted, lang: str) -> tuple[PersonIn, CaseDetailsIn]:
    """The person and the case from one form, every problem of both reported at once."""
    errors: list[ValidationError] = []
    person_in: PersonIn | None = None
    case_in: CaseDetailsIn | None = None
    try:
        person_in = _person_in(post)
    except ValidationError as exc:
        errors.append(exc)
    try:
        case_in = _case_in(post)
    except ValidationError as exc:
        errors.append(exc)
    if errors or person_in is None or case_in is None:
        failed = in_words(errors, lang)
        # each field's own problem too, to show next to it (the summary lists them all)
        fields: dict[str, str] = {}
        for found in errors:
            fields = field_errors(found, lang) | fields
        failed.problems = [Problem(m, column=f) for f, m in fields.items()]
        raise failed
    return person_in, case_in


def _case_in(post: Posted) -> CaseDetailsIn:
    return CaseDetailsIn(
        subject=first(post, "subject") or "individual",
        household_size=first(post, "household_size"),
        thematic_areas=post.get("thematic_areas", []),
        narrative=first(post, "narrative"),
    )


def _field_problems(refused: SafepathError | None, lang: str) -> dict[str, str]:
    """A refusal's problems that name a form field, in the page's language, by field."""
    if refused is None:
        return {}
    read = reader(lang)
    return {p.column: localise(p.message, read) for p in refused.problems if p.column}


@router.post("/register")
async def register(page: PageDep) -> Response:
    """Register a person and open their case. Before saving, the likely duplicates among the
    persons the user may see are shown with three ways on: open the existing person (a link),
    a new case for that person (``use_person``), or continue with a new person
    (``confirm_new=1``)."""
    page.require(*menu.opens("/register"))
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    likely: list[matching.Match] = []

    def write() -> str | None:
        typed = first(post, "place_pcode")
        if typed:  # a P-code in any case, a place name, or the picker's "Name (PCODE)"
            post["place_pcode"] = [resolve_place(page.db, typed)]
        if not first(post, "use_person"):  # a new person: their household
            _household(page, post)
        person_in, case_in = _both(post, page.lang)
        existing = first(post, "use_person")
        if existing:
            case_in = case_in.model_copy(
                update={
                    "place_pcode": person_in.place_pcode,
                    "population_group": person_in.population_group,
                }
            )
            return intake.open_for_person(
                page.db, page.actor, existing, person_in.consents, case_in
            ).code
        if first(post, "confirm_new") != "1":
            likely.extend(matching.find(page.db, page.actor, person_in))
            if likely:
                return None  # shown before saving
        return intake.register_and_open(page.db, page.actor, person_in, case_in).code

    started = first(post, "new_household") == "1"
    code, refused = page.attempt(write)
    if started and refused is not None:
        post["household_code"] = [""]  # the household started was undone with the refusal
    elif started and code is None:
        post.pop("new_household", None)  # started and kept: the form now names it
    if refused is not None and first(post, "use_person"):
        # The refusal undid the reads (and their audit): read again to keep the choices shown.
        try:
            likely.extend(matching.find(page.db, page.actor, _person_in(post)))
        except ValidationError:
            pass
    if code is None:
        return page.render(
            "register.html",
            status=refused.status if refused is not None else 200,
            values={k: first(post, k) or "" for k in post},
            consents=set(post.get("consent", [])),
            areas=set(post.get("thematic_areas", [])),
            places=place_choices(page.db),
            refused=refused.message if refused is not None else None,
            errors=_field_problems(refused, page.lang),
            matches=likely,
        )
    return see_other(f"/cases/{code}")


# --- the case --------------------------------------------------------------------------------


def _risk_charts(page: Page, history: list[views.AssessmentRow]) -> dict[str, Any]:
    lang = page.lang
    if not history:
        return {}
    latest = history[-1]
    rtl = lang == "ar"
    tvc = charts.bars(
        [
            (translate("Threat", lang), latest.threat, charts.COLOURS["threat"]),
            (
                translate("Vulnerability", lang),
                latest.vulnerability,
                charts.COLOURS["vulnerability"],
            ),
            (translate("Capacity", lang), latest.capacity, charts.COLOURS["capacity"]),
        ],
        5,
        translate("Threat, vulnerability and capacity (1 to 5)", lang),
        rtl=rtl,
    )
    trend = charts.line(
        [(str(a.seq), float(a.risk)) for a in history],
        10,
        translate("Risk at each assessment", lang),
    )
    return {"tvc_chart": tvc, "trend_chart": trend}


def case_page(
    page: Page, code: str, status: int = 200, refused: str | None = None, done: str | None = None
) -> Response:
    if page.actor.role is Role.partner_focal_point:
        registry.get_case(page.db, page.actor, code)  # 404 unless referred to the partner
        return see_other("/inbox")
    file = views.case_file(page.db, page.actor, code)
    return page.render(
        "case.html",
        status=status,
        file=file,
        case=file.case,
        person=file.person,
        history=file.history,
        latest=file.latest,
        plan=file.plan,
        referrals=file.referrals,
        follow_ups=file.follow_ups,
        can=file.actions,
        Action=Action,
        shareable=SHAREABLE_FIELDS,
        refused=refused,
        done=done,
        done_section=DONE.get(done or ""),
        consent=consent_panel(page, file.person.code),
        attachments=attachments_panel(page, file.case.code),
        household=household_view(page.db, page.actor, file.person.household_code),
        can_register=page.actor.role in menu.opens("/register"),
        phase_reason=(
            phase_reason(file.latest.explanation, file.latest.phase) if file.latest else None
        ),
        area_inputs=area_inputs(file.latest.explanation) if file.latest else {},
        **_risk_charts(page, file.history),
    )


@router.get("/cases/{code}")
def case_view(page: PageDep, code: str, done: str | None = None) -> Response:
    return case_page(page, code, done=done if done in DONE else None)


# What a save confirms, and the section of the case page it lands on (no jump to the top).
DONE: dict[str, str] = {
    "plan_saved": "plan",
    "plan_approved": "plan",
    "intervention_updated": "plan",
    "referral_sent": "referrals",
    "follow_up_recorded": "follow-ups",
    "closure_requested": "closure",
    "closure_approved": "closure",
    "closure_rejected": "closure",
    "reassigned": "summary",
    "assessed": "risk",
    "referral_revoked": "referrals",
    "reopened": "closure",
    "consent_given": "consent",
    "consent_withdrawn": "consent",
}


async def _act(page: Page, code: str, write: Any, done: str) -> Response:
    """Check the token and the version, run the write; back to the case either way, at the
    section written, with a confirmation (``done`` is one of ``DONE``)."""
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    expected = version(post)

    def run() -> Any:
        try:
            return write(post, expected)
        except ValidationError as exc:
            raise invalid(exc, page.lang) from exc

    _, refused = page.attempt(run)
    if refused is not None:
        return case_page(page, code, status=refused.status, refused=refused.message)
    return see_other(f"/cases/{code}?done={done}#{DONE[done]}")


def _interventions(post: Posted) -> list[InterventionIn]:
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
        done="plan_saved",
    )


@router.post("/cases/{code}/plan/approve")
async def approve_plan(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: plans.approve_plan(page.db, page.actor, code, v),
        done="plan_approved",
    )


@router.post("/cases/{code}/interventions/{number}/progress")
async def intervention_progress(page: PageDep, code: str, number: int) -> Response:
    """One intervention marked in progress, done or cancelled (the plan is not re-approved)."""
    return await _act(
        page,
        code,
        lambda post, v: interventions.record_progress(
            page.db,
            page.actor,
            code,
            number,
            InterventionProgressIn(status=first(post, "status") or "", note=first(post, "note")),
            v,
        ),
        done="intervention_updated",
    )


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
                service=first(post, "service") or "",
                shared_fields=post.get("shared_fields", []),
                reason=first(post, "reason"),
                urgency=first(post, "urgency"),
                override_reason=first(post, "override_reason"),
            ),
            v,
        ),
        done="referral_sent",
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
                kind=first(post, "kind") or "visit",
                note=first(post, "note"),
                next_due=first(post, "next_due"),
            ),
            v,
        ),
        done="follow_up_recorded",
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
            ClosureIn(reason=first(post, "reason"), note=first(post, "note")),
            v,
        ),
        done="closure_requested",
    )


@router.post("/cases/{code}/close/approve")
async def approve_closure(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: closure.approve_closure(page.db, page.actor, code, v),
        done="closure_approved",
    )


@router.post("/cases/{code}/assign")
async def assign(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: registry.assign(
            page.db, page.actor, code, AssignIn(caseworker=first(post, "caseworker")), v
        ),
        done="reassigned",
    )


@router.post("/cases/{code}/close/reject")
async def reject_closure(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: closure.reject_closure(
            page.db, page.actor, code, ClosureIn(note=first(post, "note")), v
        ),
        done="closure_rejected",
    )


@router.post("/cases/{code}/referrals/{ref}/revoke")
async def revoke_referral(page: PageDep, code: str, ref: str) -> Response:
    """The sender withdraws a referral (the partner loses access at once); the version is the
    referral's own."""
    return await _act(
        page,
        code,
        lambda post, v: referrals.revoke(
            page.db, page.actor, ref, ReferralAnswer(note=first(post, "note")), v
        ),
        done="referral_revoked",
    )


@router.post("/cases/{code}/reopen")
async def reopen(page: PageDep, code: str) -> Response:
    return await _act(
        page,
        code,
        lambda post, v: closure.reopen(
            page.db, page.actor, code, ClosureIn(note=first(post, "note")), v
        ),
        done="reopened",
    )


__all__ = ["SafepathError", "router"]
