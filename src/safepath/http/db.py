"""The request's unit of work: one session per request, committed before the response is sent.

FastAPI runs the exit of a yield dependency after the response has gone out unless the dependency
is function-scoped; then it runs as soon as the endpoint returns. A client that reads right after a
write must find it, and a commit that fails must turn into an error response, never a 2xx: hence
``scope="function"``. Use the one alias ``DB``: the scope is part of FastAPI's dependency cache
key, so a second ``Depends(db_session)`` without it would open a second session.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safepath.errors import Conflict
from safepath.store.db import session_scope


def db_session() -> Iterator[Session]:
    returned = False
    try:
        with session_scope() as session:
            yield session
            returned = True
    except IntegrityError as exc:
        if not returned:
            raise  # the endpoint's own error: handled as before
        # A constraint checked only at commit (a concurrent write won): the client may retry.
        raise Conflict("the change conflicts with data saved meanwhile; try again") from exc


DB = Annotated[Session, Depends(db_session, scope="function")]
