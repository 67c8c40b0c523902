"""Administration: users and roles (create, disable, enable), the services directory and
places. Users are created through the identity service, as ``safepath users`` does; every change
is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response
from sqlalchemy import func, select

from safepath.errors import ValidationFailed
from safepath.inputs import DB_INT_MAX
from safepath.privacy import grants, identity, policy, staff_contact
from safepath.privacy.actor import Role
from safepath.store.models import Organisation, Place, Service, User
from safepath.web import menu
from safepath.web.context import Page, PageDep, see_other
from safepath.web.forms import first, read_form
from safepath.web.i18n import translate

router = APIRouter(include_in_schema=False)
GrantId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]


def _admin(page: Page) -> None:
    page.require(*menu.opens("/admin"))
    policy.require(page.actor, "users.manage")


@router.get("/admin")
def admin(page: PageDep, done: str | None = None, user: str | None = None) -> Response:
    return admin_page(page, reset_for=user if done == "password" else None)


def admin_page(
    page: Page, status: int = 200, refused: str | None = None, reset_for: str | None = None
) -> Response:
    _admin(page)
    own = identity.managed_agency(page.db, page.actor)
    users = page.db.execute(
        select(
            User.username,
            User.role,
            Organisation.code,
            User.disabled,
            User.work_phone,
            User.work_email,
        )
        .join(Organisation)
        .where(User.organisation_id == page.actor.agency_id)
        .order_by(User.username)
    ).all()
    # the least privileged role first, so the form preselects it
    least = identity.LEAST_PRIVILEGED
    roles = [least.value, *(r.value for r in Role if r is not least)]
    services = page.db.execute(
        select(Organisation.code, Service.code, Service.name, Service.thematic_area)
        .join(Organisation)
        .order_by(Organisation.code, Service.code)
    ).all()
    places = page.db.execute(
        select(Place.pcode, Place.name, Place.level).order_by(Place.pcode).limit(200)
    ).all()
    n_places = page.db.scalar(select(func.count()).select_from(Place)) or 0
    pending = grants.list_grants(page.db, page.actor, "pending")
    return page.render(
        "admin.html",
        users=users,
        grants=[grants.grant_view(page.db, g) for g in pending],
        actor_username=page.actor.username,
        services=services,
        places=places,
        n_places=n_places,
        roles=roles,
        default_role=least.value,
        agencies=[own],
        status=status,
        refused=refused,
        reset_for=reset_for,
    )


@router.post("/admin/users")
async def create_user(page: PageDep) -> Response:
    _admin(page)
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    username = first(post, "username") or ""
    password = first(post, "password") or ""

    def write() -> None:
        if not username or not password:
            raise ValidationFailed("a username and a password are needed")
        teams = [t.strip() for t in (first(post, "teams") or "").split(",") if t.strip()]
        identity.admin_add_user(
            page.db,
            page.actor,
            username,
            first(post, "role") or identity.LEAST_PRIVILEGED,
            first(post, "agency") or "",
            password,
            teams,
        )

    _, refused = page.attempt(write)
    if refused is not None:
        return admin_page(page, refused.status, refused.message)
    return see_other("/admin")


@router.post("/admin/users/{username}/disable")
async def disable_user(page: PageDep, username: str) -> Response:
    return await _set_disabled(page, username, True)


@router.post("/admin/users/{username}/enable")
async def enable_user(page: PageDep, username: str) -> Response:
    return await _set_disabled(page, username, False)


async def _set_disabled(page: Page, username: str, disabled: bool) -> Response:
    _admin(page)
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    if username == page.actor.username:
        return admin_page(page, 422, "you cannot disable your own account")

    def write() -> None:
        identity.admin_set_disabled(page.db, page.actor, username, disabled)

    _, refused = page.attempt(write)
    if refused is not None:
        return admin_page(page, refused.status, refused.message)
    return see_other("/admin")


@router.post("/admin/users/{username}/password")
async def reset_password(page: PageDep, username: str) -> Response:
    """A new password for a user of the admin's agency (their sessions and tokens end)."""
    _admin(page)
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    if username == page.actor.username:
        own = "Your own password is changed on the server: safepath users reset-password"
        return admin_page(page, 422, translate(own, page.lang))

    def write() -> None:
        identity.admin_set_password(page.db, page.actor, username, first(post, "password") or "")

    _, refused = page.attempt(write)
    if refused is not None:
        return admin_page(page, refused.status, refused.message)
    return see_other(f"/admin?done=password&user={username}")


@router.post("/admin/users/{username}/contact")
async def set_contact(page: PageDep, username: str) -> Response:
    """A user's work phone and email (what partners see on the referrals they send)."""
    _admin(page)
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))

    def write() -> None:
        staff_contact.set_contact(
            page.db, page.actor, username, first(post, "work_phone"), first(post, "work_email")
        )

    _, refused = page.attempt(write)
    if refused is not None:
        return admin_page(page, refused.status, refused.message)
    return see_other("/admin")


@router.post("/admin/grants/{grant_id}/approve")
async def approve_grant(page: PageDep, grant_id: GrantId) -> Response:
    return await _decide(page, grant_id, grants.approve)


@router.post("/admin/grants/{grant_id}/reject")
async def reject_grant(page: PageDep, grant_id: GrantId) -> Response:
    return await _decide(page, grant_id, grants.reject)


async def _decide(page: Page, grant_id: int, decide: Callable[..., object]) -> Response:
    """A second admin approves or refuses a pending role grant (``safepath.privacy.grants``)."""
    _admin(page)
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))

    def write() -> None:
        decide(page.db, page.actor, grant_id)

    _, refused = page.attempt(write)
    if refused is not None:
        return admin_page(page, refused.status, refused.message)
    return see_other("/admin")
