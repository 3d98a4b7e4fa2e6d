"""REST of integrity (thin: parse -> one use case -> document)."""

from __future__ import annotations

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure


def integrity_router(infrastructure: Infrastructure) -> APIRouter:
    return APIRouter()
