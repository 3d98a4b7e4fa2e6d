"""FastAPI app factory every service uses: one shape for probes, metrics, docs and errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from parovoz_kit.http.docs import mount_offline_docs
from parovoz_kit.http.errors import install_error_handlers
from parovoz_kit.http.guard import RequestGuard
from parovoz_kit.http.headers import AllowedMethods, SecurityHeaders, ServedBy
from parovoz_kit.http.metrics import MetricsMiddleware, metrics_router
from parovoz_kit.http.openapi import install_openapi
from parovoz_kit.http.probes import ReadinessCheck, probes_router
from parovoz_kit.settings import ServiceSettings


def create_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    readiness_checks: dict[str, ReadinessCheck] | None = None,
    version: str = "0.1.0",
    error_texts_ru: Mapping[str, str] | None = None,
) -> FastAPI:
    prefix = settings.api_prefix
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        openapi_url=f"{prefix}/openapi.json",
        docs_url=None,  # served offline by mount_offline_docs
        redoc_url=None,
    )
    install_error_handlers(app, error_texts_ru)
    # Innermost of the middlewares (added first), so its refusals are counted and labelled
    # like any answer, yet before the router: no route parses a body it has not checked.
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_request_body_bytes,
        max_depth=settings.max_json_depth,
    )
    # OPTIONS answered with every method of the path (http/headers.py).
    app.add_middleware(AllowedMethods, routes=app.router.routes)
    app.add_middleware(MetricsMiddleware)
    # Which service answered (X-Served-By). Every middleware here is pure ASGI: Starlette's
    # BaseHTTPMiddleware (``@app.middleware("http")``) costs each request a task group and
    # memory streams.
    app.add_middleware(ServedBy, service_name=settings.service_name)

    # Outermost of the middlewares: nosniff and no-store on every answer. (The 500 answered by
    # Starlette's ServerErrorMiddleware, outside them all, carries both from its handler; the
    # stack itself is left as Starlette builds it, which OpenTelemetry's instrumentation needs.)
    app.add_middleware(SecurityHeaders)

    # Probes at the root for Kubernetes, and under the prefix for callers behind the gateway.
    for mount in ("", prefix):
        probes = probes_router(
            settings.service_name,
            readiness_checks or {},
            settings.readiness_timeout_seconds,
            prefix=mount,
        )
        app.include_router(probes, include_in_schema=mount == prefix)
        app.include_router(metrics_router(prefix=mount))

    for router in routers:
        app.include_router(router)
    # The service index answers GET {prefix} unless the service's own collection lives there
    # (subscription's "my subscriptions" is GET /api/v1/subscriptions).
    claimed = any(
        isinstance(route, APIRoute) and route.path == prefix and "GET" in (route.methods or ())
        for router in routers
        for route in router.routes
    )
    if not claimed:

        @app.get(
            prefix,
            tags=["service"],
            summary="What this service is and where its docs are",
            description="The service's name and version, and the addresses of its Swagger UI and "
            "OpenAPI document. No authentication.",
        )
        async def service_index() -> dict[str, str]:
            return {
                "service": settings.service_name,
                "version": version,
                "docs": f"{prefix}/docs",
                "openapi": f"{prefix}/openapi.json",
            }

    mount_offline_docs(app, prefix, title)
    install_openapi(app)
    return app
