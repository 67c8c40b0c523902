"""Page routes. Thin: they gather what the domain layers return and render it."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from importlib.resources import files

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from safepath.framework import catalogue
from safepath.store.db import session_scope
from safepath.web.context import optional_actor
from safepath.web.i18n import current_language, negotiate
from safepath.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """Signed-in users land on their work; everyone else on the public home page."""
    with session_scope() as db:
        signed_in = optional_actor(request, db) is not None
    if signed_in and "lang" not in request.query_params:
        return RedirectResponse("/work", status_code=303)
    return render(request, "home.html")


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue_index(request: Request) -> HTMLResponse:
    lang, _ = negotiate(request)
    cat = catalogue()
    lists = [(n, cat.get(n).title(lang), len(cat.get(n).entries)) for n in cat.names()]
    return render(request, "catalogue_index.html", lists=lists)


@router.get("/catalogue/{name}", response_class=HTMLResponse)
def catalogue_list(request: Request, name: str) -> HTMLResponse:
    lang, _ = negotiate(request)
    token = current_language.set(lang)
    try:
        lst = catalogue().get(name)
        rows = lst.rows(lang)
        title = lst.title(lang)
    finally:
        current_language.reset(token)
    return render(
        request,
        "catalogue_list.html",
        name=name,
        title=title,
        rows=rows,
        description=lst.description,
        source=lst.source,
    )


async def server_timing(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """``Server-Timing: app;dur=ms`` on every page, so page speed can be watched (and tested)
    without the network in the figure."""
    start = time.perf_counter()
    response = await call_next(request)
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
    return response


def mount_web(app: FastAPI) -> None:
    """The pages, their static files and their timing header; ``safepath.app`` calls this."""
    app.middleware("http")(server_timing)
    app.mount(
        "/static", StaticFiles(directory=str(files("safepath.web") / "static")), name="static"
    )
    app.include_router(router)
    from safepath.web.account import router as account_router
    from safepath.web.pages import admin, analysis, assess, case, partner, rounds, work

    app.include_router(account_router)
    for module in (work, assess, case, partner, analysis, rounds, admin):
        app.include_router(module.router)
