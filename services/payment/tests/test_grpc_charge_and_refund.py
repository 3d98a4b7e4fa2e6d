"""`ChargeSavedMethod`, `Refund` and card binding over gRPC, against the RUNNING payment server
(127.0.0.1:9094, after `make restart`) and the provider sandbox, with a `subscription` service
token: a payer saves a card once, renewals charge it off-session, a charge is refunded, and a
1.00 RUB card verification binds a card without moving money."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import grpc
import httpx
import pytest
from parovoz.common.v1 import money_pb2
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz.payment.v1 import payment_service_pb2_grpc
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger_tables import ledger_transactions
from parovoz_payment.db.saved_methods import saved_methods
from parovoz_payment.jobs.ledger_check import run_check
from parovoz_testing.tokens import service_token
from sqlalchemy import func, select, text

AUTH = "http://127.0.0.1:8090"
GRPC_TARGET = "127.0.0.1:9094"
PAYMENTS = "http://127.0.0.1:8084/api/v1/payments"
RETURN_URL = "https://parovoz.example/return"


@pytest.fixture(scope="module")
def service_metadata() -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {service_token('subscription')}"),)


@pytest.fixture
async def stub() -> AsyncIterator[payment_service_pb2_grpc.PaymentServiceStub]:
    async with grpc.aio.insecure_channel(GRPC_TARGET) as channel:
        yield payment_service_pb2_grpc.PaymentServiceStub(channel)


def rub(amount_minor: int) -> money_pb2.Money:
    return money_pb2.Money(amount_minor=amount_minor, currency="RUB")


async def wait_for_status(stub, metadata, payment_id: str, status: int) -> pb.Payment:
    for _ in range(100):
        answer = await stub.GetPayment(
            pb.GetPaymentRequest(payment_id=payment_id), metadata=metadata
        )
        if answer.payment.status == status:
            return answer.payment
        await asyncio.sleep(0.1)
    raise AssertionError(f"payment {payment_id} never reached {pb.PaymentStatus.Name(status)}")


async def pay_at_sandbox(confirmation_url: str) -> None:
    async with httpx.AsyncClient() as client:
        confirm = await client.get(confirmation_url, follow_redirects=False)
    assert confirm.status_code == 303, confirm.text


async def postings(infrastructure: Infrastructure, payment_id: str) -> int:
    async with infrastructure.session_factory() as session:
        return (
            await session.execute(
                select(func.count()).where(ledger_transactions.c.reference == payment_id)
            )
        ).scalar_one()


async def events(infrastructure: Infrastructure, payment_id: str) -> list[tuple[str, dict]]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT type, payload FROM outbox WHERE key = :key ORDER BY seq"),
            {"key": payment_id},
        )
        return [(kind, payload) for kind, payload in rows]


async def methods_of(infrastructure: Infrastructure, user_id: uuid.UUID) -> list[uuid.UUID]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            select(saved_methods.c.id).where(saved_methods.c.user_id == user_id)
        )
        return [row.id for row in rows]


async def assert_ledger_ok(infrastructure: Infrastructure) -> None:
    report = await run_check(infrastructure.settings.database_url)
    assert report.ok, report.render()


async def approve(refund_id: str) -> dict:
    async with httpx.AsyncClient() as client:
        token = await client.post(
            f"{AUTH}/tokens", json={"sub": str(uuid.uuid4()), "roles": ["admin"]}
        )
        token.raise_for_status()
        answer = await client.post(
            f"{PAYMENTS}/admin/refunds/{refund_id}/decision",
            json={"data": {"type": "refundDecision", "attributes": {"decision": "approve"}}},
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["attributes"]


async def saved_card(stub, metadata, infrastructure, user_id: uuid.UUID) -> str:
    """A first subscription payment that saves the card, paid at the sandbox's page."""
    created = await stub.CreatePayment(
        pb.CreatePaymentRequest(
            idempotency_key=f"first-{uuid.uuid4()}",
            purpose=pb.PAYMENT_PURPOSE_SUBSCRIPTION,
            amount=rub(29900),
            user_id=str(user_id),
            reference=f"subscription:{uuid.uuid4()}:period:1",
            method_type=pb.PAYMENT_METHOD_TYPE_BANK_CARD,
            return_url=RETURN_URL,
            region="RU",
            save_method=True,
            customer=pb.Customer(email="renewals@example.com"),
        ),
        metadata=metadata,
    )
    await pay_at_sandbox(created.payment.confirmation_url)
    paid = await wait_for_status(stub, metadata, created.payment.id, pb.PAYMENT_STATUS_SUCCEEDED)
    # The method is named on the payment (and in its succeeded event) for later charges.
    assert paid.saved_method_id
    assert await methods_of(infrastructure, user_id) == [uuid.UUID(paid.saved_method_id)]
    kinds = [kind for kind, _ in await events(infrastructure, paid.id)]
    assert kinds == ["payment.payment.succeeded.v1"]
    return paid.saved_method_id


