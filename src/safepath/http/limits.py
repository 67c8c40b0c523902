"""What the server refuses before a route sees it: request bodies over the size limit (413) and
NUL characters in the path, the query string or a form post (422), in the one error shape.

The body limit is ``max_json_bytes`` for JSON and form posts and ``max_upload_bytes`` for
``multipart/form-data`` uploads. A declared ``Content-Length`` over the limit is refused before
anything is read; a body streamed without one (or longer than it said) is counted as it arrives
and refused once it passes the limit: the route's body read fails with 413, handled like any
HTTP error (JSON on the API, the error page on the pages).

PostgreSQL cannot store or compare text holding ``\\x00``; the schemas refuse it in bodies
(``safepath.inputs``), this refuses it in every path and query parameter at once.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException

Scope = dict[str, Any]

_BODILESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})


def _too_large(limit: int) -> str:
    return f"the request body is larger than the {limit} bytes accepted here"


class InputLimits:
    def __init__(self, app: Any, max_json_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes

    def limit_for(self, scope: Scope) -> int:
        if _header(scope, b"content-type").startswith(b"multipart/form-data"):
            return self.max_upload_bytes
        return self.max_json_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nul = _nul_parameter(scope)
        if nul is not None:
            where, name = nul
            await _answer(
                send,
                422,
                "validation_failed",
                f"invalid request: {where} parameter {name!r} must not contain a NUL character",
                [{"scope": where, "column": name, "message": "must not contain a NUL character"}],
            )
            return
        if scope.get("method") in _BODILESS:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _answer(send, 413, "payload_too_large", _too_large(limit))
            return
        form = _header(scope, b"content-type").startswith(b"application/x-www-form-urlencoded")
        seen = 0
        tail = b""

        async def counted() -> Any:
            nonlocal seen, tail
            message = await receive()
            if message["type"] == "http.request":
                chunk: bytes = message.get("body", b"")
                seen += len(chunk)
                if seen > limit:
                    raise HTTPException(413, _too_large(limit))
                if form:  # a form field's NUL is "%00" (a literal "%" is sent as "%25")
                    window = tail + chunk
                    if b"%00" in window or b"\x00" in window:
                        raise HTTPException(422, "a form field must not contain a NUL character")
                    tail = window[-2:]
            return message

        await self.app(scope, counted, send)


def _header(scope: Scope, wanted: bytes) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return bytes(value).lower()
    return b""


def _content_length(scope: Scope) -> int | None:
    raw = _header(scope, b"content-length")
    return int(raw) if raw.isdigit() else None


def _nul_parameter(scope: Scope) -> tuple[str, str] | None:
    """(``"path"`` or ``"query"``, which) when a NUL character is in the path or the query."""
    if "\x00" in scope.get("path", ""):
        return "path", scope["path"].replace("\x00", "\\x00")
    raw: bytes = scope.get("query_string", b"")
    if b"%00" in raw or b"\x00" in raw:
        for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
            if "\x00" in key or "\x00" in value:
                return "query", key.replace("\x00", "\\x00")
        return "query", "?"
    return None


async def _answer(
    send: Any,
    status: int,
    code: str,
    message: str,
    problems: list[dict[str, str]] | None = None,
) -> None:
    error: dict[str, Any] = {"code": code, "message": message}
    if problems:
        error["problems"] = problems
    body = json.dumps({"error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
