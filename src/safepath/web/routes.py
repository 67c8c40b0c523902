"""Page routes. Thin: they gather what the domain layers return and render it."""

from __future__ import annotations

import time
from importlib.resources import files
from typing import Any

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


class ServerTiming:
    """``Server-Timing: app;dur=ms`` on every answer, so page speed can be watched (and tested)
    without the network in the figure: the time until the response starts. A plain ASGI
    middleware (a ``BaseHTTPMiddleware`` costs about 1 ms of CPU a request)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000
                headers = [(k, v) for k, v in message.get("headers", ()) if k != b"server-timing"]
                headers.append((b"server-timing", f"app;dur={ms:.1f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed)


def mount_web(app: FastAPI) -> None:
    """The pages, their static files and their timing header; ``safepath.app`` calls this."""
    app.add_middleware(ServerTiming)
    app.mount(
        "/static", StaticFiles(directory=str(files("safepath.web") / "static")), name="static"
    )
    app.include_router(router)
    from safepath.web.account import router as account_router
    from safepath.web.pages import (
        admin,
        advocacy,
        analysis,
        assess,
        attachments,
        case,
        complaints,
        consent,
        data_protection,
        directory_admin,
        oversight,
        paf,
        partner,
        projects,
        rounds,
        subjects,
        work,
    )

    app.include_router(account_router)
    for module in (
        work,
        assess,
        case,
        partner,
        analysis,
        rounds,
        data_protection,
        paf,
        admin,
        directory_admin,
        complaints,
        advocacy,
        projects,
        consent,
        attachments,
        subjects,
        oversight,
    ):
        app.include_router(module.router)
