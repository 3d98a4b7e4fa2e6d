"""Receipts and saved methods written by a payment's first success, on the real database: one
receipt whatever the number of confirmations, items summing to the amount, the saved method
stored once (only when asked), and a malformed e-mail refused before anything is stored."""

from __future__ import annotations

import asyncio

import pytest
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.receipts import SqlReceipts
from parovoz_payment.db.saved_methods import SqlSavedMethods
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.receipt_rules import PaymentMode, PaymentSubject
from parovoz_payment.domain.receipts import Customer
from parovoz_payment.use_cases.payment_confirmation import apply_confirmed_status
from parovoz_payment.use_cases.receipts import PLACEHOLDER_EMAIL, customer_from_order
from receipts_support import pending_at_tbank, succeeded


async def test_concurrent_confirmations_leave_one_receipt_and_one_saved_method(
    infrastructure: Infrastructure,
) -> None:
    payment_id, user_id, provider_id = await pending_at_tbank(
        infrastructure, PaymentPurpose.GAME_PURCHASE, 54_900, save_method=True, email="a@b.ru"
    )
    await asyncio.gather(
        *(
            apply_confirmed_status(
                infrastructure.unit_of_work,
                infrastructure.clock,
                payment_id,
                succeeded(provider_id, 54_900, token="tok-123"),
            )
            for _ in range(6)
        )
    )
    async with infrastructure.session_factory() as session:
        [stored] = await SqlReceipts(session).of_payment(payment_id)
        methods = await SqlSavedMethods(session).active_of(user_id)
    receipt = stored.receipt
    assert receipt.total == Money(54_900, "RUB")
    assert receipt.customer == Customer(email="a@b.ru")
    assert [(i.name, i.payment_subject, i.payment_mode) for i in receipt.items] == [
        ("Игра", PaymentSubject.SERVICE, PaymentMode.FULL_PAYMENT)  # no read-model title
    ]
    assert [(m.provider, m.provider_token, m.title) for m in methods] == [
        (Provider.TBANK, "tok-123", "MIR *4444")
    ]


async def test_a_top_up_without_save_method_or_contact(infrastructure: Infrastructure) -> None:
    payment_id, user_id, provider_id = await pending_at_tbank(
        infrastructure, PaymentPurpose.WALLET_TOP_UP, 20_000
    )
    await apply_confirmed_status(
        infrastructure.unit_of_work,
        infrastructure.clock,
        payment_id,
        succeeded(provider_id, 20_000, token="not-asked"),
    )
    async with infrastructure.session_factory() as session:
        [stored] = await SqlReceipts(session).of_payment(payment_id)
        methods = await SqlSavedMethods(session).active_of(user_id)
    assert stored.receipt.customer.email == PLACEHOLDER_EMAIL  # the documented gap
    item = stored.receipt.items[0]
    assert (item.payment_subject, item.payment_mode) == (
        PaymentSubject.PAYMENT,
        PaymentMode.ADVANCE,
    )
    assert methods == []


def test_a_malformed_email_is_refused_with_its_pointer() -> None:
    assert customer_from_order(None) is None
    assert customer_from_order("x@y.ru") == Customer(email="x@y.ru")
    with pytest.raises(ValidationFailed) as refused:
        customer_from_order("not-an-email")
    assert refused.value.code == "INVALID_EMAIL"
    assert refused.value.pointer == "/data/attributes/customer_email"
