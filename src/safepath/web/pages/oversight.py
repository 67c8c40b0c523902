"""The auditor's and the data-protection focal point's pages: the audit trail (read-only,
filtered, keyset-paged), the chain verification, the key ring's status and retention (dry run;
apply with a confirmation). Thin: ``safepath.privacy.oversight`` gives the views and checks the
permissions; the menu table says who opens each page."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from safepath.errors import ValidationFailed
from safepath.feedback.access import SENSITIVE_RECORD_TYPE
from safepath.inputs import DB_INT_MAX
from safepath.privacy import oversight
from safepath.store.db import get_engine
from safepath.web import menu
from safepath.web.context import Page, PageDep
from safepath.web.forms import first, read_form
from safepath.web.i18n import translate

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=80)]


def _date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{name}: {raw!r} is not a date (YYYY-MM-DD)") from None


@router.get("/audit")
def trail(
    page: PageDep,
    user: Text = None,
    action: Text = None,
    person: Text = None,
    since: Text = None,
    until: Text = None,
    before: Annotated[int | None, Query(ge=1, le=DB_INT_MAX)] = None,
) -> Response:
    page.require(*menu.opens("/audit"))
    values = {"user": user, "action": action, "person": person, "since": since, "until": until}
    values = {k: (v or "").strip() for k, v in values.items()}
    try:
        flt = oversight.TrailFilter(
            username=values["user"] or None,
            action=values["action"] or None,
            person_code=values["person"] or None,
            since=_date(values["since"], "since"),
            until=_date(values["until"], "until"),
        )
    except ValidationFailed as exc:
        return page.render("audit.html", status=422, values=values, refused=exc.message, found=None)
    # events about sensitive complaints are the PSEA focal point's alone (as in the API)
    found = oversight.trail(
        page.db, page.actor, flt, before=before, hidden_record_types=(SENSITIVE_RECORD_TYPE,)
    )
    keep = "&".join(f"{k}={v}" for k, v in values.items() if v)
    return page.render("audit.html", values=values, found=found, keep=keep, refused=None)


@router.get("/audit/verify")
def verify(page: PageDep) -> Response:
    page.require(*menu.opens("/audit/verify"))
    return page.render("audit_verify.html", result=oversight.verify(page.db, page.actor))


@router.get("/keys")
def keys(page: PageDep) -> Response:
    page.require(*menu.opens("/keys"))
    return page.render("keys.html", ks=oversight.key_status(page.db, page.actor, get_engine()))


def _retention_page(
    page: Page,
    result: oversight.RetentionStatus,
    status: int = 200,
    refused: str | None = None,
) -> Response:
    from safepath.privacy import policy

    return page.render(
        "retention.html",
        status=status,
        result=result,
        refused=refused,
        can_apply=policy.can(page.actor, "retention.run"),
    )


@router.get("/retention")
def retention(page: PageDep) -> Response:
    page.require(*menu.opens("/retention"))
    return _retention_page(page, oversight.retention_status(page.db, page.actor))


@router.post("/retention")
async def apply_retention(page: PageDep) -> Response:
    """Apply, after the confirmation box is ticked; the page shows what was changed."""
    page.require(*menu.opens("/retention"))
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    if first(post, "confirm") != "yes":
        return _retention_page(
            page,
            oversight.retention_status(page.db, page.actor),
            422,
            translate("Tick the box to confirm: anonymisation cannot be undone.", page.lang),
        )
    result, refused = page.attempt(lambda: oversight.apply_retention(page.db, page.actor))
    if refused is not None or result is None:
        return _retention_page(
            page,
            oversight.retention_status(page.db, page.actor),
            refused.status if refused else 422,
            refused.message if refused else None,
        )
    return _retention_page(page, result)
