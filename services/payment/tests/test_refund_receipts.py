"""Refund receipts (54-FZ) on the real engines: a succeeded refund stores one refund receipt in
its transaction, its lines add up to the refund, and partial refunds never refund a line twice.

Wallet-paid purchases, so the refunds go back to the wallet and no provider is involved."""

from __future__ import annotations

import uuid

import pytest
from ledger_support import fund_wallet
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.receipts import SqlReceipts, StoredReceipt
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.receipts import (
    Customer,
    ReceiptType,
    build_payment_receipt,
    receipt_item,
)
from parovoz_payment.domain.refunds import RefundReason, RefundStatus
from parovoz_payment.use_cases.payment_ledger import settle
from parovoz_payment.use_cases.refunds import RefundOrder, RefundService, request_refund


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


@pytest.fixture(scope="module")
def service(infrastructure: Infrastructure) -> RefundService:
    return RefundService(
        infrastructure.unit_of_work,
        provider_registry(infrastructure),
        infrastructure.clock,
        infrastructure.settings.wallet_rules(),  # type: ignore[attr-defined]
    )


async def bought_from_the_wallet(
    infrastructure: Infrastructure, lines: list[int], *, with_receipt: bool = True
) -> Payment:
    """A game purchase paid from the wallet, settled, with a payment receipt of ``lines``."""
    total = sum(lines)
    user_id = uuid.uuid4()
    now = infrastructure.clock.now()
    payment = start_payment(
        user_id=user_id,
        purpose=PaymentPurpose.GAME_PURCHASE,
        amount=rub(total),
        region="RU",
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        wallet_amount=rub(total),
        game_id=uuid.uuid4(),
    ).succeed(now)
    await fund_wallet(infrastructure, user_id, total)
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
        await settle(session, payment, None)
        if with_receipt:
            items = [
                receipt_item(f"Game line {index}", rub(minor), PaymentPurpose.GAME_PURCHASE)
                for index, minor in enumerate(lines)
            ]
            receipt = build_payment_receipt(
                payment.id, payment.amount, items, Customer.of(email="buyer@example.com")
            )
            await SqlReceipts(session).add(receipt, None, now, uuid.uuid4())
    return payment


def order(payment: Payment, minor: int | None) -> RefundOrder:
    return RefundOrder(
        payment_id=payment.id,
        viewer=payment.user_id,
        actor=str(payment.user_id),
        amount=None if minor is None else rub(minor),
        reason=RefundReason.CUSTOMER_REQUEST,
    )


async def refund_receipts(
    infrastructure: Infrastructure, payment_id: uuid.UUID
) -> list[StoredReceipt]:
    async with infrastructure.session_factory() as session:
        stored = await SqlReceipts(session).of_payment(payment_id)
    return [r for r in stored if r.receipt.type is ReceiptType.REFUND]


async def test_partial_refunds_get_receipts_that_never_refund_a_line_twice(
    infrastructure: Infrastructure, service: RefundService
) -> None:
    payment = await bought_from_the_wallet(infrastructure, [60_000, 30_000])

    first = await request_refund(service, order(payment, 30_001))
    assert first.status is RefundStatus.SUCCEEDED
    [receipt] = await refund_receipts(infrastructure, payment.id)
    assert receipt.receipt.refund_id == first.id
    assert receipt.receipt.total == rub(30_001)
    assert receipt.receipt.customer.email == "buyer@example.com"

    rest = await request_refund(service, order(payment, None))
    assert (rest.status, rest.amount) == (RefundStatus.SUCCEEDED, rub(59_999))
    receipts = await refund_receipts(infrastructure, payment.id)
    assert [r.receipt.refund_id for r in receipts] == [first.id, rest.id]
    assert receipts[1].receipt.total == rub(59_999)

    # Per line, the two refunds together give back exactly what the line cost.
    per_line = [0, 0]
    for stored in receipts:
        for item in stored.receipt.items:
            per_line[item.line_no] += item.amount.amount_minor
    assert per_line == [60_000, 30_000]


async def test_a_payment_without_a_receipt_refunds_without_one(
    infrastructure: Infrastructure, service: RefundService
) -> None:
    payment = await bought_from_the_wallet(infrastructure, [25_000], with_receipt=False)
    refund = await request_refund(service, order(payment, 10_000))
    assert refund.status is RefundStatus.SUCCEEDED
    assert await refund_receipts(infrastructure, payment.id) == []
