"""Placeholder, filled in by its feature: registered in api/__init__.py already."""

from __future__ import annotations

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure

from parovoz_payment.clients.providers.registry import ProviderRegistry


def refunds_router(infrastructure: Infrastructure, providers: ProviderRegistry) -> APIRouter:
    return APIRouter(prefix=infrastructure.settings.api_prefix)
