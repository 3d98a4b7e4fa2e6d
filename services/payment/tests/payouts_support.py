"""Test helpers for developer payouts: balances (available, owed) seeded by a direct ledger
posting (``parovoz_testing.payment_ledger``), payout requests, and readers of what payment
wrote. developer-portal's side (accounts, payout methods) is the running service's:
``parovoz_testing.developer_portal`` (through ``developer_portal_support``)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from parovoz_events.payment import PayoutStatusChanged
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import account_for
from parovoz_payment.db.payouts import SqlPayouts
from parovoz_payment.domain.ledger import OwnerType
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payouts import Payout, PayoutRequest
from parovoz_testing import payment_ledger
from sqlalchemy import text

SANDBOX = "http://127.0.0.1:8091"
T = TypeVar("T")


async def seed_available(
    infrastructure: Infrastructure, developer_id: uuid.UUID, minor: int
) -> None:
    """Matured revenue, posted straight into the developer's available payable (the shared
    helper developer-portal's tests use too: payment's reads here prove its postings)."""
    await payment_ledger.seed_available(infrastructure.engine, developer_id, minor)


async def seed_owed(infrastructure: Infrastructure, developer_id: uuid.UUID, minor: int) -> None:
    """A share taken back after it was paid out: owed by the developer (developer_receivable),
    netted against their next revenue."""
    await payment_ledger.seed_owed(infrastructure.engine, developer_id, minor)


async def balance(infrastructure: Infrastructure, developer_id: uuid.UUID, purpose: str) -> int:
    async with infrastructure.session_factory() as session:
        account = await account_for(session, OwnerType.DEVELOPER, developer_id, purpose, "RUB")
        await session.commit()
    return account.credits_posted - account.debits_posted


def request_for(
    developer_id: uuid.UUID, method_id: uuid.UUID, minor: int, *, currency: str = "RUB"
) -> PayoutRequest:
    return PayoutRequest(
        payout_request_id=uuid.uuid4(),
        developer_id=developer_id,
        payout_method_id=method_id,
        amount=Money(minor, currency),
        trigger="on_request",
        requested_at=datetime.now(UTC),
        requested_by_user_id=uuid.uuid4(),
    )


async def payout_of(infrastructure: Infrastructure, request: PayoutRequest) -> Payout | None:
    async with infrastructure.session_factory() as session:
        return await SqlPayouts(session).of_request(request.payout_request_id)


async def status_events(
    infrastructure: Infrastructure, developer_id: uuid.UUID
) -> list[PayoutStatusChanged]:
    """The developer's payout events in the outbox, each validated against its schema."""
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT type, payload FROM outbox WHERE key = :key ORDER BY seq"),
            {"key": str(developer_id)},
        )
        found = []
        for event_type, payload in rows:
            assert event_type == PayoutStatusChanged.event_type
            found.append(PayoutStatusChanged.model_validate(payload))
        return found


async def audit_actions(infrastructure: Infrastructure, payout_id: uuid.UUID) -> list[str]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT action FROM audit_log WHERE subject_id = :id ORDER BY id"),
            {"id": str(payout_id)},
        )
        return list(rows.scalars())


async def eventually(check: Callable[[], Awaitable[T | None]], within: float = 15) -> T:
    """What ``check`` returns once it is truthy: for the provider's notification, delivered
    over HTTP to the running payment service (a real network delivery, not a timer)."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, "it never happened"
        await asyncio.sleep(0.1)
