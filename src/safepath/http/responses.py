"""The error answers each API route documents in OpenAPI, every one with the one error body.

Routers declare what all their routes can answer (``responses=SIGNED_IN`` on a router behind a
bearer token); a route adds what its own shape makes possible (``RECORD`` for a path that names a
record, ``VERSIONED_WRITE`` for a write sent with ``If-Match``...). FastAPI merges the two, and
``tests/api/test_openapi_contract.py`` walks ``app.openapi()`` and fails on an operation that
leaves out a code its shape can answer; the schemathesis run (``tests/api/test_schemathesis.py``)
fails on any status code a route answers without documenting it.

A 500 is not documented: it is a bug, never part of the contract.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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


# What every route of a router can answer (422: any parameter may be invalid; the server also
# refuses a NUL character in any query parameter).
PUBLIC = errors(422)
ANY_ROLE = errors(401, 422)  # any signed-in user may call it
SIGNED_IN = errors(401, 403, 422)  # some roles may not
# What a route adds by its shape.
RECORD = errors(404)  # a path naming a record (absent and out of scope answer alike)
WRITE = errors(409, 413)  # any POST/PUT/PATCH: the body limit; a conflict found at commit
RECORD_WRITE = merged(RECORD, WRITE)
VERSIONED_WRITE = merged(RECORD_WRITE, errors(412, 428))  # a write sent with If-Match
SIGN_IN = merged(PUBLIC, WRITE, errors(401, 429))  # the token endpoint (throttled)
