"""Liveness (`/health`) and readiness (`/ready`) endpoints."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)

#: Raises when its dependency is unreachable.
ReadinessCheck = Callable[[], Awaitable[None]]


def probes_router(
    service: str, checks: dict[str, ReadinessCheck], timeout_seconds: float, prefix: str = ""
) -> APIRouter:
    # The prefix is the router's own (not include_router's), so route templates in metrics
    # carry the full path.
    router = APIRouter(prefix=prefix, tags=["probes"])

    @router.get(
        "/health",
        summary="Liveness: the process answers",
        description="Always 200 while the process serves HTTP; checks no dependency. "
        "No authentication.",
    )
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get(
        "/ready",
        summary="Readiness: database, broker and Redis reachable",
        description="200 with each dependency `up` when the database, the broker and Redis "
        "answer within the readiness timeout; 503 naming the ones `down` otherwise. "
        "No authentication.",
    )
    async def ready() -> JSONResponse:
        results = await asyncio.gather(
            *(_probe(name, check, timeout_seconds) for name, check in checks.items())
        )
        statuses = dict(results)
        all_up = all(status == "up" for status in statuses.values())
        return JSONResponse(
            {"status": "ready" if all_up else "not_ready", "checks": statuses},
            status_code=200 if all_up else 503,
        )

    return router


async def _probe(name: str, check: ReadinessCheck, timeout_seconds: float) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check(), timeout=timeout_seconds)
    except Exception as exc:  # any failure means "down"; the reason goes to the log only
        log.warning("readiness check failed", extra={"check": name, "error": type(exc).__name__})
        return name, "down"
    return name, "up"
