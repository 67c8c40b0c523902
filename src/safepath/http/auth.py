"""Who is calling: ``current_actor`` (bearer token, for the API) and ``page_session`` /
``page_actor`` (session cookie, for pages), plus ``requires(permission)`` to deny a role before
anything else runs. Both kinds live here so one module decides who the caller is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from safepath.errors import NotAuthenticated, SafepathError
from safepath.http.db import DB
from safepath.privacy import identity, policy
from safepath.privacy.actor import Actor

SESSION_COOKIE = "safepath_session"
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _unauthenticated(message: str) -> NotAuthenticated:
    exc = NotAuthenticated(message)
    exc.headers = {"WWW-Authenticate": "Bearer"}  # type: ignore[attr-defined]
    return exc


def current_actor(request: Request, db: DB, token: Annotated[str | None, Depends(oauth2)]) -> Actor:
    if not token:
        raise _unauthenticated("authentication required: send a bearer token")
    actor = identity.actor_from_token(db, token, client_ip(request))
    if actor is None:
        raise _unauthenticated("the token is invalid, expired or revoked")
    return actor


def requires(permission: str) -> Callable[..., Awaitable[Actor]]:
    """A dependency: the caller, if their role has ``permission`` (403 otherwise)."""

    # async: no I/O, so it runs in the event loop instead of costing a thread hop per request
    async def dependency(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        policy.require(actor, permission)
        return actor

    return dependency


class LoginRequired(SafepathError):
    """Pages answer with a redirect to the login form instead of 401."""

    status = 303
    code = "login_required"

    def __init__(self, next_path: str) -> None:
        super().__init__("login required")
        self.headers = {"Location": f"/login?next={quote(next_path)}"}


def page_session(request: Request, db: DB) -> identity.PageSession:
    sid = request.cookies.get(SESSION_COOKIE)
    found = identity.resume_session(db, sid, client_ip(request)) if sid else None
    if found is None:
        raise LoginRequired(request.url.path)
    return found


async def page_actor(ps: Annotated[identity.PageSession, Depends(page_session)]) -> Actor:
    return ps.actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]
