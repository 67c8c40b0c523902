"""Administration: users and roles, the services directory and places (read views; users are
created and disabled with ``safepath users``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import func, select

from safepath.privacy.actor import Role
from safepath.store.models import Organisation, Place, Service, User
from safepath.web.context import PageDep

router = APIRouter(include_in_schema=False)


@router.get("/admin")
def admin(page: PageDep) -> Response:
    page.require(Role.admin)
    users = page.db.execute(
        select(User.username, User.role, Organisation.code, User.disabled)
        .join(Organisation)
        .order_by(User.username)
    ).all()
    services = page.db.execute(
        select(Organisation.code, Service.code, Service.name, Service.thematic_area)
        .join(Organisation)
        .order_by(Organisation.code, Service.code)
    ).all()
    places = page.db.execute(
        select(Place.pcode, Place.name, Place.level).order_by(Place.pcode).limit(200)
    ).all()
    n_places = page.db.scalar(select(func.count()).select_from(Place)) or 0
    return page.render(
        "admin.html",
        users=users,
        services=services,
        places=places,
        n_places=n_places,
        roles=[r.value for r in Role],
    )
