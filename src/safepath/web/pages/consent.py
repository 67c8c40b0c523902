"""The consent panel of the case page: consent given or withdrawn per purpose, through the consent
service (``safepath.privacy.persons``: scope, audit, the child-assent rule, and the withdrawal
hooks that revoke what a withdrawn consent stops sharing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from safepath.cases import registry
from safepath.privacy import persons, policy
from safepath.privacy.consent import PURPOSES
from safepath.privacy.person_schema import ConsentIn
from safepath.web.context import Page, PageDep, see_other
from safepath.web.forms import first, invalid, read_form
from safepath.web.i18n import translate

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class PurposeRow:
    """One purpose as the panel shows it: the standing consent, or the last withdrawal."""

    purpose: str
    active: bool
    given_by: str | None
    child_assent: bool | None
    given_at: datetime | None
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class ConsentPanel:
    rows: list[PurposeRow]
    can_write: bool

    @property
    def missing(self) -> list[str]:
        return [r.purpose for r in self.rows if not r.active]


def _at(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def panel(page: Page, person_code: str) -> ConsentPanel | None:
    """The panel for a case's person (``None`` for roles that may not read consent)."""
    if not policy.can(page.actor, "consent.read"):
        return None
    held = persons.list_consents(page.db, page.actor, person_code)  # audited
    rows = []
    for purpose in PURPOSES:
        mine = [c for c in held if c["purpose"] == purpose]
        active = next((c for c in mine if c["active"]), None)
        last = active or (mine[-1] if mine else None)
        rows.append(
            PurposeRow(
                purpose,
                active is not None,
                str(last["given_by"]) if last else None,
                last["child_assent"] if last else None,  # type: ignore[arg-type]
                _at(last["given_at"]) if last else None,
                _at(last["withdrawn_at"]) if last and not active else None,
            )
        )
    return ConsentPanel(rows, policy.can(page.actor, "consent.write"))


async def _consent_write(page: Page, code: str, write: object, done: str) -> Response:
    from safepath.web.pages.case import case_page  # the case page renders the panel

    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))

    def run() -> object:
        person_code = registry.get_case(page.db, page.actor, code).person_code
        try:
            return write(post, person_code)  # type: ignore[operator]
        except ValidationError as exc:
            raise invalid(exc, page.lang) from exc

    _, refused = page.attempt(run)
    if refused is not None:
        return case_page(page, code, status=refused.status, refused=refused.message)
    return see_other(f"/cases/{code}?done={done}#consent")


@router.post("/cases/{code}/consent")
async def give(page: PageDep, code: str) -> Response:
    """Consent to one purpose, by the person or by a guardian (for a child, with the child's
    assent: the service refuses a guardian's consent for a child without it)."""

    def write(post: dict[str, list[str]], person_code: str) -> object:
        given_by = first(post, "given_by") or "person"
        answer = first(post, "child_assent")
        assent = {"yes": True, "no": False}.get(answer or "") if given_by == "guardian" else None
        data = ConsentIn.model_validate(
            {"purpose": first(post, "purpose"), "given_by": given_by, "child_assent": assent}
        )
        return persons.give_consent(page.db, page.actor, person_code, data)

    return await _consent_write(page, code, write, "consent_given")


@router.post("/cases/{code}/consent/{purpose}/withdraw")
async def withdraw(page: PageDep, code: str, purpose: str) -> Response:
    """Withdraw, once the box saying the person asked for it is ticked (consent to share
    withdrawn revokes the person's open referrals at once)."""
    from safepath.errors import ValidationFailed

    def write(post: dict[str, list[str]], person_code: str) -> object:
        if purpose not in PURPOSES:
            raise ValidationFailed(f"unknown consent purpose {purpose!r}")
        if first(post, "confirm") != "yes":
            raise ValidationFailed(translate("Tick the box to confirm the withdrawal.", page.lang))
        return persons.withdraw_consent(page.db, page.actor, person_code, purpose)

    return await _consent_write(page, code, write, "consent_withdrawn")
