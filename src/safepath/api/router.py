"""The ``/api/v1`` router: every resource's routes under one prefix. ``safepath.app`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

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
    surveys,
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
        surveys,
    ):
        api.include_router(module.router)
    return api
