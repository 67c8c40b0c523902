"""The ``/api/v1`` router: every resource's routes under one prefix. ``safepath.app`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

from safepath.api.routes import (
    advocacy,
    analysis,
    attachments,
    audit,
    auth,
    cases,
    complaints,
    follow_ups,
    framework,
    interventions,
    outcomes,
    persons,
    places,
    projects,
    referrals,
    sdc,
    surveys,
    users,
)
from safepath.http.responses import document_http_layer

API_PREFIX = "/api/v1"


def build_router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    for module in (
        framework,
        places,
        auth,
        persons,
        audit,
        cases,
        attachments,
        follow_ups,
        interventions,
        referrals,
        outcomes,
        users,
        complaints,
        advocacy,
        projects,
        surveys,
        sdc,
        analysis,
    ):
        document_http_layer(module.router.routes)  # before including: FastAPI copies them
        api.include_router(module.router)
    return api
