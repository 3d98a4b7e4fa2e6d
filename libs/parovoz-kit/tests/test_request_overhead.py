"""What every request pays in the kit stays off the slow paths: the kit's dependencies run on
the event loop (a plain ``def`` dependency is a thread-pool hop per request), the app's
middlewares are pure ASGI (no BaseHTTPMiddleware task group per request), and the database
pool keeps the connections a busy process needs instead of opening one per request."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from fastapi import APIRouter, Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from parovoz_kit.auth import (
    AuthConfig,
    CurrentPrincipal,
    CurrentUserId,
    JwtVerifier,
    install_auth,
    require_roles,
)
from parovoz_kit.db import create_engine
from parovoz_kit.http import create_app
from parovoz_kit.idempotency import IdempotencyKey, OptionalIdempotencyKey
from parovoz_kit.settings import ServiceSettings
from starlette.middleware.base import BaseHTTPMiddleware

PREFIX = "/api/v1/kit"


def _router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)

    @router.get("/mine")
    async def mine(user_id: CurrentUserId) -> dict[str, str]:
        return {"user": str(user_id)}

    @router.get("/who")
    async def who(principal: CurrentPrincipal) -> dict[str, str]:
        return {"subject": principal.subject}

    @router.post("/orders")
    async def create(user_id: CurrentUserId, key: OptionalIdempotencyKey) -> dict[str, str]:
        return {"user": str(user_id)}

    @router.post("/payments")
    async def pay(user_id: CurrentUserId, key: IdempotencyKey) -> dict[str, str]:
        return {"user": str(user_id)}

    @router.post("/admin", dependencies=[Depends(require_roles("admin"))])
    async def admin() -> dict[str, str]:
        return {}

    return router


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _app(kit_settings: Callable[..., ServiceSettings], router: APIRouter | None = None) -> FastAPI:
    settings = kit_settings()
    app = create_app(settings, title="Kit test", description="t", routers=[router or _router()])
    install_auth(app, JwtVerifier.from_config(AuthConfig()))  # keys fetched only for a token
    return app


def test_the_kits_dependencies_run_on_the_event_loop(
    kit_settings: Callable[..., ServiceSettings],
) -> None:
    router = _router()
    _app(kit_settings, router)
    routes = [route for route in router.routes if isinstance(route, APIRoute)]
    assert len(routes) == 5
    for route in routes:
        for call in _calls(route.dependant):
            # FastAPI runs a dependency in its thread pool unless it is a coroutine function
            # (HTTPBearer's and the header readers are instances with an async __call__).
            target = call if inspect.isfunction(call) else type(call).__call__
            assert inspect.iscoroutinefunction(target), f"{route.path}: {call} is not async"


def test_the_apps_middlewares_are_pure_asgi(kit_settings: Callable[..., ServiceSettings]) -> None:
    app = _app(kit_settings)
    for middleware in app.user_middleware:
        assert not issubclass(middleware.cls, BaseHTTPMiddleware), middleware.cls  # type: ignore[arg-type]


async def test_served_by_and_metrics_answer_as_before(
    kit_settings: Callable[..., ServiceSettings],
) -> None:
    app = _app(kit_settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        answer = await client.get(f"{PREFIX}/mine")  # no token: 401, counted under its route
        metrics = (await client.get("/metrics")).text
    assert answer.status_code == 401
    assert answer.headers["x-served-by"] == kit_settings().service_name
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert f'route="{PREFIX}/mine",status="401"' in metrics


async def test_the_pool_keeps_the_connections_of_a_busy_process(
    kit_settings: Callable[..., ServiceSettings],
) -> None:
    settings = kit_settings()
    engine = create_engine(settings)
    try:
        # As many requests at once as the pool keeps: every connection is given back to the
        # pool (none closed), so the next burst opens none.
        async def hold() -> None:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("SELECT pg_sleep(0.05)")

        await asyncio.gather(*(hold() for _ in range(settings.database_pool_size)))
        pool: Any = engine.pool
        assert pool.size() == settings.database_pool_size >= 16
        assert pool.checkedin() == settings.database_pool_size
        assert pool.overflow() <= 0
        assert pool._max_overflow == settings.database_max_overflow
    finally:
        await engine.dispose()
