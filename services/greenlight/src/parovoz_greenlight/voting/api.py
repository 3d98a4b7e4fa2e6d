"""REST of voting (thin: parse -> one use case -> document)."""

from __future__ import annotations

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure


def voting_router(infrastructure: Infrastructure) -> APIRouter:
    return APIRouter()
