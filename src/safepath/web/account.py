"""Sign in, sign out and the account page. Sessions are server-side (the cookie holds a random id);
every form carries a CSRF token: before sign-in a double-submit cookie, after it the session's."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import update
from sqlalchemy.orm import Session

from safepath.errors import Forbidden, NotAuthenticated, TooManyRequests, ValidationFailed
from safepath.http.auth import SESSION_COOKIE, client_ip, page_session
from safepath.http.db import DB
from safepath.privacy import identity, staff_contact
from safepath.settings import get_settings
from safepath.store.models import Organisation, User
from safepath.web.i18n import COOKIE as LANG_COOKIE
from safepath.web.i18n import LANGUAGES
from safepath.web.i18n import gettext as _
from safepath.web.render import render

router = APIRouter(include_in_schema=False)
CSRF_COOKIE = "safepath_csrf"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or get_settings().environment == "production"


def _safe_next(target: str | None) -> str:
    # Only local paths: never an open redirect to another site.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/work"


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def _login_form(
    request: Request, status: int = 200, error: str | None = None, next_path: str = "/work"
) -> HTMLResponse:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request, "login.html", status=status, csrf_token=token, error=error, next=next_path
    )
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_form(request, next_path=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    db: DB,
    username: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/work",
) -> Response:
    if not _same(csrf_token, request.cookies.get(CSRF_COOKIE)):
        raise Forbidden("the form expired or was not sent from this site; reload and try again")
    try:
        user = identity.authenticate(db, username, password, client_ip(request))
    except NotAuthenticated:
        db.commit()  # keep the failure count
        return _login_form(request, 401, _("Wrong username or password."), _safe_next(next))
    except TooManyRequests:
        db.commit()
        return _login_form(
            request, 429, _("Too many failed attempts. Try again later."), _safe_next(next)
        )
    sid = identity.start_session(db, user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        sid,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(
    request: Request, db: DB, csrf_token: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    sid = request.cookies.get(SESSION_COOKIE)
    found = identity.resume_session(db, sid, client_ip(request)) if sid else None
    if found is None or not _same(csrf_token, found.csrf_token):
        raise Forbidden("the form expired or was not sent from this site; reload and try again")
    identity.end_session(db, sid or "")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/account/language")
def save_language(
    request: Request,
    db: DB,
    ps: Annotated[identity.PageSession, Depends(page_session)],
    csrf_token: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
) -> Response:
    """Remember the language for the user on every device: the explicit choice on the account
    page (``?lang=`` on a GET only sets this browser's cookie)."""
    if not _same(csrf_token, ps.csrf_token):
        raise Forbidden("the form expired or was not sent from this site; reload and try again")
    if language not in LANGUAGES:
        raise ValidationFailed(f"unknown language {language!r}; one of {', '.join(LANGUAGES)}")
    db.execute(update(User).where(User.id == ps.actor.user_id).values(language=language))
    response = RedirectResponse("/account", status_code=303)
    response.set_cookie(
        LANG_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    return response


@router.post("/account/contact")
def save_contact(
    request: Request,
    db: DB,
    ps: Annotated[identity.PageSession, Depends(page_session)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    work_phone: Annotated[str, Form(max_length=200)] = "",
    work_email: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """The user's work phone and email, shown to the partners they refer cases to."""
    if not _same(csrf_token, ps.csrf_token):
        raise Forbidden("the form expired or was not sent from this site; reload and try again")
    try:
        staff_contact.set_contact(db, ps.actor, ps.actor.username, work_phone, work_email)
    except ValidationFailed as exc:
        db.rollback()
        return _account_page(
            request, db, ps, status=422, error=exc.message, typed=(work_phone, work_email)
        )
    db.commit()
    return RedirectResponse("/account?done=contact", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account(
    request: Request,
    db: DB,
    ps: Annotated[identity.PageSession, Depends(page_session)],
    done: str | None = None,
) -> HTMLResponse:
    return _account_page(request, db, ps, saved_now=done == "contact")


def _account_page(
    request: Request,
    db: Session,
    ps: identity.PageSession,
    *,
    saved_now: bool = False,
    status: int = 200,
    error: str | None = None,
    typed: tuple[str, str] | None = None,
) -> HTMLResponse:
    org = db.get(Organisation, ps.actor.agency_id)
    user = db.get(User, ps.actor.user_id)
    saved = (user.work_phone or "", user.work_email or "") if user else ("", "")
    return render(
        request,
        "account.html",
        status=status,
        actor=ps.actor,
        agency=org.code if org else "",
        csrf_token=ps.csrf_token,
        saved_language=ps.actor.language,
        contact=typed or saved,
        contact_error=error,
        contact_saved=saved_now and error is None,
    )