def renewal(user_id: uuid.UUID, method_id: str, key: str) -> pb.ChargeSavedMethodRequest:
    return pb.ChargeSavedMethodRequest(
        idempotency_key=key,
        saved_method_id=method_id,
        user_id=str(user_id),
        amount=rub(29900),
        purpose=pb.PAYMENT_PURPOSE_SUBSCRIPTION,
        reference=f"subscription:{uuid.uuid4()}:period:2",
        region="RU",
        metadata={"attempt": "1"},
    )


async def test_a_saved_card_is_charged_off_session_then_refunded(
    stub, service_metadata, infrastructure
) -> None:
    user_id = uuid.uuid4()
    method_id = await saved_card(stub, service_metadata, infrastructure, user_id)
    request = renewal(user_id, method_id, f"renewal-{uuid.uuid4()}")

    charged = (await stub.ChargeSavedMethod(request, metadata=service_metadata)).payment

    # The sandbox answers an off-session charge at once: settled in the same call.
    assert charged.status == pb.PAYMENT_STATUS_SUCCEEDED
    assert charged.saved_method_id == method_id and charged.confirmation_url == ""
    assert charged.amount.amount_minor == 29900
    # Its notification arrives too; still one posting and one event.
    await asyncio.sleep(1)
    assert await postings(infrastructure, charged.id) == 1
    sent = await events(infrastructure, charged.id)
    assert [kind for kind, _ in sent] == ["payment.payment.succeeded.v1"]
    assert sent[0][1]["saved_method_id"] == method_id
    await assert_ledger_ok(infrastructure)

    # The same key again: the same payment, nothing charged twice.
    again = (await stub.ChargeSavedMethod(request, metadata=service_metadata)).payment
    assert again.id == charged.id
    assert await postings(infrastructure, charged.id) == 1

    # The service refunds the renewal: the same use case as REST.
    refund_request = pb.RefundRequest(
        idempotency_key=f"refund-{uuid.uuid4()}",
        payment_id=charged.id,
        reason=pb.REFUND_REASON_SUBSCRIPTION_ADJUSTMENT,
        comment="plan downgraded",
        requested_by="service:subscription",
    )
    refund = (await stub.Refund(refund_request, metadata=service_metadata)).refund
    # Only game purchases are refunded automatically: a subscription waits for an admin.
    assert refund.status == pb.REFUND_STATUS_REQUIRES_REVIEW, refund
    assert refund.payment_id == charged.id and refund.amount.amount_minor == 29900
    assert refund.reason == pb.REFUND_REASON_SUBSCRIPTION_ADJUSTMENT
    replayed = (await stub.Refund(refund_request, metadata=service_metadata)).refund
    assert replayed.id == refund.id
    approved = await approve(refund.id)
    assert approved["status"] == "succeeded", approved
    assert approved["to_method"]["amount_minor"] == 29900
    after = await stub.GetPayment(
        pb.GetPaymentRequest(payment_id=charged.id), metadata=service_metadata
    )
    assert after.payment.refunded_amount.amount_minor == 29900
    await assert_ledger_ok(infrastructure)


