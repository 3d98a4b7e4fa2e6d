"""Refund use cases on the real engines (PostgreSQL, the provider sandbox): payments settled
by hand through the repositories and the ledger, then refunded, reviewed and checked."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from ledger_support import fund_wallet
from parovoz_kit.errors import BusinessRuleViolation, NotFound
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.ledger import find_account
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.refunds import (
    RefundDestination,
    RefundReason,
    RefundStatus,
    ReviewDecision,
)
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.use_cases.payment_ledger import settle
from parovoz_payment.use_cases.refunds import (
    RefundOrder,
    RefundService,
    decide_refund,
    refunds_of_payment,
    request_refund,
)
from sqlalchemy import text


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


async def settled_payment(
    infrastructure: Infrastructure,
    purpose: PaymentPurpose,
    amount_minor: int,
    *,
    wallet_minor: int = 0,
    age: timedelta = timedelta(0),
) -> Payment:
    """A succeeded payment (card part at YooKassa under a made-up id), settled in the ledger
    as ``apply_confirmed_status`` does; ``age`` back-dates the purchase."""
    user_id = uuid.uuid4()
    if wallet_minor:
        await fund_wallet(infrastructure, user_id, wallet_minor)
    now = infrastructure.clock.now() - age
    payment = start_payment(
        user_id=user_id,
        purpose=purpose,
        amount=rub(amount_minor),
        region="RU",
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        wallet_amount=rub(wallet_minor),
        game_id=uuid.uuid4() if purpose is PaymentPurpose.GAME_PURCHASE else None,
    )
    if wallet_minor < amount_minor:
        payment = payment.assign_provider(Provider.YOOKASSA, f"test-{uuid.uuid4()}", now)
    payment = payment.succeed(now)
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
        await settle(session, payment, payment.provider)
    return payment


def order(payment: Payment, minor: int | None, **changes: object) -> RefundOrder:
    values: dict[str, object] = {
        "payment_id": payment.id,
        "viewer": payment.user_id,
        "actor": str(payment.user_id),
        "amount": None if minor is None else rub(minor),
        "reason": RefundReason.CUSTOMER_REQUEST,
    }
    return RefundOrder(**(values | changes))  # type: ignore[arg-type]


async def wallet_balance(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    key = AccountKey.of(OwnerType.USER, user_id, AccountPurpose.USER_WALLET, "RUB")
    async with infrastructure.session_factory() as session:
        account = await find_account(session, key)
    return 0 if account is None else account.credit_balance.amount_minor


async def refunded_minor(infrastructure: Infrastructure, payment_id: uuid.UUID) -> int:
    async with infrastructure.session_factory() as session:
        stored = await SqlPayments(session).get(payment_id)
    assert stored is not None
    return stored.payment.refunded_amount.amount_minor


async def refund_events(infrastructure: Infrastructure, payment_id: uuid.UUID) -> list[str]:
    async with infrastructure.session_factory() as session:
        types = await session.execute(
            text("SELECT type FROM outbox WHERE key = :key AND type LIKE '%refund%' ORDER BY seq"),
            {"key": str(payment_id)},
        )
        return list(types.scalars())


async def ledger_violations(infrastructure: Infrastructure) -> list[object]:
    async with infrastructure.session_factory() as session:
        return list((await check_ledger(session)).violations)


async def test_partial_refunds_of_a_wallet_paid_game_up_to_the_captured_amount(
    infrastructure: Infrastructure, service: RefundService
) -> None:
    payment = await settled_payment(
        infrastructure, PaymentPurpose.GAME_PURCHASE, 90_000, wallet_minor=90_000
    )
    assert await wallet_balance(infrastructure, payment.user_id) == 0

    first = await request_refund(service, order(payment, 30_000))
    assert first.status is RefundStatus.SUCCEEDED
    # Paid from the wallet: the "original method" is the wallet.
    assert (first.to_method, first.to_wallet) == (rub(0), rub(30_000))
    assert await wallet_balance(infrastructure, payment.user_id) == 30_000
    assert await refunded_minor(infrastructure, payment.id) == 30_000

    with pytest.raises(BusinessRuleViolation) as too_much:
        await request_refund(service, order(payment, 60_001))
    assert too_much.value.code == "REFUND_EXCEEDS_CAPTURED"

    rest = await request_refund(service, order(payment, None))  # null: all that is left
    assert (rest.status, rest.amount) == (RefundStatus.SUCCEEDED, rub(60_000))
    assert await wallet_balance(infrastructure, payment.user_id) == 90_000
    with pytest.raises(BusinessRuleViolation) as nothing_left:
        await request_refund(service, order(payment, None))
    assert nothing_left.value.code == "REFUND_EXCEEDS_CAPTURED"

    assert await refunded_minor(infrastructure, payment.id) == 90_000
    assert [r.id for r in await refunds_of_payment(service, None, payment.id)] == [
        first.id,
        rest.id,
    ]
    events = await refund_events(infrastructure, payment.id)
    assert events == ["payment.refund.succeeded.v1"] * 2, events
    assert await ledger_violations(infrastructure) == []


async def test_a_card_payment_refunded_to_the_wallet_credits_the_wallet(
    infrastructure: Infrastructure, service: RefundService
) -> None:
    payment = await settled_payment(infrastructure, PaymentPurpose.GAME_PURCHASE, 50_000)
    refund = await request_refund(
        service, order(payment, 20_000, destination=RefundDestination.WALLET)
    )
    assert refund.status is RefundStatus.SUCCEEDED
    assert (refund.destination, refund.to_wallet) == (RefundDestination.WALLET, rub(20_000))
    assert await wallet_balance(infrastructure, payment.user_id) == 20_000
    assert await refunded_minor(infrastructure, payment.id) == 20_000


async def test_a_refund_to_the_wallet_past_its_cap_goes_to_the_card(
    infrastructure: Infrastructure, service: RefundService
) -> None:
    payment = await settled_payment(infrastructure, PaymentPurpose.GAME_PURCHASE, 50_000)
    await fund_wallet(infrastructure, payment.user_id, 5_990_000)  # 100 RUB under the cap
    refund = await request_refund(
        service, order(payment, 20_000, destination=RefundDestination.WALLET)
    )
    assert refund.requested_destination is RefundDestination.WALLET
    assert (refund.destination, refund.to_method) == (
        RefundDestination.ORIGINAL_METHOD,
        rub(20_000),
    )
    # The sandbox does not know this hand-made payment: the provider refuses, nothing moves.
    assert refund.status is RefundStatus.FAILED
    assert await wallet_balance(infrastructure, payment.user_id) == 5_990_000
    assert await refunded_minor(infrastructure, payment.id) == 0
    assert await refund_events(infrastructure, payment.id) == ["payment.refund.failed.v1"]


async def test_a_subscription_refund_waits_for_an_admin(
    infrastructure: Infrastructure, service: RefundService
) -> None:
    payment = await settled_payment(
        infrastructure, PaymentPurpose.SUBSCRIPTION, 40_000, wallet_minor=40_000
    )
    waiting = await request_refund(service, order(payment, 25_000))
    assert waiting.status is RefundStatus.REQUIRES_REVIEW
    assert await wallet_balance(infrastructure, payment.user_id) == 0
    # The one in review is promised: a second request gets only what is left.
    with pytest.raises(BusinessRuleViolation):
        await request_refund(service, order(payment, 15_001))
    second = await request_refund(service, order(payment, None))
    assert (second.status, second.amount) == (RefundStatus.REQUIRES_REVIEW, rub(15_000))

    rejected = await decide_refund(service, "admin-1", second.id, ReviewDecision.REJECT, "no")
    assert rejected.status is RefundStatus.FAILED
    assert rejected.failure_reason == "Rejected by an admin: no"
    assert await wallet_balance(infrastructure, payment.user_id) == 0

    approved = await decide_refund(service, "admin-1", waiting.id, ReviewDecision.APPROVE)
    assert approved.status is RefundStatus.SUCCEEDED
    assert await wallet_balance(infrastructure, payment.user_id) == 25_000
    assert await refunded_minor(infrastructure, payment.id) == 25_000
    # The same decision again is a no-op; the other one is refused.
    again = await decide_refund(service, "admin-1", waiting.id, ReviewDecision.APPROVE)
    assert again.status is RefundStatus.SUCCEEDED
    with pytest.raises(BusinessRuleViolation):
        await decide_refund(service, "admin-1", waiting.id, ReviewDecision.REJECT)
    assert await wallet_balance(infrastructure, payment.user_id) == 25_000
    assert await refund_events(infrastructure, payment.id) == [
        "payment.refund.failed.v1",
        "payment.refund.succeeded.v1",
    ]
    assert await ledger_violations(infrastructure) == []


async def test_a_game_older_than_14_days_needs_review(
    infrastructure: Infrastructure, service: RefundService
) -> None:
    payment = await settled_payment(
        infrastructure,
        PaymentPurpose.GAME_PURCHASE,
        10_000,
        wallet_minor=10_000,
        age=timedelta(days=15),
    )
    refund = await request_refund(service, order(payment, None))
    assert refund.status is RefundStatus.REQUIRES_REVIEW


async def test_a_stranger_cannot_refund_or_list(
    infrastructure: Infrastructure, service: RefundService
) -> None:
    payment = await settled_payment(
        infrastructure, PaymentPurpose.GAME_PURCHASE, 10_000, wallet_minor=10_000
    )
    stranger = uuid.uuid4()
    with pytest.raises(NotFound):
        await request_refund(service, order(payment, None, viewer=stranger))
    with pytest.raises(NotFound):
        await refunds_of_payment(service, stranger, payment.id)
    with pytest.raises(NotFound):
        await decide_refund(service, "admin-1", uuid.uuid4(), ReviewDecision.APPROVE)
    assert await refunded_minor(infrastructure, payment.id) == 0
