"""What every signed-in page needs: the database session, the actor, the session's CSRF token,
and the two helpers forms use (check the token; turn a refused write into a message)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from safepath.errors import Forbidden, SafepathError
from safepath.http.auth import SESSION_COOKIE, client_ip, page_session
from safepath.http.db import DB
from safepath.privacy import identity
from safepath.privacy.actor import Actor, Role
from safepath.web.i18n import LANGUAGES, negotiate, reader
from safepath.web.render import render

T = TypeVar("T")


@dataclass
class Page:
    request: Request
    db: Session
    actor: Actor
    csrf: str

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return render(
            self.request,
            template,
            status=status,
            user_language=self.actor.language,
            actor=self.actor,
            csrf_token=self.csrf,
            **context,
        )

    @property
    def lang(self) -> str:
        return negotiate(self.request, self.actor.language)[0]

    def check_csrf(self, token: str | None) -> None:
        if not token or not hmac.compare_digest(token, self.csrf):
            raise Forbidden("the form expired or was not sent from this site; reload and try again")

    def attempt(self, write: Callable[[], T]) -> tuple[T | None, SafepathError | None]:
        """Run a domain write; on refusal undo what it flushed and hand back the error, so the
        form is shown again with the message instead of a bare error page."""
        try:
            return write(), None
        except (Forbidden, SafepathError) as exc:
            if exc.status >= 500 or exc.status in (401, 404):
                raise
            self.db.rollback()
            exc.reader = reader(self.lang)  # the page's language, the user's own included
            return None, exc

    def require(self, *roles: Role) -> None:
        if self.actor.role not in roles:
            raise Forbidden(f"this page is not for the role '{self.actor.role.value}'")


def page(
    request: Request, db: DB, ps: Annotated[identity.PageSession, Depends(page_session)]
) -> Page:
    actor = ps.actor
    asked = request.query_params.get("lang")
    if asked in LANGUAGES and asked != actor.language:
        # ``?lang=`` switches this browser only (a cookie, set as the page renders): a GET never
        # writes to the database. The account page saves the language for the user (a POST).
        actor = replace(actor, language=str(asked))
    return Page(request, db, actor, ps.csrf_token)


PageDep = Annotated[Page, Depends(page)]


def optional_actor(request: Request, db: Session) -> Actor | None:
    """The signed-in user on public pages (for the menu); no redirect when absent."""
    sid = request.cookies.get(SESSION_COOKIE)
    found = identity.resume_session(db, sid, client_ip(request)) if sid else None
    return found.actor if found else None


def see_other(path: str) -> RedirectResponse:
    """Post/redirect/get: a reload never re-sends the form."""
    return RedirectResponse(path, status_code=303)
