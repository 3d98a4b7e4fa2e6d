"""REST of statistics (thin: parse -> one use case -> document)."""

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure


def stats_router(infrastructure: Infrastructure) -> APIRouter:
    return APIRouter(tags=["stats"])
