"""Prometheus metrics for REST: request count and latency by route template and status."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

HTTP_REQUESTS = Counter(
    "http_requests_total", "REST requests handled", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "REST request latency", ["method", "route"]
)


def _route_template(request: Request) -> str:
    # The router records the matched route in the scope; its template (not the raw path)
    # keeps label cardinality bounded. Routers carry their prefix themselves (never
    # include_router(prefix=...)), so the template is the full path.
    route = request.scope.get("route")
    return getattr(route, "path", "unmatched")


class MetricsMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = _route_template(request)
            HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
            HTTP_REQUESTS.labels(request.method, route, str(status)).inc()


def metrics_router(prefix: str = "") -> APIRouter:
    router = APIRouter(prefix=prefix, tags=["probes"])

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
