"""REST of beta tests (thin: parse -> one use case -> document)."""

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure


def beta_router(infrastructure: Infrastructure) -> APIRouter:
    return APIRouter(tags=["beta tests"])
