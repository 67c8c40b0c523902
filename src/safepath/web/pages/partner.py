"""The partner's side of a referral: the inbox, one referral with only the shared fields, and
accept / decline / complete. A partner reaches nothing else (the services answer 404)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from safepath.cases import referrals, views
from safepath.cases.schemas import DeclineIn, ReferralAnswer
from safepath.privacy.actor import Role
from safepath.web import menu
from safepath.web.context import Page, PageDep, see_other
from safepath.web.forms import first, invalid, read_form, version

router = APIRouter(include_in_schema=False)


@router.get("/inbox")
def inbox(page: PageDep) -> Response:
    page.require(*menu.opens("/inbox"))
    rows = referrals.inbox(page.db, page.actor)
    return page.render("inbox.html", referrals=[referrals.referral_view(page.db, r) for r in rows])


def _referral_page(
    page: Page, code: str, status: int = 200, refused: str | None = None
) -> Response:
    referral = referrals.get_referral(page.db, page.actor, code)
    shared: dict[str, Any] = views.view_for(page.db, page.actor, referral.case)
    if page.actor.role is not Role.partner_focal_point:
        shared = {k: shared.get(k) for k in referral.shared_fields}
    else:
        shared = {k: shared.get(k) for k in shared.get("shared_fields", [])}
    return page.render(
        "referral.html",
        status=status,
        referral=referrals.referral_view(page.db, referral),
        shared=shared,
        refused=refused,
    )


@router.get("/referrals/{code}")
def referral(page: PageDep, code: str) -> Response:
    return _referral_page(page, code)


@router.post("/referrals/{code}/accept")
async def accept(page: PageDep, code: str) -> Response:
    return await _answer(page, code, "accept")


@router.post("/referrals/{code}/decline")
async def decline(page: PageDep, code: str) -> Response:
    return await _answer(page, code, "decline")


@router.post("/referrals/{code}/complete")
async def complete(page: PageDep, code: str) -> Response:
    return await _answer(page, code, "complete")


async def _answer(page: Page, code: str, answer: str) -> Response:
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    expected = version(post)
    note = first(post, "note")

    def write() -> Any:
        try:
            if answer == "accept":
                return referrals.accept(
                    page.db, page.actor, code, ReferralAnswer(note=note), expected
                )
            if answer == "decline":
                return referrals.decline(
                    page.db, page.actor, code, DeclineIn(reason=note or ""), expected
                )
            if answer == "complete":
                return referrals.complete(
                    page.db, page.actor, code, ReferralAnswer(note=note), expected
                )
        except ValidationError as exc:
            raise invalid(exc) from exc
        return None

    _, refused = page.attempt(write)
    if refused is not None:
        return _referral_page(page, code, status=refused.status, refused=refused.message)
    return see_other(f"/referrals/{code}")
