"""Response headers every service sends, and ``OPTIONS`` answered for every path.

:class:`SecurityHeaders` (installed by :func:`parovoz_kit.http.create_app`):

* ``X-Content-Type-Options: nosniff`` on every response: a browser never guesses a type other
  than the one sent (a JSON error is never run as a script);
* ``Cache-Control: no-store`` on every API response: the services answer money and personal
  data (balances, payments, bank details, accounts), which no browser or proxy may keep. Always
  on a request that carries ``Authorization``; otherwise a route may choose its own
  ``Cache-Control`` (public reference data). Swagger UI, its assets and the OpenAPI document are
  public and stay cacheable.

:class:`AllowedMethods`: ``OPTIONS <path>`` answers ``204`` with ``Allow`` listing every method
the path serves (Starlette alone answered 405 naming one route's methods); a path nothing serves
stays 404. A route that handles ``OPTIONS`` itself keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from re import Pattern

from fastapi.routing import iter_route_contexts
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Mount, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parovoz_kit.http.docs import DOCS_STATIC_SUFFIX

NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = b"no-store"
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def is_public_document(path: str) -> bool:
    """Swagger UI, its assets and the OpenAPI document: public, cacheable."""
    return (
        path.endswith("/docs") or DOCS_STATIC_SUFFIX + "/" in path or path.endswith("/openapi.json")
    )


class SecurityHeaders:
    """Pure ASGI middleware: ``nosniff`` everywhere, ``no-store`` on API answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers") or [])
        authenticated = b"authorization" in request_headers
        public = not authenticated and is_public_document(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != NOSNIFF[0]
                ]
                headers.append(NOSNIFF)
                has_cache_control = any(name.lower() == b"cache-control" for name, _ in headers)
                if authenticated or (not public and not has_cache_control):
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                    headers.append((b"cache-control", NO_STORE))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AllowedMethods:
    """Pure ASGI middleware answering ``OPTIONS`` with every method the path serves."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        # The app's live route list: routers included later are seen too.
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "OPTIONS":
            await self.app(scope, receive, send)
            return
        methods = allowed_methods(self.routes, scope)
        if methods is None:  # nothing serves the path (404), or a route answers OPTIONS itself
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [(b"allow", ", ".join(methods).encode())],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def allowed_methods(routes: Iterable[BaseRoute], scope: Scope) -> list[str] | None:
    """The methods served at ``scope``'s path, or None when the app should answer itself."""
    path = get_route_path(scope)
    found: set[str] = set()
    # FastAPI keeps included routers as such; their routes are met through route contexts,
    # each with its effective (prefixed) path.
    for context in iter_route_contexts(list(routes)):
        route_path = context.path
        if not route_path:
            continue
        if isinstance(context.original_route, Mount):
            if path == route_path or path.startswith(route_path.rstrip("/") + "/"):
                found.update(("GET", "HEAD"))  # static files (Swagger UI's assets)
            continue
        if not _compiled(route_path).match(path):
            continue
        route_methods = context.methods or {"GET", "HEAD"}
        if "OPTIONS" in route_methods:
            return None
        found.update(route_methods)
    if not found:
        return None
    if "GET" in found:
        found.add("HEAD")
    found.add("OPTIONS")
    return sorted(found, key=lambda m: (_METHOD_ORDER.index(m) if m in _METHOD_ORDER else 99, m))


@lru_cache(maxsize=1024)
def _compiled(route_path: str) -> Pattern[str]:
    return compile_path(route_path)[0]


class ServedBy:
    """Pure ASGI middleware: ``X-Served-By: <service>`` on every answer, so operators (and the
    gateway tests) see which service answered."""

    def __init__(self, app: ASGIApp, service_name: str) -> None:
        self.app = app
        self.header = (b"x-served-by", service_name.encode("latin-1"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != self.header[0]
                ]
                headers.append(self.header)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_header)
