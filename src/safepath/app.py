"""The composition root of the server: builds the ASGI app from ``/api/v1`` (JSON), the pages of
``safepath.web`` and ``/healthz``, after wiring the packages. The only module that sees both
``api`` and ``web``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy import text

from safepath import __version__
from safepath.api.router import API_PREFIX, build_router
from safepath.http.api_docs import install_api_docs
from safepath.http.concurrency import ConcurrencyLimit
from safepath.http.errors import install_error_handlers
from safepath.http.limits import InputLimits
from safepath.http.methods import AllowedMethods
from safepath.http.security import SecurityHeaders, install_log_filters
from safepath.settings import get_settings
from safepath.store.db import get_engine
from safepath.web.i18n import MessageLanguage
from safepath.web.render import render_error
from safepath.web.routes import mount_web
from safepath.wiring import wire


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Sync routes run on anyio's threadpool: cap it at the size the connection pool is sized for.
    to_thread.current_default_thread_limiter().total_tokens = get_settings().server_threads
    yield


def create_app() -> FastAPI:
    get_settings()  # fail at start, not on the first request, when settings are invalid
    wire()
    app = FastAPI(
        lifespan=_lifespan,
        title="Safepath",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by install_api_docs from the installed package, not a CDN
        redoc_url=None,
    )
    install_error_handlers(app, render_html=render_error)
    install_log_filters()
    settings = get_settings()
    app.add_middleware(AllowedMethods)  # OPTIONS, HEAD, and Allow on every 405 (RFC 9110)
    # inside all but the above: its refusals still get the security headers and queue their turn
    app.add_middleware(
        InputLimits,
        max_json_bytes=settings.max_json_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(SecurityHeaders)
    # level 5: nearly the size of level 9 (Starlette's default) at a fraction of the CPU
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=5)
    app.add_middleware(ConcurrencyLimit, limit=get_settings().server_threads)
    app.add_middleware(MessageLanguage)  # error messages in the reader's language
    app.include_router(build_router())

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    install_api_docs(
        app,
        docs_url=f"{API_PREFIX}/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
        title="Safepath",
    )
    mount_web(app)
    return app
