"""Fixtures shared by payment's tests: its real infrastructure (PostgreSQL, Redis, broker,
auth stand-in) and an in-process client of the app built the way the service builds it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_payment.main import SERVICE
from parovoz_payment.settings import PaymentSettings


@pytest.fixture(scope="module")
async def infrastructure() -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(PaymentSettings(environment="test")) as infra:
        yield infra


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://payment") as http:
        yield http
