"""`parovoz.payment.v1.PaymentService` against the RUNNING payment gRPC server (127.0.0.1:9094,
after `make restart`), with a real service token from the auth stand-in and the generated
stubs. Payments go to the provider sandbox; ledger postings are written to the payment
database directly (revenue-share postings come with issue 6)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from parovoz.common.v1 import money_pb2
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz.payment.v1 import payment_service_pb2_grpc
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.db.payments import payments
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.money import Money
from parovoz_testing.tokens import service_token
from sqlalchemy import func, select

GRPC_TARGET = "127.0.0.1:9094"
TIMEOUT = 20


@pytest.fixture(scope="module")
def service_metadata() -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {service_token('subscription')}"),)


@pytest.fixture(scope="module")
def portal_metadata() -> tuple[tuple[str, str], ...]:
    """developer-portal's token: the one caller of the developer balance and ledger."""
    return (("authorization", f"Bearer {service_token('developer-portal')}"),)


@pytest.fixture
async def stub() -> AsyncIterator[payment_service_pb2_grpc.PaymentServiceStub]:
    async with grpc.aio.insecure_channel(GRPC_TARGET) as channel:
        yield payment_service_pb2_grpc.PaymentServiceStub(channel)


def subscription_request(
    user_id: uuid.UUID, key: str, amount: int = 29900
) -> pb.CreatePaymentRequest:
    return pb.CreatePaymentRequest(
        idempotency_key=key,
        purpose=pb.PAYMENT_PURPOSE_SUBSCRIPTION,
        amount=money_pb2.Money(amount_minor=amount, currency="RUB"),
        user_id=str(user_id),
        reference=f"subscription:{uuid.uuid4()}:period:1",
        method_type=pb.PAYMENT_METHOD_TYPE_BANK_CARD,
        return_url="https://parovoz.example/return",
        region="RU",
        customer=pb.Customer(email="buyer@example.com"),
        metadata={"plan": "monthly"},
    )