async def test_another_users_or_unknown_method_is_not_found(
    stub, service_metadata, infrastructure
) -> None:
    owner = uuid.uuid4()
    method_id = await saved_card(stub, service_metadata, infrastructure, owner)
    for user_id, method in ((uuid.uuid4(), method_id), (owner, str(uuid.uuid4()))):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.ChargeSavedMethod(
                renewal(user_id, method, f"renewal-{uuid.uuid4()}"), metadata=service_metadata
            )
        assert refused.value.code() is grpc.StatusCode.NOT_FOUND


async def test_a_refund_of_an_unknown_payment_is_not_found(stub, service_metadata) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.Refund(
            pb.RefundRequest(
                idempotency_key=f"refund-{uuid.uuid4()}",
                payment_id=str(uuid.uuid4()),
                reason=pb.REFUND_REASON_SUBSCRIPTION_ADJUSTMENT,
            ),
            metadata=service_metadata,
        )
    assert refused.value.code() is grpc.StatusCode.NOT_FOUND


async def test_a_card_verification_binds_the_card_and_moves_no_money(
    stub, service_metadata, infrastructure
) -> None:
    user_id = uuid.uuid4()
    created = (
        await stub.CreatePayment(
            pb.CreatePaymentRequest(
                idempotency_key=f"bind-{uuid.uuid4()}",
                purpose=pb.PAYMENT_PURPOSE_CARD_VERIFICATION,
                amount=rub(100),
                user_id=str(user_id),
                reference=f"trial:{uuid.uuid4()}",
                method_type=pb.PAYMENT_METHOD_TYPE_BANK_CARD,
                return_url=RETURN_URL,
                region="RU",
                save_method=True,
            ),
            metadata=service_metadata,
        )
    ).payment
    assert created.status == pb.PAYMENT_STATUS_PENDING
    await pay_at_sandbox(created.confirmation_url)

    done = await wait_for_status(stub, service_metadata, created.id, pb.PAYMENT_STATUS_CANCELLED)
    assert done.cancellation_reason == pb.CANCELLATION_REASON_CANCELLED_BY_PLATFORM
    assert done.saved_method_id
    assert await methods_of(infrastructure, user_id) == [uuid.UUID(done.saved_method_id)]
    await asyncio.sleep(1)  # the sandbox's notifications (authorized, cancelled) change nothing
    sent = await events(infrastructure, created.id)
    assert [kind for kind, _ in sent] == ["payment.payment.cancelled.v1"]
    assert sent[0][1]["saved_method_id"] == done.saved_method_id
    assert sent[0][1]["cancellation_reason"] == "cancelled_by_platform"
    assert await postings(infrastructure, created.id) == 0

    # The bound card is then charged off-session like any saved one.
    charged = (
        await stub.ChargeSavedMethod(
            renewal(user_id, done.saved_method_id, f"renewal-{uuid.uuid4()}"),
            metadata=service_metadata,
        )
    ).payment
    assert charged.status == pb.PAYMENT_STATUS_SUCCEEDED


async def test_a_card_verification_of_another_amount_is_refused(stub, service_metadata) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CreatePayment(
            pb.CreatePaymentRequest(
                idempotency_key=f"bind-{uuid.uuid4()}",
                purpose=pb.PAYMENT_PURPOSE_CARD_VERIFICATION,
                amount=rub(500),
                user_id=str(uuid.uuid4()),
                return_url=RETURN_URL,
                region="RU",
                save_method=True,
            ),
            metadata=service_metadata,
        )
    # A well-formed request the domain refuses (422 over REST): FAILED_PRECONDITION.
    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
