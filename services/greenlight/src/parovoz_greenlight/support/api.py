"""REST of support (thin: parse -> one use case -> document)."""

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure


def support_router(infrastructure: Infrastructure) -> APIRouter:
    return APIRouter(tags=["support"])
