"""Data-subject requests, for the data-protection focal point: find the person, see what is held
and the consents, download everything held (access request), erase on request after a
confirmation (the person's code typed again). The services do the work: ``persons.export`` and
``persons.erase`` check the permission, the agency scope and audit each step; the erasure steps
of the other layers blank every free text."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response

from safepath.privacy import persons, policy
from safepath.web import menu
from safepath.web.context import Page, PageDep, see_other
from safepath.web.forms import first, read_form
from safepath.web.i18n import translate
from safepath.web.pages.consent import panel

router = APIRouter(include_in_schema=False)
_PERSON_CODE = re.compile(r"P-[0-9A-Z]{10}")
# The identifying fields the page lists (what erasure removes); the rest identify nobody alone.
IDENTIFYING = ("given_name", "family_name", "other_names", "date_of_birth", "phone", "address")
COARSE = ("sex", "age", "nationality", "place_pcode", "population_group", "household_code")


def _require(page: Page) -> None:
    page.require(*menu.opens("/privacy/subjects"))
    policy.require(page.actor, "person.export")


@router.get("/privacy/subjects")
def find(page: PageDep, q: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """By the person's code (straight to the person) or by name or phone (blind indexes)."""
    _require(page)
    typed = (q or "").strip()
    if _PERSON_CODE.fullmatch(typed.upper()):
        return see_other(f"/privacy/subjects/{typed.upper()}")
    found = persons.search(page.db, page.actor, typed, limit=50) if typed else None
    return page.render("subjects.html", q=typed, found=found)


def _subject_page(
    page: Page, code: str, status: int = 200, refused: str | None = None, done: str | None = None
) -> Response:
    person = persons.get(page.db, page.actor, code)  # 404 outside the agency; audited
    return page.render(
        "subject.html",
        status=status,
        person=person,
        identifying=IDENTIFYING,
        coarse=COARSE,
        consent=panel(page, code),
        refused=refused,
        done=done,
    )


@router.get("/privacy/subjects/{code}")
def subject(page: PageDep, code: str, done: str | None = None) -> Response:
    _require(page)
    return _subject_page(page, code, done="erased" if done == "erased" else None)


@router.get("/privacy/subjects/{code}/export")
def export(page: PageDep, code: str) -> Response:
    """Everything held about the person, as one JSON file (the export is audited)."""
    _require(page)
    data: dict[str, Any] = persons.export(page.db, page.actor, code)
    body = json.dumps(jsonable_encoder(data), ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{code}.json"'},
    )


@router.get("/privacy/subjects/{code}/erase")
def confirm_erasure(page: PageDep, code: str) -> Response:
    _require(page)
    policy.require(page.actor, "person.erase")
    person = persons.get(page.db, page.actor, code)
    return page.render("subject_erase.html", person=person, identifying=IDENTIFYING, refused=None)


@router.post("/privacy/subjects/{code}/erase")
async def erase(page: PageDep, code: str) -> Response:
    """Erase once the person's code is typed again (anonymisation cannot be undone)."""
    _require(page)
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    if (first(post, "confirm_code") or "").upper() != code:
        person = persons.get(page.db, page.actor, code)
        return page.render(
            "subject_erase.html",
            status=422,
            person=person,
            identifying=IDENTIFYING,
            refused=translate("Type the person's code to confirm the erasure.", page.lang),
        )
    _, refused = page.attempt(lambda: persons.erase(page.db, page.actor, code))
    if refused is not None:
        return _subject_page(page, code, refused.status, refused.message)
    return see_other(f"/privacy/subjects/{code}?done=erased")
