"""Test helpers for coupons and gift cards: a subscription payment created through the ordinary
creation use case with some codes offered (what they do not cover goes to the card)."""

from __future__ import annotations

import uuid

from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_purposes import Origin
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.use_cases.discounts import CodeOffer
from parovoz_payment.use_cases.payment_flow import PaymentOrder, create_payment


async def pay_with_gift_cards(
    infrastructure: Infrastructure,
    clock: ManualClock,
    amount: int,
    codes: list[str],
    user_id: uuid.UUID | None = None,
) -> Payment:
    offers = tuple(CodeOffer(code, f"/gc/{i}") for i, code in enumerate(codes))
    order = _subscription(Money(amount, "RUB"), user_id, gift_cards=offers)
    return await _created(infrastructure, clock, order)


async def pay_with_coupons(
    infrastructure: Infrastructure,
    clock: ManualClock,
    amount: int,
    codes: list[str],
    user_id: uuid.UUID | None = None,
    currency: str = "RUB",
) -> Payment:
    offers = tuple(CodeOffer(code, f"/c/{i}") for i, code in enumerate(codes))
    order = _subscription(Money(amount, currency), user_id, coupons=offers)
    return await _created(infrastructure, clock, order)


def _subscription(
    amount: Money,
    user_id: uuid.UUID | None,
    *,
    coupons: tuple[CodeOffer, ...] = (),
    gift_cards: tuple[CodeOffer, ...] = (),
) -> PaymentOrder:
    return PaymentOrder(
        user_id=user_id or uuid.uuid4(),
        purpose=PaymentPurpose.SUBSCRIPTION,
        amount=amount,
        region="RU",
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        return_url="https://parovoz.example/return",
        origin=Origin.grpc("service:subscription"),
        coupons=coupons,
        gift_cards=gift_cards,
    )


async def _created(
    infrastructure: Infrastructure, clock: ManualClock, order: PaymentOrder
) -> Payment:
    view = await create_payment(
        infrastructure.unit_of_work, provider_registry(infrastructure), clock, order
    )
    return view.payment
