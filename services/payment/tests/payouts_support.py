"""Test helpers for developer payouts: balances (available, owed) seeded by a direct ledger
posting, payout requests, and readers of what payment wrote. developer-portal's side (accounts,
payout methods) is the running service's: ``developer_portal_support``."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from parovoz_events.payment import PayoutStatusChanged
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.db.payouts import SqlPayouts
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payouts import Payout, PayoutRequest
from sqlalchemy import text

SANDBOX = "http://127.0.0.1:8091"
T = TypeVar("T")


async def seed_available(
    infrastructure: Infrastructure, developer_id: uuid.UUID, minor: int
) -> None:
    """Matured revenue, posted straight into the developer's available payable."""
    amount = Money(minor, "RUB")
    async with infrastructure.session_factory.begin() as session:
        revenue = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, "RUB"
        )
        available = await account_for(
            session, OwnerType.DEVELOPER, developer_id,
            AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE, "RUB",
        )  # fmt: skip
        await post(
            session,
            f"test-seed:{uuid.uuid4()}",
            "test_seed_available",
            [debit(revenue, amount), credit(available, amount)],
        )


async def seed_owed(infrastructure: Infrastructure, developer_id: uuid.UUID, minor: int) -> None:
    """A share taken back after it was paid out: owed by the developer (developer_receivable),
    netted against their next revenue."""
    owed = Money(minor, "RUB")
    async with infrastructure.session_factory.begin() as session:
        receivable = await account_for(
            session, OwnerType.DEVELOPER, developer_id, AccountPurpose.DEVELOPER_RECEIVABLE, "RUB"
        )
        revenue = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, "RUB"
        )
        await post(
            session, f"test-owed:{uuid.uuid4()}", "test_seed_owed",
            [debit(receivable, owed), credit(revenue, owed)],
        )  # fmt: skip


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
