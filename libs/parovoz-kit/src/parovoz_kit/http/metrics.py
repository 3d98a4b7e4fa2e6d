"""Prometheus metrics for REST: request count and latency by route template and status."""

from __future__ import annotations

import time

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "http_requests_total", "REST requests handled", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "REST request latency", ["method", "route"]
)


def _route_template(scope: Scope) -> str:
    # The router records the matched route in the scope; its template (not the raw path)
    # keeps label cardinality bounded. Routers carry their prefix themselves (never
    # include_router(prefix=...)), so the template is the full path.
    route = scope.get("route")
    return getattr(route, "path", "unmatched")


class MetricsMiddleware:
    """Pure ASGI middleware (Starlette's BaseHTTPMiddleware runs each request through a task
    group and memory streams: a cost every request pays, the cheapest most of all)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless an answer starts: an exception escaping the app is a 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            method, route = scope["method"], _route_template(scope)
            HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()


def metrics_router(prefix: str = "") -> APIRouter:
    router = APIRouter(prefix=prefix, tags=["probes"])

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
