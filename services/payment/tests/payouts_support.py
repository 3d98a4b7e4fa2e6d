"""Test helpers for developer payouts: a real gRPC stand-in of developer-portal's
GetPayoutMethod (the generated servicer on a loopback port), balances seeded by a direct ledger
posting, payout requests, and readers of what payment wrote."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import grpc
from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz.developer.v1 import developer_service_pb2_grpc
from parovoz_events.payment import PayoutStatusChanged
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.developer_portal import IDEMPOTENT_METHODS, DeveloperPortalCatalogue
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.db.payouts import SqlPayouts
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payouts import Payout, PayoutRequest
from sqlalchemy import text

SANDBOX = "http://127.0.0.1:8091"
ACCOUNT_NUMBER = "40702810900000000042"
INN = "7707083893"
T = TypeVar("T")


@dataclass
class FakePortal(developer_service_pb2_grpc.DeveloperServiceServicer):
    """developer-portal's GetPayoutMethod as its proto promises (NOT_FOUND for an unknown or
    another developer's method); records the authorization it was called with."""

    methods: dict[tuple[str, str], pb.PayoutMethod] = field(default_factory=dict)
    authorizations: list[str] = field(default_factory=list)

    def add_method(self, developer_id: uuid.UUID) -> uuid.UUID:
        method_id = uuid.uuid4()
        self.methods[(str(developer_id), str(method_id))] = pb.PayoutMethod(
            id=str(method_id),
            developer_id=str(developer_id),
            recipient_name="ООО «Студия Тест»",
            inn=INN,
            kpp="773601001",
            bik="044525225",
            account_number=ACCOUNT_NUMBER,
            correspondent_account="30101810400000000225",
            bank_name="ПАО Сбербанк",
            currency="RUB",
            is_default=True,
        )
        return method_id

    async def GetPayoutMethod(self, request: Any, context: Any) -> pb.GetPayoutMethodResponse:
        metadata = dict(context.invocation_metadata())
        self.authorizations.append(metadata.get("authorization", ""))
        found = self.methods.get((request.developer_id, request.payout_method_id))
        if found is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "PAYOUT_METHOD_NOT_FOUND: not found")
        return pb.GetPayoutMethodResponse(payout_method=found)


async def start_portal(portal: FakePortal) -> tuple[grpc.aio.Server, str]:
    server = grpc.aio.server()
    developer_service_pb2_grpc.add_DeveloperServiceServicer_to_server(portal, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, f"127.0.0.1:{port}"


def portal_client(infrastructure: Infrastructure, target: str) -> DeveloperPortalCatalogue:
    # Its own peer name: the shared "developer-portal" peer points at the real service.
    name = f"developer-portal-test-{target}"
    return DeveloperPortalCatalogue(infrastructure.peer(name, target, IDEMPOTENT_METHODS))


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
