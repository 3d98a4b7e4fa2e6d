"""REST of appeals (thin: parse -> one use case -> document)."""

from __future__ import annotations

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure


def appeals_router(infrastructure: Infrastructure) -> APIRouter:
    return APIRouter()
