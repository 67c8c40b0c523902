"""The ``/api/v1`` router: every resource's routes under one prefix. ``safepath.app`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

from safepath.api.routes import (
    advocacy,
    audit,
    auth,
    cases,
    complaints,
    follow_ups,
    framework,
    outcomes,
    persons,
    places,
    projects,
    referrals,
)

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
        follow_ups,
        referrals,
        outcomes,
        complaints,
        advocacy,
        projects,
    ):
        api.include_router(module.router)
    return api
