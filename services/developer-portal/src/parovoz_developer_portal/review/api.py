"""review: REST routes (parse -> one use case -> document)."""

from __future__ import annotations

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure


def review_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    return APIRouter(prefix=f"{prefix}", tags=["review"])
