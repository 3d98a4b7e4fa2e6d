"""YooKassa adapter against the running provider sandbox (127.0.0.1:8091)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from parovoz_kit.errors import BusinessRuleViolation, Unavailable
from parovoz_payment.clients.providers import ProviderConfig, YooKassaProvider
from parovoz_payment.domain.methods import PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import (
    CancellationReason,
    PaymentPurpose,
    PaymentStatus,
)
from parovoz_payment.domain.providers import (
    ProviderPaymentRequest,
    ProviderRefundStatus,
)
from parovoz_payment.domain.receipts import Customer, build_payment_receipt, receipt_item
from providers_support import key, pay, payment_request
from pydantic import SecretStr


@pytest.fixture
async def yookassa() -> AsyncIterator[YooKassaProvider]:
    adapter = YooKassaProvider(ProviderConfig())
    yield adapter
    await adapter.aclose()


def request(amount_minor: int = 10_000, **overrides: object) -> ProviderPaymentRequest:
    """A bank-card payment unless the test says otherwise."""
    return payment_request(amount_minor, **({"method": PaymentMethod.BANK_CARD} | overrides))


async def test_one_step_payment_succeeds_after_confirmation(yookassa: YooKassaProvider) -> None:
    created = await yookassa.create_payment(request(12_345), key())
    assert created.status is PaymentStatus.PENDING
    assert created.amount == Money(12_345, "RUB")
    await pay(created)
    paid = await yookassa.get_payment(created.provider_payment_id)
    assert paid.status is PaymentStatus.SUCCEEDED
    assert paid.amount == Money(12_345, "RUB")
    assert paid.confirmation_url is None
    assert paid.method_title is not None and "*" in paid.method_title
    assert paid.saved_method_token is None


async def test_same_idempotence_key_answers_the_same_payment(yookassa: YooKassaProvider) -> None:
    same = request()
    idempotency_key = key()
    first = await yookassa.create_payment(same, idempotency_key)
    again = await yookassa.create_payment(same, idempotency_key)
    assert again.provider_payment_id == first.provider_payment_id


async def test_two_step_payment_waits_for_capture(yookassa: YooKassaProvider) -> None:
    created = await yookassa.create_payment(request(50_000, capture=False), key())
    await pay(created)
    held = await yookassa.get_payment(created.provider_payment_id)
    assert held.status is PaymentStatus.WAITING_FOR_CAPTURE
    captured = await yookassa.capture(created.provider_payment_id, Money(40_000, "RUB"), key())
    assert captured.status is PaymentStatus.SUCCEEDED
    assert captured.amount == Money(40_000, "RUB")


async def test_capture_beyond_the_hold_is_refused(yookassa: YooKassaProvider) -> None:
    created = await yookassa.create_payment(request(1_000, capture=False), key())
    await pay(created)
    with pytest.raises(BusinessRuleViolation) as caught:
        await yookassa.capture(created.provider_payment_id, Money(2_000, "RUB"), key())
    assert caught.value.code == "PROVIDER_REJECTED"


async def test_cancel_releases_a_hold(yookassa: YooKassaProvider) -> None:
    created = await yookassa.create_payment(request(7_000, capture=False), key())
    await pay(created)
    cancelled = await yookassa.cancel(created.provider_payment_id, key())
    assert cancelled.status is PaymentStatus.CANCELLED
    assert cancelled.cancellation_reason is CancellationReason.CANCELLED_BY_PLATFORM


async def test_partial_then_full_refund(yookassa: YooKassaProvider) -> None:
    created = await yookassa.create_payment(request(10_000), key())
    await pay(created)
    pid = created.provider_payment_id
    partial = await yookassa.refund(pid, Money(2_501, "RUB"), None, key())
    assert partial.status is ProviderRefundStatus.SUCCEEDED
    assert partial.amount == Money(2_501, "RUB") and partial.provider_payment_id == pid
    rest = await yookassa.refund(pid, Money(7_499, "RUB"), None, key())
    assert rest.status is ProviderRefundStatus.SUCCEEDED
    assert rest.provider_refund_id != partial.provider_refund_id
    with pytest.raises(BusinessRuleViolation) as caught:
        await yookassa.refund(pid, Money(1, "RUB"), None, key())
    assert caught.value.code == "PROVIDER_REJECTED"
    assert (await yookassa.get_payment(pid)).status is PaymentStatus.SUCCEEDED


async def test_payment_with_a_receipt_is_accepted(yookassa: YooKassaProvider) -> None:
    payment_id = uuid.uuid4()
    items = [
        receipt_item("Игра «Паровоз»", Money(29_900, "RUB"), PaymentPurpose.GAME_PURCHASE),
        receipt_item("DLC", Money(5_000, "RUB"), PaymentPurpose.GAME_PURCHASE, quantity=2),
    ]
    receipt = build_payment_receipt(
        payment_id, Money(39_900, "RUB"), items, Customer.of(email="buyer@example.com")
    )
    created = await yookassa.create_payment(
        request(39_900, payment_id=payment_id, receipt=receipt), key()
    )
    assert created.status is PaymentStatus.PENDING


async def test_saved_method_charges_off_session(yookassa: YooKassaProvider) -> None:
    first = await yookassa.create_payment(request(100, save_method=True), key())
    await pay(first)
    saved = await yookassa.get_payment(first.provider_payment_id)
    assert saved.status is PaymentStatus.SUCCEEDED
    assert saved.saved_method_token is not None
    again = await yookassa.create_payment(
        request(49_900, saved_method_token=saved.saved_method_token, return_url=None), key()
    )
    assert again.status is PaymentStatus.SUCCEEDED  # no buyer step
    assert again.confirmation_url is None


async def test_magic_amount_declines_for_insufficient_funds(yookassa: YooKassaProvider) -> None:
    created = await yookassa.create_payment(request(10_013), key())  # .13 kopecks
    await pay(created)
    declined = await yookassa.get_payment(created.provider_payment_id)
    assert declined.status is PaymentStatus.CANCELLED
    assert declined.cancellation_reason is CancellationReason.INSUFFICIENT_FUNDS


async def test_unknown_payment_is_not_found(yookassa: YooKassaProvider) -> None:
    with pytest.raises(Exception) as caught:
        await yookassa.get_payment(str(uuid.uuid4()))
    assert getattr(caught.value, "code", None) == "PROVIDER_OBJECT_NOT_FOUND"


async def test_wrong_credentials_are_unavailable_without_leaking_them() -> None:
    adapter = YooKassaProvider(ProviderConfig(yookassa_secret_key=SecretStr("not-the-key-42")))
    try:
        with pytest.raises(Unavailable) as caught:
            await adapter.create_payment(request(), key())
    finally:
        await adapter.aclose()
    assert caught.value.code == "PROVIDER_AUTH_FAILED"
    assert "not-the-key-42" not in str(caught.value) and "sandbox-shop" not in str(caught.value)


async def test_closed_port_is_unavailable() -> None:
    adapter = YooKassaProvider(ProviderConfig(yookassa_base_url="http://127.0.0.1:1"))
    try:
        with pytest.raises(Unavailable) as caught:
            await adapter.get_payment("anything")
    finally:
        await adapter.aclose()
    assert caught.value.code == "PROVIDER_UNAVAILABLE"
