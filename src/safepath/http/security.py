"""Security headers on every response: a self-only CSP and the usual hardening; and
``Cache-Control: no-store`` on every answer that may carry personal data (pages, API, errors,
redirects), so no browser or proxy cache keeps a case. Only the static assets and the health check,
which never hold personal data, may be cached."""

from __future__ import annotations

import logging
from typing import Any

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


_RAW = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]


class SecurityHeaders:
    """The headers above on every HTTP response, as a plain ASGI middleware: it edits the
    response start message (a ``BaseHTTPMiddleware`` would run every request through an extra
    task and a streamed copy of the body, about 1 ms of CPU a request)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = not cacheable(scope.get("path", ""))

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in _RAW if k not in present]
                if no_store:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


CACHEABLE_PREFIXES = ("/static/",)
CACHEABLE_PATHS = frozenset({"/healthz"})


def cacheable(path: str) -> bool:
    """Whether the answer for this path holds no personal data (and so may be cached)."""
    return path in CACHEABLE_PATHS or path.startswith(CACHEABLE_PREFIXES)


class StripQueryStrings(logging.Filter):
    """Access logs keep the path but never the query string: ``?q=`` holds names and phones."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn.access args: (client, method, path_with_query, http_version, status)
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            args[2] = str(args[2]).split("?", 1)[0]
            record.args = tuple(args)
        return True


class DatabaseErrorRedacted(Exception):
    """Stands in for a database error in the log: its type and statement, not its values."""


class RedactDatabaseErrors(logging.Filter):
    """A database's own error text can quote the failing row (PostgreSQL: ``DETAIL: Failing row
    contains (...)``), i.e. ciphertext, ages or codes. The log keeps the error type, the SQL
    statement and the traceback's frames, never that text."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = record.exc_info
        if info and info[1] is not None:
            found = _database_error(info[1])
            if found is not None:
                orig = getattr(found, "orig", None)
                kind = type(orig).__name__ if orig is not None else type(found).__name__
                statement = getattr(found, "statement", None) or "?"
                redacted = DatabaseErrorRedacted(f"{kind} (values withheld) in: {statement}")
                record.exc_info = (DatabaseErrorRedacted, redacted, info[2])
                record.exc_text = None
        return True


def _database_error(exc: BaseException) -> BaseException | None:
    from sqlalchemy.exc import DBAPIError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, DBAPIError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def install_log_filters() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, StripQueryStrings) for f in access.filters):
        access.addFilter(StripQueryStrings())
    for name in ("safepath", "uvicorn.error", "uvicorn"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactDatabaseErrors) for f in logger.filters):
            logger.addFilter(RedactDatabaseErrors())
