"""Fixtures of greenlight's tests: the real infrastructure (PostgreSQL, Redis, broker, the auth
stand-in's real tokens) and the app built the way the service builds it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from parovoz_greenlight.main import SERVICE
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.tokens import user_token

PREFIX = "/api/v1/greenlight"


def auth(user_id: uuid.UUID, *roles: str) -> dict[str, str]:
    """Headers of a user's request (``roles``: platform roles such as ``admin``)."""
    return {"Authorization": f"Bearer {user_token(str(user_id), roles=roles)}"}


@pytest.fixture(scope="module")
async def infrastructure() -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(GreenlightSettings(environment="test")) as infra:
        yield infra


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://greenlight") as http:
        yield http
