"""One exception hierarchy. Each class carries the HTTP status and a stable error code.

The API and the web pages turn these into one JSON error shape (or an HTML page) in one handler;
the CLI prints ``message`` and exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One located problem in an input: which scope, row, column and value, and why."""

    message: str
    scope: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = [
            p
            for p in (
                self.scope,
                f"row {self.row}" if self.row is not None else None,
                f"column {self.column!r}" if self.column else None,
            )
            if p
        ]
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in (
                ("scope", self.scope),
                ("row", self.row),
                ("column", self.column),
                ("value", self.value),
                ("message", self.message),
            )
            if v is not None
        }


class SafepathError(Exception):
    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = problems or []

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.problems:
            body["problems"] = [p.as_dict() for p in self.problems]
        return {"error": body}


class ValidationFailed(SafepathError):
    status = 422
    code = "validation_failed"


class InputError(ValidationFailed):
    """An input file or payload that cannot be used as it is (problems say where)."""

    code = "invalid_input"


class NotFound(SafepathError):
    status = 404
    code = "not_found"


class NotAuthenticated(SafepathError):
    status = 401
    code = "not_authenticated"


class Forbidden(SafepathError):
    status = 403
    code = "forbidden"


class Conflict(SafepathError):
    status = 409
    code = "conflict"


class PreconditionFailed(SafepathError):
    """A write based on a version that is no longer current (If-Match / the form's ``version``).

    When the current version is known it is in the error body as ``current_version`` (beside
    ``code`` and ``message``) and in the ``ETag`` header: the client reloads that version."""

    status = 412
    code = "precondition_failed"

    def __init__(
        self,
        message: str,
        *,
        problems: list[Problem] | None = None,
        current_version: int | None = None,
    ) -> None:
        super().__init__(message, problems=problems)
        self.current_version = current_version
        self.headers = {"ETag": f'"{current_version}"'} if current_version is not None else None

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        if self.current_version is not None:
            body["error"]["current_version"] = self.current_version
        return body


class PreconditionRequired(SafepathError):
    """A write sent without the version it is based on (no If-Match, no form ``version``)."""

    status = 428
    code = "precondition_required"


class PayloadTooLarge(SafepathError):
    """An upload over its size limit (the problem names the field)."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(SafepathError):
    """An upload of a type that is not accepted (told by its content, not by its name)."""

    status = 415
    code = "unsupported_media_type"


class TooManyRequests(SafepathError):
    status = 429
    code = "too_many_requests"


class ConfigurationError(SafepathError):
    status = 500
    code = "configuration_error"


@dataclass
class ProblemCollector:
    """Collects problems across a whole input so they are reported together."""

    scope: str | None = None
    limit: int = 50
    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(
        self, message: str, *, row: int | None = None, column: str | None = None, value: Any = None
    ) -> None:
        self.total += 1
        if len(self.problems) < self.limit:
            self.problems.append(Problem(message, self.scope, row, column, value))

    def raise_if_any(self, summary: str) -> None:
        if self.total:
            more = (
                f" (showing {len(self.problems)} of {self.total})"
                if self.total > self.limit
                else ""
            )
            raise InputError(
                f"{summary}: {self.total} problem(s){more}; first: {self.problems[0]}",
                problems=list(self.problems),
            )
