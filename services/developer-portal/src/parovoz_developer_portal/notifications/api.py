"""REST of notifications (thin: parse -> one use case -> document)."""

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure


def notifications_router(infrastructure: Infrastructure) -> APIRouter:
    return APIRouter(tags=["notifications"])
