"""Fixtures shared by payment's tests: its real infrastructure (PostgreSQL, Redis, broker,
auth stand-in), an in-process client of the app built the way the service builds it, a manual
clock at the present (a module may define its own, set elsewhere in time) and a local receiver
of the provider sandbox's replayed notifications."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

# payment's own test-support modules (``*_support.py`` beside this file) import as top-level
# modules, for payment's tests only: this folder is on no shared path (the root pyproject's
# pytest ``pythonpath`` has none of the services' tests), and no other service imports them.
sys.path.insert(0, str(Path(__file__).parent))

import httpx
import pytest
from notifications_support import Receiver, local_receiver
from parovoz_kit.clock import ManualClock
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


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC))


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with local_receiver() as found:
        yield found