async def payments_of(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    async with infrastructure.session_factory() as session:
        return (
            await session.execute(
                select(func.count()).select_from(payments).where(payments.c.user_id == user_id)
            )
        ).scalar_one()


async def test_create_payment_starts_a_pending_payment_with_a_confirmation_url(
    stub, service_metadata, infrastructure
) -> None:
    user_id = uuid.uuid4()
    request = subscription_request(user_id, str(uuid.uuid4()))
    reply = await stub.CreatePayment(request, metadata=service_metadata, timeout=TIMEOUT)
    payment = reply.payment
    assert payment.status == pb.PAYMENT_STATUS_PENDING
    assert payment.confirmation_url.startswith("http")
    assert payment.purpose == pb.PAYMENT_PURPOSE_SUBSCRIPTION
    assert (payment.amount.amount_minor, payment.amount.currency) == (29900, "RUB")
    assert payment.wallet_amount.amount_minor == 0 and payment.wallet_amount.currency == "RUB"
    assert payment.user_id == str(user_id)
    assert payment.reference == request.reference
    assert payment.method_type == pb.PAYMENT_METHOD_TYPE_BANK_CARD
    assert payment.game_id == "" and payment.region == "RU"
    assert dict(payment.metadata) == {"plan": "monthly"}
    expires = payment.expires_at.ToDatetime() - payment.created_at.ToDatetime()
    assert expires.total_seconds() == 3600
    assert not payment.HasField("succeeded_at")
    assert await payments_of(infrastructure, user_id) == 1


async def test_the_same_key_replays_the_first_payment(
    stub, service_metadata, infrastructure
) -> None:
    user_id = uuid.uuid4()
    request = subscription_request(user_id, str(uuid.uuid4()))
    first = await stub.CreatePayment(request, metadata=service_metadata, timeout=TIMEOUT)
    again = await stub.CreatePayment(request, metadata=service_metadata, timeout=TIMEOUT)
    assert again == first
    assert await payments_of(infrastructure, user_id) == 1


async def test_the_same_key_with_another_request_is_invalid_argument(
    stub, service_metadata, infrastructure
) -> None:
    user_id = uuid.uuid4()
    key = str(uuid.uuid4())
    await stub.CreatePayment(
        subscription_request(user_id, key), metadata=service_metadata, timeout=TIMEOUT
    )
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.CreatePayment(
            subscription_request(user_id, key, amount=39900),
            metadata=service_metadata,
            timeout=TIMEOUT,
        )
    assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert error.value.details().startswith("IDEMPOTENCY_KEY_REUSED")
    assert await payments_of(infrastructure, user_id) == 1


async def test_without_a_token_every_call_is_unauthenticated(stub) -> None:
    calls = [
        stub.CreatePayment(subscription_request(uuid.uuid4(), str(uuid.uuid4())), timeout=5),
        stub.GetPayment(pb.GetPaymentRequest(payment_id=str(uuid.uuid4())), timeout=5),
        stub.GetDeveloperBalance(
            pb.GetDeveloperBalanceRequest(developer_id=str(uuid.uuid4())), timeout=5
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await call
        assert error.value.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_create_payment_refuses_malformed_requests(stub, service_metadata) -> None:
    bad_user = subscription_request(uuid.uuid4(), str(uuid.uuid4()))
    bad_user.user_id = "not-a-uuid"
    no_purpose = subscription_request(uuid.uuid4(), str(uuid.uuid4()))
    no_purpose.purpose = pb.PAYMENT_PURPOSE_UNSPECIFIED
    no_amount = subscription_request(uuid.uuid4(), str(uuid.uuid4()))
    no_amount.ClearField("amount")
    no_key = subscription_request(uuid.uuid4(), "")
    for request, code in [
        (bad_user, "INVALID_ID"),
        (no_purpose, "INVALID_ENUM_VALUE"),
        (no_amount, "AMOUNT_REQUIRED"),
        (no_key, "IDEMPOTENCY_KEY_REQUIRED"),
    ]:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.CreatePayment(request, metadata=service_metadata, timeout=TIMEOUT)
        assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT, code
        assert error.value.details().startswith(code)


async def test_get_payment_returns_what_create_payment_made(stub, service_metadata) -> None:
    created = await stub.CreatePayment(
        subscription_request(uuid.uuid4(), str(uuid.uuid4())),
        metadata=service_metadata,
        timeout=TIMEOUT,
    )
    reply = await stub.GetPayment(
        pb.GetPaymentRequest(payment_id=created.payment.id),
        metadata=service_metadata,
        timeout=TIMEOUT,
    )
    assert reply.payment.id == created.payment.id
    assert reply.payment.status == pb.PAYMENT_STATUS_PENDING
    assert reply.payment.confirmation_url == created.payment.confirmation_url
    assert reply.payment.amount == created.payment.amount


async def test_get_payment_of_an_unknown_or_malformed_id(stub, service_metadata) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.GetPayment(
            pb.GetPaymentRequest(payment_id=str(uuid.uuid4())), metadata=service_metadata
        )
    assert error.value.code() is grpc.StatusCode.NOT_FOUND
    assert error.value.details().startswith("PAYMENT_NOT_FOUND")
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.GetPayment(pb.GetPaymentRequest(payment_id="42"), metadata=service_metadata)
    assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def post_sale(
    infrastructure: Infrastructure, developer_id: uuid.UUID, amount_minor: int, currency: str
) -> None:
    """Provider clearing debit -> developer pending payable credit (a revenue-share posting)."""
    async with infrastructure.session_factory.begin() as session:
        pending = await account_for(
            session,
            OwnerType.DEVELOPER,
            developer_id,
            AccountPurpose.DEVELOPER_PAYABLE_PENDING,
            currency,
        )
        clearing = await account_for(
            session,
            OwnerType.PROVIDER,
            f"test-{uuid.uuid4()}",
            AccountPurpose.PROVIDER_CLEARING,
            currency,
        )
        money = Money(amount_minor, currency)
        await post(
            session,
            f"test-sale:{uuid.uuid4()}",
            "revenue_share_sale",
            [debit(clearing, money), credit(pending, money)],
            metadata={"payment_id": str(uuid.uuid4()), "region": "RU"},
        )


async def post_release_and_payout(
    infrastructure: Infrastructure, developer_id: uuid.UUID, release: int, hold: int
) -> None:
    """Pending -> available (the hold ended), then available -> payout hold (a request)."""
    async with infrastructure.session_factory.begin() as session:

        async def account(purpose: AccountPurpose):
            return await account_for(session, OwnerType.DEVELOPER, developer_id, purpose, "RUB")

        pending = await account(AccountPurpose.DEVELOPER_PAYABLE_PENDING)
        available = await account(AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE)
        held = await account(AccountPurpose.DEVELOPER_PAYOUT_HOLD)
        await post(
            session,
            f"test-release:{uuid.uuid4()}",
            "hold_release",
            [debit(pending, Money(release, "RUB")), credit(available, Money(release, "RUB"))],
        )
        await post(
            session,
            f"test-payout:{uuid.uuid4()}",
            "payout_request",
            [debit(available, Money(hold, "RUB")), credit(held, Money(hold, "RUB"))],
        )


async def test_developer_balance_per_currency(stub, portal_metadata, infrastructure) -> None:
    developer_id = uuid.uuid4()
    await post_sale(infrastructure, developer_id, 70000, "RUB")
    await post_sale(infrastructure, developer_id, 5000, "RUB")
    await post_sale(infrastructure, developer_id, 1200, "USD")
    await post_release_and_payout(infrastructure, developer_id, release=60000, hold=40000)
    reply = await stub.GetDeveloperBalance(
        pb.GetDeveloperBalanceRequest(developer_id=str(developer_id)),
        metadata=portal_metadata,
        timeout=TIMEOUT,
    )
    assert reply.developer_id == str(developer_id)
    assert reply.HasField("as_of")
    balances = {
        b.currency: (b.pending.amount_minor, b.available.amount_minor, b.in_payout.amount_minor)
        for b in reply.balances
    }
    assert [b.currency for b in reply.balances] == ["RUB", "USD"]
    assert balances == {"RUB": (15000, 20000, 40000), "USD": (1200, 0, 0)}


async def test_ledger_pages_newest_first(stub, portal_metadata, infrastructure) -> None:
    developer_id = uuid.uuid4()
    amounts = [100 * (n + 1) for n in range(5)]
    for amount in amounts:
        await post_sale(infrastructure, developer_id, amount, "RUB")
    seen: list[pb.DeveloperLedgerEntry] = []
    token, pages = "", 0
    while True:
        reply = await stub.ListDeveloperLedger(
            pb.ListDeveloperLedgerRequest(
                developer_id=str(developer_id), page_size=2, page_token=token
            ),
            metadata=portal_metadata,
            timeout=TIMEOUT,
        )
        pages += 1
        seen.extend(reply.entries)
        token = reply.next_page_token
        if not token:
            break
    assert pages == 3
    assert [entry.amount.amount_minor for entry in seen] == amounts[::-1]
    assert len({entry.id for entry in seen}) == 5
    first = seen[0]
    assert first.kind == pb.LEDGER_ENTRY_KIND_SALE
    assert first.region == "RU" and uuid.UUID(first.payment_id)
    held_days = first.available_at.ToDatetime() - first.created_at.ToDatetime()
    assert held_days.days == 30


async def test_ledger_entries_carry_sign_and_kind(stub, portal_metadata, infrastructure) -> None:
    developer_id = uuid.uuid4()
    await post_sale(infrastructure, developer_id, 50000, "RUB")
    await post_release_and_payout(infrastructure, developer_id, release=50000, hold=30000)
    reply = await stub.ListDeveloperLedger(
        pb.ListDeveloperLedgerRequest(developer_id=str(developer_id)),
        metadata=portal_metadata,
        timeout=TIMEOUT,
    )
    assert not reply.next_page_token
    kinds_and_amounts = [(e.kind, e.amount.amount_minor) for e in reply.entries]
    # Moves between the developer's own balances (the release, the payout request) change
    # nothing for them and are not listed; money paid out to their bank is.
    assert kinds_and_amounts == [(pb.LEDGER_ENTRY_KIND_SALE, 50000)]
    await post_payout_paid(infrastructure, developer_id, 30000)
    reply = await stub.ListDeveloperLedger(
        pb.ListDeveloperLedgerRequest(developer_id=str(developer_id)),
        metadata=portal_metadata,
        timeout=TIMEOUT,
    )
    kinds_and_amounts = [(e.kind, e.amount.amount_minor) for e in reply.entries]
    assert kinds_and_amounts == [
        (pb.LEDGER_ENTRY_KIND_PAYOUT, -30000),
        (pb.LEDGER_ENTRY_KIND_SALE, 50000),
    ]
    taken = reply.entries[0]
    assert taken.available_at == taken.created_at


async def post_payout_paid(
    infrastructure: Infrastructure, developer_id: uuid.UUID, amount_minor: int
) -> None:
    """Payout hold -> payout clearing: the money left for the developer's bank."""
    async with infrastructure.session_factory.begin() as session:
        held = await account_for(
            session, OwnerType.DEVELOPER, developer_id, AccountPurpose.DEVELOPER_PAYOUT_HOLD, "RUB"
        )
        clearing = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PAYOUT_CLEARING, "RUB"
        )
        money = Money(amount_minor, "RUB")
        await post(
            session,
            f"test-payout-paid:{uuid.uuid4()}",
            "payout_completed",
            [debit(held, money), credit(clearing, money)],
        )


async def test_an_unknown_developer_has_no_balances_and_no_entries(stub, portal_metadata) -> None:
    developer_id = str(uuid.uuid4())
    balance = await stub.GetDeveloperBalance(
        pb.GetDeveloperBalanceRequest(developer_id=developer_id),
        metadata=portal_metadata,
        timeout=TIMEOUT,
    )
    assert list(balance.balances) == []  # the contract: empty, not NOT_FOUND
    ledger = await stub.ListDeveloperLedger(
        pb.ListDeveloperLedgerRequest(developer_id=developer_id),
        metadata=portal_metadata,
        timeout=TIMEOUT,
    )
    assert list(ledger.entries) == [] and ledger.next_page_token == ""


async def test_developer_calls_refuse_bad_ids_and_tokens(stub, portal_metadata) -> None:
    for call in [
        stub.GetDeveloperBalance(
            pb.GetDeveloperBalanceRequest(developer_id="nope"), metadata=portal_metadata
        ),
        stub.ListDeveloperLedger(
            pb.ListDeveloperLedgerRequest(developer_id="nope"), metadata=portal_metadata
        ),
        stub.ListDeveloperLedger(
            pb.ListDeveloperLedgerRequest(
                developer_id=str(uuid.uuid4()), page_token="%%not-a-token%%"
            ),
            metadata=portal_metadata,
        ),
    ]:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await call
        assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_empty_charge_and_refund_requests_are_invalid(stub, service_metadata) -> None:
    calls = [
        stub.ChargeSavedMethod(
            pb.ChargeSavedMethodRequest(idempotency_key=str(uuid.uuid4())),
            metadata=service_metadata,
        ),
        stub.Refund(pb.RefundRequest(idempotency_key=str(uuid.uuid4())), metadata=service_metadata),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await call
        assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT
