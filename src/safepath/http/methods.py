"""Which methods a path accepts, said the way RFC 9110 asks (sections 9.3.2, 9.3.7, 15.5.6):

- ``OPTIONS`` on a path the app serves answers 204 with ``Allow`` listing its methods;
- a 405 (a method the path does not accept) carries ``Allow`` with *every* method of the path
  (the router alone names only the methods of the first route it matched);
- ``HEAD`` is answered as ``GET`` without the body, wherever ``GET`` is.

A path no route serves is left to the router (404). The routes are read from the app the request
is for (``scope["app"]``), so nothing here needs to be told about them.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Match, Mount

Scope = dict[str, Any]

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(scope: Scope) -> list[str]:
    """The methods the request's path accepts (empty when no route serves the path).

    Each method is tried against the app's routes as the router would (``matches``), so routes
    in included routers count too; mounts (static files) keep their own rules."""
    app = scope.get("app")
    routes = [
        r for r in getattr(getattr(app, "router", None), "routes", ()) if not isinstance(r, Mount)
    ]
    found = [
        method
        for method in _METHODS
        if any(r.matches({**scope, "method": method})[0] is Match.FULL for r in routes)
    ]
    if not found:
        return []
    if "GET" in found and "HEAD" not in found:
        found.insert(1, "HEAD")  # answered below as GET without the body
    return [*found, "OPTIONS"]


class AllowedMethods:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            allowed = allowed_methods(scope)
            if allowed:
                await _no_content(send, allowed)
                return
        if method == "HEAD" and "GET" in allowed_methods(scope):
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
            return

        async def send_with_allow(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allowed = allowed_methods(scope)
                if allowed:
                    headers = [
                        (k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"
                    ]
                    headers.append((b"allow", ", ".join(allowed).encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_allow)


async def _no_content(send: Any, allowed: list[str]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 204,
            "headers": [(b"allow", ", ".join(allowed).encode())],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def _without_body(send: Any) -> Any:
    async def send_head(message: Any) -> None:
        if message["type"] == "http.response.body":
            # the headers (Content-Length too) are those of the GET; only the body is left out
            message = {**message, "body": b"", "more_body": message.get("more_body", False)}
            if message["more_body"]:
                return
        await send(message)

    return send_head
