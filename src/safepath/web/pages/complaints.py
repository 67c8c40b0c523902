"""Complaints and feedback pages: the public form (no account, no JavaScript: a plain form with a
double-submit CSRF cookie, limited per address), and the complaint handlers' list, record,
steps and report. Thin: every rule is in ``safepath.feedback``."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from safepath.errors import Forbidden, SafepathError
from safepath.feedback import access, reports, service, views
from safepath.feedback.schemas import (
    AssignIn,
    CaseReferralIn,
    CategoryIn,
    ClosureIn,
    ComplaintIn,
    ResponseIn,
)
from safepath.feedback.service import STATUSES, ComplaintFilter
from safepath.http.auth import client_ip
from safepath.http.db import DB
from safepath.privacy.disclosure import small_cells
from safepath.settings import get_settings
from safepath.web import menu
from safepath.web.account import CSRF_COOKIE
from safepath.web.context import Page, PageDep, see_other
from safepath.web.forms import Posted, first, invalid, read_form, version
from safepath.web.i18n import translate
from safepath.web.render import render

router = APIRouter(include_in_schema=False)
PUBLIC_CHANNEL = "web_form"
FORM_FIELDS = ("category", "description", "place_pcode", "population_group", "contact")


def _public_form(
    request: Request,
    status: int = 200,
    refused: str | None = None,
    values: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "feedback.html",
        status=status,
        headers=headers,
        csrf_token=token,
        refused=refused,
        values=values or {},
    )
    secure = request.url.scheme == "https" or get_settings().environment == "production"
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )
    return response


@router.get("/feedback", response_class=HTMLResponse)
def feedback_form(request: Request) -> HTMLResponse:
    """The public complaint and feedback form: no account needed."""
    return _public_form(request)


def _complaint_in(post: Posted, channel: str) -> ComplaintIn:
    data: dict[str, Any] = {name: first(post, name) for name in FORM_FIELDS}
    data["channel"] = channel
    data["contact_consent"] = first(post, "contact_consent") == "yes"
    try:
        return ComplaintIn.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        raise invalid(exc) from exc


@router.post("/feedback", response_class=HTMLResponse)
async def send_feedback(request: Request, db: DB) -> Response:
    post = await read_form(request)
    token, cookie = first(post, "csrf_token"), request.cookies.get(CSRF_COOKIE)
    if not (token and cookie and hmac.compare_digest(token, cookie)):
        raise Forbidden("the form expired or was not sent from this site; reload and try again")
    values = {name: first(post, name) or "" for name in FORM_FIELDS}
    try:
        complaint = service.submit(
            db, None, _complaint_in(post, PUBLIC_CHANNEL), ip=client_ip(request)
        )
    except SafepathError as exc:
        if exc.status >= 500:
            raise
        db.rollback()
        return _public_form(request, exc.status, exc.message, values, getattr(exc, "headers", None))
    code = complaint.code
    db.commit()
    return render(request, "feedback_sent.html", code=code)


# --- the complaint handlers' pages -----------------------------------------------------------
def _require(page: Page, path: str) -> None:
    page.require(*menu.opens(path))


@router.get("/complaints")
def complaint_list(
    page: PageDep, status: str = "", overdue: str = "", mine: str = "", routed: str = ""
) -> Response:
    _require(page, "/complaints")
    f = ComplaintFilter(
        status=status if status in STATUSES else None,
        overdue=True if overdue == "1" else None,
        mine=mine == "1",
    )
    total, found = service.list_complaints(page.db, page.actor, f, limit=200)
    return page.render(
        "complaints.html",
        complaints=views.rows(page.db, found),
        total=total,
        statuses=STATUSES,
        status_filter=status,
        overdue=overdue == "1",
        mine=mine == "1",
        routed=routed == "1",
        refused=None,
        values={},
    )


@router.post("/complaints")
async def record_complaint(page: PageDep) -> Response:
    """Staff record a complaint received by hotline, help desk, suggestion box or meeting."""
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    channel = first(post, "channel") or ""

    def write() -> Any:
        return service.submit(page.db, page.actor, _complaint_in(post, channel))

    complaint, refused = page.attempt(write)
    if refused is not None or complaint is None:
        _require(page, "/complaints")
        total, found = service.list_complaints(page.db, page.actor, ComplaintFilter(), limit=200)
        return page.render(
            "complaints.html",
            status=refused.status if refused else 422,
            complaints=views.rows(page.db, found),
            total=total,
            statuses=STATUSES,
            status_filter="",
            refused=refused.message if refused else None,
            values={name: first(post, name) or "" for name in (*FORM_FIELDS, "channel")},
        )
    if complaint.sensitive and not access.sees_sensitive(page.actor):
        # routed to the PSEA focal point: the recorder does not see it any more
        return see_other("/complaints?routed=1")
    if page.actor.role not in access.HANDLE:
        return see_other(menu.start(page.actor.role))
    return see_other(f"/complaints/{complaint.code}")


def _complaint_page(
    page: Page, code: str, status: int = 200, refused: str | None = None
) -> Response:
    complaint = views.read(page.db, page.actor, code)
    assignees: list[str] = []
    if "assign" in complaint.actions:
        assignees = views.assignees(page.db, page.actor, complaint.sensitive)
    takers = views.case_takers(page.db, page.actor) if "refer" in complaint.actions else []
    return page.render(
        "complaint.html",
        status=status,
        complaint=complaint,
        refused=refused,
        assignees=assignees,
        case_takers=takers,
        case_staff=page.actor.role in access.CASE_STAFF,
    )


@router.get("/complaints/report")
def complaint_report(page: PageDep, by: str = "category") -> Response:
    _require(page, "/complaints/report")
    by = by if by in reports.DIMENSIONS else "category"
    return page.render(
        "complaints_report.html",
        rows=reports.report(page.db, page.actor, by),
        summary=reports.summary(page.db, page.actor),
        by=by,
        dimensions=reports.DIMENSIONS,
        threshold=small_cells.threshold(),
    )


@router.get("/complaints/{code}")
def complaint_page(page: PageDep, code: str) -> Response:
    return _complaint_page(page, code)


STEPS = ("acknowledge", "assign", "respond", "close", "recategorise", "refer")


@router.post("/complaints/{code}/{step}")
async def complaint_step(page: PageDep, code: str, step: str) -> Response:
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    expected = version(post)
    if step not in STEPS:
        return _complaint_page(page, code, 404, translate("Unknown step.", page.lang))

    def write() -> Any:
        db, actor = page.db, page.actor
        try:
            if step == "acknowledge":
                return service.acknowledge(db, actor, code, expected)
            if step == "assign":
                return service.assign(
                    db, actor, code, AssignIn(assignee=first(post, "assignee") or ""), expected
                )
            if step == "respond":
                body = ResponseIn(response=first(post, "response") or "")
                return service.respond(db, actor, code, body, expected)
            if step == "close":
                closing = ClosureIn(feedback_given=first(post, "feedback_given") or "")
                return service.close(db, actor, code, closing, expected)
            if step == "recategorise":
                category = CategoryIn(category=first(post, "category") or "")
                return service.recategorise(db, actor, code, category, expected)
            referral = CaseReferralIn.model_validate(
                {
                    "consent_case_management": first(post, "consent") == "yes",
                    "thematic_areas": post.get("thematic_areas", []),
                    "given_name": first(post, "given_name"),
                    "sex": first(post, "sex"),
                    "age": first(post, "age"),
                    "caseworker": first(post, "caseworker"),
                    "shared_summary": first(post, "shared_summary"),
                }
            )
            return service.refer_to_case(db, actor, code, referral, expected)[0]
        except ValidationError as exc:
            raise invalid(exc) from exc

    complaint, refused = page.attempt(write)
    if refused is not None:
        return _complaint_page(page, code, refused.status, refused.message)
    if complaint is not None and complaint.sensitive and not access.sees_sensitive(page.actor):
        return see_other("/complaints?routed=1")
    if (
        step == "refer"
        and complaint is not None
        and complaint.case_code
        and page.actor.role in access.CASE_STAFF  # the PSEA focal point reads no case
    ):
        return see_other(f"/cases/{complaint.case_code}")
    return see_other(f"/complaints/{code}")
