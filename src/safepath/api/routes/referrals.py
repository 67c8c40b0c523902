"""Referrals: sent from a case (``/cases/{code}/referrals``), answered by the partner focal point
from its inbox (``/referrals``): accept, decline with a reason, complete; the sender may revoke."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from safepath.api.routes.case_common import IfMatch, Who, versioned
from safepath.cases import referrals
from safepath.cases.schemas import DeclineIn, ReferralAnswer, ReferralIn
from safepath.http.db import DB
from safepath.http.params import Limit, Offset
from safepath.http.responses import RECORD, SIGNED_IN, VERSIONED_WRITE

router = APIRouter(tags=["referrals"], responses=SIGNED_IN)


@router.get("/cases/{code}/referrals", responses=RECORD)
def case_referrals(db: DB, actor: Who, code: str) -> list[dict[str, Any]]:
    _, rows = referrals.case_referrals(db, actor, code)
    return [referrals.referral_view(db, r) for r in rows]


@router.post("/cases/{code}/referrals", status_code=201, responses=VERSIONED_WRITE)
def refer(db: DB, actor: Who, code: str, body: ReferralIn, version: IfMatch) -> JSONResponse:
    r = referrals.refer(db, actor, code, body, version)
    return versioned(db, referrals.referral_view(db, r), r.version, 201)


@router.get("/referrals")
def inbox(
    db: DB,
    actor: Who,
    status: Literal["sent", "accepted", "completed", "declined", "revoked"] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    return [
        referrals.referral_view(db, r) for r in referrals.inbox(db, actor, status, limit, offset)
    ]


@router.get("/referrals/{code}", responses=RECORD)
def get_referral(db: DB, actor: Who, code: str) -> JSONResponse:
    r = referrals.get_referral(db, actor, code)
    return versioned(db, referrals.referral_view(db, r), r.version)


@router.post("/referrals/{code}/accept", responses=VERSIONED_WRITE)
def accept(db: DB, actor: Who, code: str, body: ReferralAnswer, version: IfMatch) -> JSONResponse:
    r = referrals.accept(db, actor, code, body, version)
    return versioned(db, referrals.referral_view(db, r), r.version)


@router.post("/referrals/{code}/decline", responses=VERSIONED_WRITE)
def decline(db: DB, actor: Who, code: str, body: DeclineIn, version: IfMatch) -> JSONResponse:
    r = referrals.decline(db, actor, code, body, version)
    return versioned(db, referrals.referral_view(db, r), r.version)


@router.post("/referrals/{code}/complete", responses=VERSIONED_WRITE)
def complete(db: DB, actor: Who, code: str, body: ReferralAnswer, version: IfMatch) -> JSONResponse:
    r = referrals.complete(db, actor, code, body, version)
    return versioned(db, referrals.referral_view(db, r), r.version)


@router.post("/referrals/{code}/revoke", responses=VERSIONED_WRITE)
def revoke(db: DB, actor: Who, code: str, body: ReferralAnswer, version: IfMatch) -> JSONResponse:
    r = referrals.revoke(db, actor, code, body, version)
    return versioned(db, referrals.referral_view(db, r), r.version)
