"""``/complaints``: complaints and feedback. Anyone may send one (no account needed: the flood
limit applies); the agency's complaint handlers list, read and answer them; sensitive ones are
the PSEA focal point's alone, and any complaint the caller may not see answers 404.

Thin: each route calls one ``safepath.feedback`` service."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from safepath.api.routes.case_common import IfMatch, done, versioned
from safepath.cells import neutralise_rows
from safepath.errors import NotAuthenticated
from safepath.feedback import access, reports, service, views
from safepath.feedback.schemas import (
    AssignIn,
    CaseReferralIn,
    CategoryIn,
    ClosureIn,
    ComplaintIn,
    ResponseIn,
)
from safepath.feedback.service import ComplaintFilter
from safepath.http.auth import CurrentActor, client_ip, oauth2
from safepath.http.db import DB
from safepath.http.params import CodeParam, Limit, Offset
from safepath.http.responses import RECORD, SIGNED_IN, VERSIONED_WRITE, WRITE
from safepath.privacy import identity
from safepath.privacy.actor import Actor

router = APIRouter(prefix="/complaints", tags=["complaints"], responses=SIGNED_IN)
StatusParam = Literal["received", "acknowledged", "responded", "closed"]


def optional_actor(
    request: Request, db: DB, token: Annotated[str | None, Depends(oauth2)]
) -> Actor | None:
    """The caller when a bearer token is sent (a bad one is refused); ``None`` without one."""
    if not token:
        return None
    actor = identity.actor_from_token(db, token, client_ip(request))
    if actor is None:
        exc = NotAuthenticated("the token is invalid, expired or revoked")
        exc.headers = {"WWW-Authenticate": "Bearer"}  # type: ignore[attr-defined]
        raise exc
    return actor


@router.post("", status_code=201, responses=WRITE)
def submit(
    request: Request,
    db: DB,
    body: ComplaintIn,
    actor: Annotated[Actor | None, Depends(optional_actor)],
) -> JSONResponse:
    """Send a complaint or feedback; the answer is its code only (to quote when following up)."""
    complaint = service.submit(db, actor, body, ip=client_ip(request))
    code = complaint.code
    done(db)
    return JSONResponse({"code": code}, status_code=201)


@router.get("")
def list_complaints(
    db: DB,
    actor: CurrentActor,
    status: StatusParam | None = None,
    category: CodeParam = None,
    channel: CodeParam = None,
    place: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9]{1,32}$")] = None,
    overdue: bool | None = None,
    mine: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    f = ComplaintFilter(status, category, channel, place, overdue, mine)
    total, found = service.list_complaints(db, actor, f, limit=limit, offset=offset)
    return {"total": total, "items": [r.as_dict() for r in views.rows(db, found)]}


@router.get("/report")
def report(
    db: DB,
    actor: CurrentActor,
    by: Annotated[str, Query(description=", ".join(reports.DIMENSIONS))] = "category",
) -> dict[str, Any]:
    """Counts and times by one dimension, small cells suppressed, and the overall summary."""
    rows = reports.report(db, actor, by)
    return {"by": by, "rows": rows, "summary": reports.summary(db, actor)}


@router.get("/export")
def export(db: DB, actor: CurrentActor, format: Literal["csv", "json"] = "csv") -> Response:
    """The register (codes, categories, places, dates; no free text, no contacts)."""
    rows = views.export_register(db, actor)
    done(db)
    if format == "json":
        return JSONResponse(rows)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(views.REGISTER_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(neutralise_rows(rows))
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="complaints.csv"'},
    )


@router.get("/{code}", responses=RECORD)
def get_complaint(db: DB, actor: CurrentActor, code: str) -> JSONResponse:
    view = views.read(db, actor, code)
    return versioned(db, view.as_dict(), view.version)


def _answer(db: DB, actor: Actor, code: str) -> JSONResponse:
    view = views.read(db, actor, code)
    return versioned(db, view.as_dict(), view.version)


@router.post("/{code}/acknowledgement", responses=VERSIONED_WRITE)
def acknowledge(db: DB, actor: CurrentActor, code: str, version: IfMatch) -> JSONResponse:
    service.acknowledge(db, actor, code, version)
    return _answer(db, actor, code)


@router.post("/{code}/assignment", responses=VERSIONED_WRITE)
def assign(
    db: DB, actor: CurrentActor, code: str, body: AssignIn, version: IfMatch
) -> JSONResponse:
    service.assign(db, actor, code, body, version)
    return _answer(db, actor, code)


@router.post("/{code}/response", responses=VERSIONED_WRITE)
def respond(
    db: DB, actor: CurrentActor, code: str, body: ResponseIn, version: IfMatch
) -> JSONResponse:
    service.respond(db, actor, code, body, version)
    return _answer(db, actor, code)


@router.post("/{code}/closure", responses=VERSIONED_WRITE)
def close(
    db: DB, actor: CurrentActor, code: str, body: ClosureIn, version: IfMatch
) -> JSONResponse:
    service.close(db, actor, code, body, version)
    return _answer(db, actor, code)


@router.post("/{code}/category", responses=VERSIONED_WRITE)
def recategorise(
    db: DB, actor: CurrentActor, code: str, body: CategoryIn, version: IfMatch
) -> JSONResponse:
    """Correct the category. Routed to a sensitive one, the complaint leaves the sight of all
    but the PSEA focal point: the answer is then its code only."""
    complaint = service.recategorise(db, actor, code, body, version)
    if complaint.sensitive and not access.sees_sensitive(actor):
        done(db)
        return JSONResponse({"code": code, "routed_to": "psea_focal_point"})
    return _answer(db, actor, code)


@router.post("/{code}/case", status_code=201, responses=VERSIONED_WRITE)
def refer_to_case(
    db: DB, actor: CurrentActor, code: str, body: CaseReferralIn, version: IfMatch
) -> JSONResponse:
    """Open a case for the person, with their consent to case management."""
    complaint, case_code = service.refer_to_case(db, actor, code, body, version)
    version_after = complaint.version
    done(db)
    return JSONResponse(
        {"code": code, "case_code": case_code},
        status_code=201,
        headers={"ETag": f'"{version_after}"'},
    )
