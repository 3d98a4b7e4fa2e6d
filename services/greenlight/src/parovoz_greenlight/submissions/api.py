"""REST of submissions (thin: parse -> one use case -> document)."""

from __future__ import annotations

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure


def submissions_router(infrastructure: Infrastructure) -> APIRouter:
    return APIRouter()
