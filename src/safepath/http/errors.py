"""One handler turns every error into one JSON shape (or an HTML page for browser routes).

Shape: ``{"error": {"code": str, "message": str, "problems": [{scope,row,column,value,message}]}}``.

The HTML page is drawn by a renderer the composition root injects (``safepath.app`` passes
``safepath.web.render.render_error``): the page needs web's templates and languages, and ``http``
must not import ``web``. This module only decides which of the two answers a request gets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from safepath.errors import Problem, SafepathError, current_reader, localise
from safepath.http.validation_words import in_words

# (request, status, message, headers) -> the HTML error page
HtmlErrorRenderer = Callable[[Request, int, str, dict[str, str] | None], Response]

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_required",
    429: "too_many_requests",
}


def error_body(
    status: int, code: str, message: str, problems: list[Problem] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if problems:
        body["problems"] = [p.as_dict() for p in problems]
    return {"error": body}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def install_error_handlers(app: FastAPI, render_html: HtmlErrorRenderer) -> None:
    def _respond(
        request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Response:
        if _wants_html(request):
            return render_html(request, status, body["error"]["message"], headers)
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(SafepathError)
    async def _safepath(request: Request, exc: SafepathError) -> Response:
        return _respond(request, exc.status, exc.as_dict(), getattr(exc, "headers", None))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        # Starlette's own words ("Not Found") read in the request's language, as the HTML page
        message = localise(message)
        return _respond(
            request,
            exc.status_code,
            error_body(exc.status_code, code, message),
            dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        # English as pydantic says it when no language was asked for (clients read it); in a
        # language, the words of the web forms (safepath.http.validation_words), which the
        # problems and the summary read in that language as every message does
        ours = current_reader() is not None
        problems = [
            Problem(
                in_words(err, None) if ours else str(err.get("msg", "invalid")),
                scope=str(err["loc"][0]) if err.get("loc") else None,
                column=".".join(str(p) for p in err.get("loc", ())[1:]) or None,
            )
            for err in exc.errors()
        ]
        first = problems[0] if problems else None
        message = localise(f"invalid request: {first}" if first else "invalid request")
        return _respond(request, 422, error_body(422, "validation_failed", message, problems))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Never echo internals (they may hold personal data); the log has the traceback.
        logging.getLogger("safepath").exception("unhandled error on %s", request.url.path)
        return _respond(request, 500, error_body(500, "internal_error", "internal error"))
