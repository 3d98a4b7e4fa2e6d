"""The 161-FZ wallet cap at settlement, on the real engines: top-ups that each fit alone,
pending at once and settled concurrently, never take the wallet past 60,000.00 RUB; what does
not fit is owed back (``refunds_payable``) and the ledger stays balanced."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_payment.db.ledger import account_for, find_account, post
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payments import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.providers import ProviderPayment
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.settings import PaymentSettings
from parovoz_payment.use_cases.payment_flow import apply_confirmed_status

CAP = 6_000_000


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


@pytest.fixture(scope="module")
async def infrastructure() -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(PaymentSettings(environment="test")) as infra:
        yield infra


async def fund(infrastructure: Infrastructure, user_id: uuid.UUID, minor: int) -> None:
    async with infrastructure.session_factory.begin() as session:
        wallet = await account_for(
            session, OwnerType.USER, user_id, AccountPurpose.USER_WALLET, "RUB"
        )
        clearing = await account_for(
            session, OwnerType.PROVIDER, "yookassa", AccountPurpose.PROVIDER_CLEARING, "RUB"
        )
        await post(
            session,
            f"test-top-up:{uuid.uuid4()}",
            "wallet_top_up",
            [debit(clearing, rub(minor)), credit(wallet, rub(minor))],
        )


async def pending_top_up(
    infrastructure: Infrastructure, user_id: uuid.UUID, minor: int
) -> tuple[uuid.UUID, ProviderPayment]:
    now = infrastructure.clock.now()
    provider_id = f"test-{uuid.uuid4()}"
    payment = start_payment(
        user_id=user_id,
        purpose=PaymentPurpose.WALLET_TOP_UP,
        amount=rub(minor),
        region="RU",
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
    ).assign_provider(Provider.YOOKASSA, provider_id, now)
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
    return payment.id, ProviderPayment(
        Provider.YOOKASSA, provider_id, PaymentStatus.SUCCEEDED, rub(minor)
    )


async def wallet_minor(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    key = AccountKey.of(OwnerType.USER, user_id, AccountPurpose.USER_WALLET, "RUB")
    async with infrastructure.session_factory() as session:
        account = await find_account(session, key)
    return 0 if account is None else account.credit_balance.amount_minor


async def test_concurrent_top_ups_near_the_cap_never_pass_it(
    infrastructure: Infrastructure,
) -> None:
    user_id = uuid.uuid4()
    await fund(infrastructure, user_id, CAP - 1_500_000)  # 15,000.00 RUB of room left
    # Each fits alone (created when the wallet had room); together they pass the cap by 5,000.
    first = await pending_top_up(infrastructure, user_id, 1_000_000)
    second = await pending_top_up(infrastructure, user_id, 1_000_000)

    settled = await asyncio.gather(
        *(
            apply_confirmed_status(
                infrastructure.unit_of_work, infrastructure.clock, payment_id, confirmed
            )
            for payment_id, confirmed in (first, second)
        )
    )
    assert [p.status for p in settled] == [PaymentStatus.SUCCEEDED] * 2
    assert await wallet_minor(infrastructure, user_id) == CAP

    # A third one at the cap: settled, nothing of it reaches the wallet.
    third_id, third = await pending_top_up(infrastructure, user_id, 10_000)
    await apply_confirmed_status(infrastructure.unit_of_work, infrastructure.clock, third_id, third)
    assert await wallet_minor(infrastructure, user_id) == CAP
    async with infrastructure.session_factory() as session:
        assert list((await check_ledger(session)).violations) == []
