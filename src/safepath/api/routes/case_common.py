"""Helpers shared by the case routers: the session and actor dependencies, and versions carried
as ETag / If-Match. Every write names the version it is based on: without If-Match the service
answers 428, with a stale one 412 (``current_version`` in the error body and the ETag header),
and nothing changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from safepath.errors import PreconditionFailed
from safepath.http.auth import CurrentActor

Who = CurrentActor


async def if_match(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """The version the client last read (``If-Match: "3"``); ``None`` when not sent (or ``*``,
    which names no version): the service then refuses the write with 428, after its role and
    scope checks, so a client without access learns nothing from the answer. Async: it does no
    I/O, so it runs in the event loop instead of costing a thread hop."""
    if if_match is None or if_match.strip() == "*":
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise PreconditionFailed(
            f"If-Match must be a version ETag such as '\"3\"', not {if_match!r}"
        )
    return int(raw)


IfMatch = Annotated[int | None, Depends(if_match)]


def done(db: Session) -> None:
    """Commit in the handler's own thread. The audit chain is locked until commit; leaving the
    commit to the dependency's teardown can deadlock under load (the lock holder waits for a
    threadpool slot held by requests waiting for the lock)."""
    db.commit()


def versioned(
    db: Session, body: dict[str, Any], version: int, status_code: int = 200
) -> JSONResponse:
    done(db)
    return JSONResponse(body, status_code=status_code, headers={"ETag": f'"{version}"'})
