"""The error answers each API route documents in OpenAPI, every one with the one error body.

Routers declare what all their routes can answer (``responses=SIGNED_IN`` on a router behind a
bearer token); a route adds what it does (``RECORD`` for a path that names a record,
``VERSIONED_WRITE`` for a write sent with ``If-Match``...); FastAPI merges the two. What the HTTP
layer answers for any route (400, 413, 422) is added to every route by ``document_http_layer``. And
``tests/api/test_openapi_contract.py`` walks ``app.openapi()`` and fails on an operation that
leaves out a code its shape can answer; the schemathesis run (``tests/api/test_schemathesis.py``)
fails on any status code a route answers without documenting it.

A 500 is not documented: it is a bug, never part of the contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.routing import BaseRoute


class ProblemBody(BaseModel):
    """One located problem (``safepath.errors.Problem``): absent keys are simply left out."""

    scope: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    message: str


class ErrorDetail(BaseModel):
    code: str = Field(description="a stable machine-readable code, e.g. 'not_found'")
    message: str
    problems: list[ProblemBody] | None = None
    current_version: int | None = Field(
        default=None, description="412 only: the version to reload (also in the ETag header)"
    )


class ErrorBody(BaseModel):
    """The one error shape of every API answer that is not a success."""

    error: ErrorDetail


Responses = dict[int | str, dict[str, Any]]

DESCRIPTIONS: dict[int, str] = {
    400: "The request body cannot be parsed",
    401: "No bearer token, or one that is invalid, expired or revoked",
    403: "The caller's role may not do this",
    404: "No such record, or one outside the caller's scope (the same answer)",
    409: "The record cannot change now (anonymised), or a concurrent change won",
    412: "If-Match names a version that is no longer current (reload: ETag, current_version)",
    413: "The request body is larger than the server accepts",
    415: "The body is not of a type this route accepts (an upload: told by its content)",
    422: "A parameter or the body is invalid (problems name each one)",
    428: "A write sent without If-Match (the version it is based on)",
    429: "Too many failed sign-ins: wait and try again",
}


def errors(*statuses: int) -> Responses:
    """OpenAPI ``responses`` for these error statuses, each with the one error body."""
    unknown = set(statuses) - set(DESCRIPTIONS)
    if unknown:
        raise ValueError(f"describe status {sorted(unknown)} in DESCRIPTIONS first")
    return {s: {"model": ErrorBody, "description": DESCRIPTIONS[s]} for s in sorted(statuses)}


def merged(*parts: Responses) -> Responses:
    out: Responses = {}
    for part in parts:
        out.update(part)
    return out


# What a router's routes can answer because of who may call them ...
ANY_ROLE = errors(401)  # any signed-in user
SIGNED_IN = errors(401, 403)  # some roles may not
# ... and what a route adds by what it does.
RECORD = errors(404)  # a path naming a record (absent and out of scope answer alike)
WRITE = errors(409)  # a change: a constraint found broken at commit (a concurrent write won)
RECORD_WRITE = merged(RECORD, WRITE)
VERSIONED_WRITE = merged(RECORD_WRITE, errors(412, 428))  # a write sent with If-Match
SIGN_IN = merged(WRITE, errors(401, 429))  # the token endpoint (throttled)

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def document_http_layer(routes: Iterable[BaseRoute]) -> None:
    """Add what the HTTP layer answers whatever the route does: 422 for any parameter (a NUL
    character in any query parameter too: ``limits``), 413 for any request that may carry a body
    (``limits``), 400 for a body that cannot be parsed (FastAPI: bytes that are not UTF-8, a
    broken form)."""
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        layer = [422]
        if (route.methods or set()) & _BODY_METHODS:
            layer.append(413)
        if route.body_field is not None:
            layer.append(400)
        for status, answer in errors(*layer).items():
            route.responses.setdefault(status, answer)
