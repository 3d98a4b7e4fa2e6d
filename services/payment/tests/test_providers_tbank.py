"""T-Bank adapter against the running provider sandbox (127.0.0.1:8091)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from parovoz_kit.errors import BusinessRuleViolation, Unavailable
from parovoz_payment.clients.providers import ProviderConfig, TBankProvider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import (
    CancellationReason,
    PaymentPurpose,
    PaymentStatus,
)
from parovoz_payment.domain.providers import (
    ProviderRefundStatus,
)
from parovoz_payment.domain.receipts import Customer, build_payment_receipt, receipt_item
from providers_support import key, pay, payment_request
from pydantic import SecretStr

SANDBOX = "http://127.0.0.1:8091"


@pytest.fixture
async def tbank() -> AsyncIterator[TBankProvider]:
    adapter = TBankProvider(ProviderConfig())
    yield adapter
    await adapter.aclose()


async def rebill_id_of(provider_payment_id: str) -> str:
    """The RebillId, as the sandbox told it in the payment's notifications."""
    async with httpx.AsyncClient(base_url=SANDBOX) as client:
        listing = await client.get(
            "/sandbox/notifications",
            params={"provider": "tbank", "payment_id": provider_payment_id},
        )
    rebills = [
        n["body"]["RebillId"] for n in listing.json()["notifications"] if "RebillId" in n["body"]
    ]
    assert rebills
    return str(rebills[0])


async def test_one_step_payment_succeeds_after_confirmation(tbank: TBankProvider) -> None:
    created = await tbank.create_payment(payment_request(12_345), key())
    assert created.status is PaymentStatus.PENDING
    assert created.provider_payment_id.isdigit()
    await pay(created)
    paid = await tbank.get_payment(created.provider_payment_id)
    assert paid.status is PaymentStatus.SUCCEEDED
    assert paid.amount == Money(12_345, "RUB")


async def test_two_step_payment_waits_for_capture(tbank: TBankProvider) -> None:
    created = await tbank.create_payment(payment_request(50_000, capture=False), key())
    await pay(created)
    held = await tbank.get_payment(created.provider_payment_id)
    assert held.status is PaymentStatus.WAITING_FOR_CAPTURE
    captured = await tbank.capture(created.provider_payment_id, Money(45_000, "RUB"), key())
    assert captured.status is PaymentStatus.SUCCEEDED
    assert captured.amount == Money(45_000, "RUB")


async def test_cancel_before_payment_and_of_a_hold(tbank: TBankProvider) -> None:
    unpaid = await tbank.create_payment(payment_request(3_000), key())
    cancelled = await tbank.cancel(unpaid.provider_payment_id, key())
    assert cancelled.status is PaymentStatus.CANCELLED
    assert cancelled.cancellation_reason is CancellationReason.CANCELLED_BY_PLATFORM
    held = await tbank.create_payment(payment_request(3_000, capture=False), key())
    await pay(held)
    reversed_ = await tbank.cancel(held.provider_payment_id, key())
    assert reversed_.status is PaymentStatus.CANCELLED


async def test_partial_then_full_refund_keeps_the_payment_succeeded(tbank: TBankProvider) -> None:
    created = await tbank.create_payment(payment_request(10_000), key())
    await pay(created)
    pid = created.provider_payment_id
    partial = await tbank.refund(pid, Money(2_501, "RUB"), None, key())
    assert partial.status is ProviderRefundStatus.SUCCEEDED and partial.amount.amount_minor == 2_501
    assert (await tbank.get_payment(pid)).status is PaymentStatus.SUCCEEDED
    rest = await tbank.refund(pid, Money(7_499, "RUB"), None, key())
    assert rest.status is ProviderRefundStatus.SUCCEEDED
    assert rest.provider_refund_id != partial.provider_refund_id
    assert (await tbank.get_payment(pid)).status is PaymentStatus.SUCCEEDED
    with pytest.raises(BusinessRuleViolation) as caught:
        await tbank.refund(pid, Money(1, "RUB"), None, key())
    assert caught.value.code == "PROVIDER_REJECTED"


async def test_payment_with_a_receipt_is_accepted(tbank: TBankProvider) -> None:
    payment_id = uuid.uuid4()
    items = [receipt_item("Игра", Money(2_000, "RUB"), PaymentPurpose.GAME_PURCHASE, quantity=3)]
    receipt = build_payment_receipt(
        payment_id, Money(6_000, "RUB"), items, Customer.of(email="a@b.ru")
    )
    created = await tbank.create_payment(
        payment_request(6_000, payment_id=payment_id, receipt=receipt), key()
    )
    assert created.status is PaymentStatus.PENDING


async def test_saved_card_charges_off_session_with_init_and_charge(tbank: TBankProvider) -> None:
    first = await tbank.create_payment(
        payment_request(100, save_method=True, metadata={"user_id": str(uuid.uuid4())}), key()
    )
    await pay(first)
    rebill_id = await rebill_id_of(first.provider_payment_id)
    charged = await tbank.create_payment(
        payment_request(49_900, saved_method_token=rebill_id, return_url=None), key()
    )
    assert charged.status is PaymentStatus.SUCCEEDED
    assert charged.amount == Money(49_900, "RUB")
    assert charged.provider_payment_id != first.provider_payment_id
    declined = await tbank.create_payment(
        payment_request(49_913, saved_method_token=rebill_id), key()
    )
    assert declined.status is PaymentStatus.CANCELLED
    assert declined.cancellation_reason is CancellationReason.INSUFFICIENT_FUNDS


async def test_unknown_rebill_id_cancels_the_charge(tbank: TBankProvider) -> None:
    charged = await tbank.create_payment(payment_request(1_000, saved_method_token="999"), key())
    assert charged.status is PaymentStatus.CANCELLED
    assert charged.cancellation_reason is CancellationReason.PAYMENT_METHOD_UNAVAILABLE
    assert (await tbank.get_payment(charged.provider_payment_id)).status is PaymentStatus.CANCELLED


async def test_magic_amount_declines_for_insufficient_funds(tbank: TBankProvider) -> None:
    created = await tbank.create_payment(payment_request(10_013), key())
    await pay(created)
    declined = await tbank.get_payment(created.provider_payment_id)
    assert declined.status is PaymentStatus.CANCELLED
    assert declined.cancellation_reason is CancellationReason.INSUFFICIENT_FUNDS


async def test_only_roubles(tbank: TBankProvider) -> None:
    with pytest.raises(BusinessRuleViolation) as refused:
        await tbank.create_payment(payment_request(amount=Money(100, "USD")), key())
    assert refused.value.code == "CURRENCY_NOT_SUPPORTED_BY_PROVIDER"


async def test_unknown_payment_is_not_found(tbank: TBankProvider) -> None:
    with pytest.raises(Exception) as caught:
        await tbank.get_payment("1")
    assert getattr(caught.value, "code", None) == "PROVIDER_OBJECT_NOT_FOUND"


async def test_wrong_password_is_unavailable_without_leaking_it() -> None:
    adapter = TBankProvider(ProviderConfig(tbank_password=SecretStr("not-the-password-42")))
    try:
        with pytest.raises(Unavailable) as caught:
            await adapter.create_payment(payment_request(), key())
    finally:
        await adapter.aclose()
    assert caught.value.code == "PROVIDER_AUTH_FAILED"
    assert "not-the-password-42" not in str(caught.value)
