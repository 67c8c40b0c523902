"""The ASGI application: ``/api/v1`` (JSON), the pages of ``safepath.web``, ``/healthz``."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy import text

from safepath import __version__
from safepath.api.errors import install_error_handlers
from safepath.api.routes import (
    audit,
    auth,
    cases,
    follow_ups,
    framework,
    outcomes,
    persons,
    places,
    referrals,
)
from safepath.api.security import install_log_filters, security_headers
from safepath.settings import get_settings
from safepath.store.db import get_engine
from safepath.wiring import wire

API_PREFIX = "/api/v1"


def create_app() -> FastAPI:
    get_settings()  # fail at start, not on the first request, when settings are invalid
    wire()
    app = FastAPI(
        title="Safepath",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    install_log_filters()
    app.middleware("http")(security_headers)
    app.add_middleware(GZipMiddleware, minimum_size=500)

    api = APIRouter(prefix=API_PREFIX)
    api.include_router(framework.router)
    api.include_router(places.router)
    api.include_router(auth.router)
    api.include_router(persons.router)
    api.include_router(audit.router)
    api.include_router(cases.router)
    api.include_router(follow_ups.router)
    api.include_router(referrals.router)
    api.include_router(outcomes.router)
    app.include_router(api)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    from safepath.web.routes import mount_web

    mount_web(app)
    return app
