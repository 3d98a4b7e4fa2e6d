"""Split payments (wallet + card) on the real engines and the provider sandbox: the wallet part
is held when the payment is created (it cannot be spent twice while the buyer is at the card
page), given back when the payment expires, and taken from the hold when the card part is
paid. The clock is moved, never slept."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from ledger_support import fund_wallet
from parovoz_kit.clock import ManualClock
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.ledger import find_account
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_purposes import Origin
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.use_cases.expiry import expire_pending_payments
from parovoz_payment.use_cases.payment_flow import PaymentOrder, create_payment

SANDBOX = "http://127.0.0.1:8091"


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC) - timedelta(hours=2))


async def funded_user(infrastructure: Infrastructure, minor: int) -> uuid.UUID:
    user_id = uuid.uuid4()
    await fund_wallet(infrastructure, user_id, minor)
    return user_id


async def balance(infrastructure: Infrastructure, user_id: uuid.UUID, purpose: str) -> int:
    key = AccountKey.of(OwnerType.USER, user_id, AccountPurpose(purpose), "RUB")
    async with infrastructure.session_factory() as session:
        account = await find_account(session, key)
    return 0 if account is None else account.credit_balance.amount_minor


def split_order(user_id: uuid.UUID, minor: int) -> PaymentOrder:
    return PaymentOrder(
        user_id=user_id,
        purpose=PaymentPurpose.SUBSCRIPTION,
        amount=rub(minor),
        region="RU",
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        return_url="https://parovoz.example/return",
        origin=Origin.grpc("service:subscription"),
        use_wallet=True,
        reference=f"subscription:{uuid.uuid4()}",
    )


async def test_the_wallet_part_is_held_then_given_back_when_the_payment_expires(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    user_id = await funded_user(infrastructure, 30_000)
    providers = provider_registry(infrastructure)
    view = await create_payment(
        infrastructure.unit_of_work, providers, clock, split_order(user_id, 50_000)
    )
    assert view.payment.status is PaymentStatus.PENDING
    assert view.payment.wallet_amount == rub(30_000)
    assert await balance(infrastructure, user_id, "user_wallet") == 0
    assert await balance(infrastructure, user_id, "user_wallet_hold") == 30_000

    # Held money cannot pay another order meanwhile.
    wallet_only = PaymentOrder(
        user_id=user_id,
        purpose=PaymentPurpose.SUBSCRIPTION,
        amount=rub(10_000),
        region="RU",
        choice=MethodChoice(PaymentMethod.WALLET),
        return_url=None,
        origin=Origin.grpc("service:subscription"),
        use_wallet=True,
    )
    with pytest.raises(BusinessRuleViolation):
        await create_payment(infrastructure.unit_of_work, providers, clock, wallet_only)

    clock.advance(timedelta(minutes=61))
    await expire_pending_payments(infrastructure.unit_of_work, providers, clock)
    await expire_pending_payments(infrastructure.unit_of_work, providers, clock)  # once only
    async with infrastructure.session_factory() as session:
        stored = await SqlPayments(session).get(view.payment.id)
    assert stored is not None and stored.payment.status is PaymentStatus.CANCELLED
    assert await balance(infrastructure, user_id, "user_wallet") == 30_000
    assert await balance(infrastructure, user_id, "user_wallet_hold") == 0
    async with infrastructure.session_factory() as session:
        assert (await check_ledger(session)).ok


async def test_a_paid_split_payment_takes_the_wallet_part_from_the_hold(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    user_id = await funded_user(infrastructure, 20_000)
    view = await create_payment(
        infrastructure.unit_of_work,
        provider_registry(infrastructure),
        clock,
        split_order(user_id, 50_000),
    )
    assert await balance(infrastructure, user_id, "user_wallet_hold") == 20_000
    async with httpx.AsyncClient(base_url=SANDBOX, timeout=5) as sandbox:
        paid = await sandbox.post(
            f"/sandbox/payments/yookassa/{view.payment.provider_payment_id}/outcome",
            json={"outcome": "succeed", "apply": True},
        )
        assert paid.status_code == 200, paid.text
        assert (
            paid.json()["provider_object"]["amount"]["value"] == "300.00"
        )  # only the card part goes there

    for _ in range(200):  # the sandbox notifies the running service's webhook
        async with infrastructure.session_factory() as session:
            stored = await SqlPayments(session).get(view.payment.id)
        if stored is not None and stored.payment.status is PaymentStatus.SUCCEEDED:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the payment never settled")
    assert await balance(infrastructure, user_id, "user_wallet") == 0
    assert await balance(infrastructure, user_id, "user_wallet_hold") == 0
    async with infrastructure.session_factory() as session:
        assert (await check_ledger(session)).ok
