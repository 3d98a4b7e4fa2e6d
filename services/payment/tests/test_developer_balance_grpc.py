"""GetDeveloperBalance and ListDeveloperLedger over a real grpc.aio server (payment's servicer
and the kit's interceptors on a loopback port) with a service token from the auth stand-in:
sales settled, partly refunded and released through the use cases, then read as
developer-portal reads them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from ledger_support import sell_game
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz.payment.v1 import payment_service_pb2_grpc
from parovoz_kit.clock import ManualClock
from parovoz_kit.grpc import create_grpc_server
from parovoz_kit.grpc.interceptors import standard_server_interceptors
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.domain.games import GameOwner
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.refunds import RefundDestination, RefundReason
from parovoz_payment.grpc.callers import CALLERS
from parovoz_payment.grpc.servicer import grpc_services
from parovoz_payment.settings import PaymentSettings
from parovoz_payment.use_cases.funds_release import release_matured_shares
from parovoz_payment.use_cases.refunds import RefundOrder, RefundService, request_refund
from parovoz_testing.tokens import service_token


def service_metadata(name: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {service_token(name)}"),)


@pytest.fixture(scope="module")
async def stub(
    infrastructure: Infrastructure,
) -> AsyncIterator[payment_service_pb2_grpc.PaymentServiceStub]:
    server = create_grpc_server(
        PaymentSettings(environment="test", grpc_port=0),
        grpc_services(infrastructure),
        standard_server_interceptors(infrastructure.verifier, callers=CALLERS),
    )
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            yield payment_service_pb2_grpc.PaymentServiceStub(channel)
    finally:
        await server.stop(0)


@pytest.fixture(scope="module")
def portal() -> tuple[tuple[str, str], ...]:
    return service_metadata("developer-portal")


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


@pytest.fixture(scope="module")
async def history(infrastructure: Infrastructure) -> tuple[GameOwner, list[Payment], uuid.UUID]:
    """Three sales 60, 59 and 58 days ago; the second refunded by 3.00 RUB two days later;
    by the test clock, only the first has left its hold and been released."""
    clock = ManualClock(datetime.now(UTC) - timedelta(days=60))
    game = GameOwner(uuid.uuid4(), uuid.uuid4(), "Игра", "game")
    async with infrastructure.session_factory.begin() as session:
        await SqlGameOwners(session).remember(game, learned_from="event")
    sales = []
    for minor in (10_000, 20_000, 30_000):
        sales.append(
            await sell_game(infrastructure, game.game_id, minor, now=clock.now(), region="KZ")
        )
        clock.advance(timedelta(days=1))
    service = RefundService(
        infrastructure.unit_of_work,
        provider_registry(infrastructure),
        clock,
        infrastructure.settings.wallet_rules(),  # type: ignore[attr-defined]
    )
    refund = await request_refund(
        service,
        RefundOrder(
            payment_id=sales[1].id,
            viewer=sales[1].user_id,
            actor=str(sales[1].user_id),
            amount=rub(300),
            reason=RefundReason.CUSTOMER_REQUEST,
            destination=RefundDestination.WALLET,
        ),
    )
    clock.advance(timedelta(days=27, hours=1))  # 30 days + 1 h after the first sale only
    await release_matured_shares(infrastructure.unit_of_work, clock)
    return game, sales, refund.id


async def test_the_balance_shows_pending_and_available_per_currency(stub, portal, history) -> None:
    game, _, _ = history
    reply = await stub.GetDeveloperBalance(
        pb.GetDeveloperBalanceRequest(developer_id=str(game.developer_id)),
        metadata=portal,
        timeout=10,
    )
    [balance] = reply.balances
    # 7,000 released; 14,000 - 210 (70 % of the 300 refunded) and 21,000 still held.
    assert balance.currency == "RUB"
    assert (balance.pending.amount_minor, balance.available.amount_minor) == (34_790, 7_000)
    assert (balance.in_payout.amount_minor, balance.owed.amount_minor) == (0, 0)
    assert reply.developer_id == str(game.developer_id) and reply.HasField("as_of")


async def test_a_developer_without_sales_has_no_balances(stub, portal) -> None:
    reply = await stub.GetDeveloperBalance(
        pb.GetDeveloperBalanceRequest(developer_id=str(uuid.uuid4())), metadata=portal, timeout=10
    )
    assert list(reply.balances) == []
    ledger = await stub.ListDeveloperLedger(
        pb.ListDeveloperLedgerRequest(developer_id=str(uuid.uuid4())), metadata=portal, timeout=10
    )
    assert list(ledger.entries) == [] and ledger.next_page_token == ""


async def test_the_ledger_pages_sales_and_refunds_newest_first(stub, portal, history) -> None:
    game, sales, refund_id = history
    seen: list[pb.DeveloperLedgerEntry] = []
    token = ""
    while True:
        reply = await stub.ListDeveloperLedger(
            pb.ListDeveloperLedgerRequest(
                developer_id=str(game.developer_id), page_size=1, page_token=token
            ),
            metadata=portal,
            timeout=10,
        )
        assert len(reply.entries) <= 1
        seen.extend(reply.entries)
        token = reply.next_page_token
        if not token:
            break
    # The release (pending -> available) changes nothing for the developer: not listed.
    assert [(e.kind, e.amount.amount_minor) for e in seen] == [
        (pb.LEDGER_ENTRY_KIND_REFUND, -210),
        (pb.LEDGER_ENTRY_KIND_SALE, 21_000),
        (pb.LEDGER_ENTRY_KIND_SALE, 14_000),
        (pb.LEDGER_ENTRY_KIND_SALE, 7_000),
    ]
    assert all(uuid.UUID(entry.id) for entry in seen) and len({e.id for e in seen}) == 4
    refund, newest_sale, _, oldest_sale = seen
    assert (refund.refund_id, refund.payment_id) == (str(refund_id), str(sales[1].id))
    assert (refund.gross_amount.amount_minor, refund.platform_fee_amount.amount_minor) == (
        -300,
        -90,
    )
    assert refund.available_at == refund.created_at
    assert newest_sale.gross_amount.amount_minor == 30_000
    assert newest_sale.platform_fee_amount.amount_minor == 9_000
    assert (newest_sale.game_id, newest_sale.region) == (str(game.game_id), "KZ")
    # Available at the end of its hold (the entry itself is stamped by the database's clock).
    sold_at = sales[2].succeeded_at
    assert sold_at is not None
    assert newest_sale.available_at.ToDatetime(UTC) == sold_at + timedelta(days=30)
    assert oldest_sale.payment_id == str(sales[0].id)


async def test_calls_need_a_service_token_and_valid_input(stub, portal) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as anonymous:
        await stub.GetDeveloperBalance(
            pb.GetDeveloperBalanceRequest(developer_id=str(uuid.uuid4())), timeout=10
        )
    assert anonymous.value.code() is grpc.StatusCode.UNAUTHENTICATED
    for call in (
        stub.GetDeveloperBalance(
            pb.GetDeveloperBalanceRequest(developer_id="nope"), metadata=portal
        ),
        stub.ListDeveloperLedger(
            pb.ListDeveloperLedgerRequest(developer_id=str(uuid.uuid4()), page_token="%%"),
            metadata=portal,
        ),
        stub.ListDeveloperLedger(
            pb.ListDeveloperLedgerRequest(developer_id=str(uuid.uuid4()), page_size=-1),
            metadata=portal,
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await call
        assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT
