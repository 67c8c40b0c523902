"""The request's unit of work: one session per request, committed before the response is sent.

FastAPI runs the exit of a yield dependency after the response has gone out unless the dependency
is function-scoped; then it runs as soon as the endpoint returns. A client that reads right after a
write must find it, and a commit that fails must turn into an error response, never a 2xx: hence
``scope="function"``. Use the one alias ``DB``: the scope is part of FastAPI's dependency cache
key, so a second ``Depends(db_session)`` without it would open a second session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from safepath.errors import Conflict
from safepath.privacy import audit
from safepath.store.db import end_session, new_session


def _idle(session: Session) -> bool:
    """Nothing to write and no connection held (the route committed already, or never touched
    the database): ending the session does no I/O, so it may run in the event loop."""
    return not (
        session.in_transaction()
        or session.new
        or session.dirty
        or session.deleted
        or audit.has_pending(session)
    )


async def _end(session: Session, *, commit: bool) -> None:
    if _idle(session):
        end_session(session, commit=commit)
    else:
        await run_in_threadpool(end_session, session, commit=commit)


async def db_session() -> AsyncIterator[Session]:
    # async, with the blocking part in the threadpool only when there is one: a sync generator
    # would cost two thread hops per request (its start, which does no I/O, and its end)
    session = new_session()
    try:
        yield session
    except BaseException:
        await _end(session, commit=False)
        raise  # the endpoint's own error: handled as before
    try:
        await _end(session, commit=True)
    except IntegrityError as exc:
        # A constraint checked only at commit (a concurrent write won): the client may retry.
        raise Conflict("the change conflicts with data saved meanwhile; try again") from exc


DB = Annotated[Session, Depends(db_session, scope="function")]
