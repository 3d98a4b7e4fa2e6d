"""The 161-FZ wallet cap at settlement, on the real engines: top-ups that each fit alone,
pending at once and settled concurrently, never take the wallet past 60,000.00 RUB; what does
not fit is owed back (``refunds_payable``) and given back to the card at once (one automatic
refund per top-up, at the provider sandbox); the ledger stays balanced."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from ledger_support import fund_wallet
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_payment.clients.providers.registry import ProviderRegistry, provider_registry
from parovoz_payment.db.ledger import find_account
from parovoz_payment.db.refunds import SqlRefunds
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_purposes import Origin, Route
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.providers import ProviderPayment
from parovoz_payment.domain.refunds import Refund, RefundReason, RefundStatus
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.settings import PaymentSettings
from parovoz_payment.use_cases.payment_confirmation import apply_confirmed_status
from parovoz_payment.use_cases.payment_flow import PaymentOrder, PaymentView, create_payment

CAP = 6_000_000


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


@pytest.fixture(scope="module")
async def infrastructure() -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(PaymentSettings(environment="test")) as infra:
        yield infra


@pytest.fixture(scope="module")
def providers(infrastructure: Infrastructure) -> ProviderRegistry:
    return provider_registry(infrastructure)


async def paid_top_up(
    infrastructure: Infrastructure, providers: ProviderRegistry, user_id: uuid.UUID, minor: int
) -> tuple[uuid.UUID, ProviderPayment]:
    """A top-up created through the use case and paid at the sandbox (which also notifies the
    running service: its settlement races the test's, and either way happens once)."""
    return await pay_at_the_sandbox(
        providers, await created_top_up(infrastructure, providers, user_id, minor)
    )


async def created_top_up(
    infrastructure: Infrastructure, providers: ProviderRegistry, user_id: uuid.UUID, minor: int
) -> PaymentView:
    """A top-up created through the use case (checked against the wallet's limits and cap
    now), not paid yet."""
    return await create_payment(
        infrastructure.unit_of_work,
        providers,
        infrastructure.clock,
        PaymentOrder(
            user_id=user_id,
            purpose=PaymentPurpose.WALLET_TOP_UP,
            amount=rub(minor),
            region="RU",
            choice=MethodChoice(PaymentMethod.BANK_CARD),
            return_url="https://parovoz.example/wallet",
            origin=Origin.user(Route.WALLET_TOP_UPS),
        ),
    )


async def pay_at_the_sandbox(
    providers: ProviderRegistry, view: PaymentView
) -> tuple[uuid.UUID, ProviderPayment]:
    assert view.confirmation_url is not None and view.payment.provider is not None
    async with httpx.AsyncClient() as client:
        assert (await client.get(view.confirmation_url)).status_code == 303
    assert view.payment.provider_payment_id is not None
    confirmed = await providers.get(view.payment.provider).get_payment(
        view.payment.provider_payment_id
    )
    assert confirmed.status is PaymentStatus.SUCCEEDED
    return view.payment.id, confirmed


async def payable_minor(infrastructure: Infrastructure) -> int:
    key = AccountKey.of(OwnerType.PLATFORM, None, AccountPurpose.REFUNDS_PAYABLE, "RUB")
    async with infrastructure.session_factory() as session:
        account = await find_account(session, key)
    return 0 if account is None else account.credit_balance.amount_minor


async def settled_refunds(infrastructure: Infrastructure, payment_id: uuid.UUID) -> list[Refund]:
    """The payment's refunds once none is still on its way (the service may be executing it)."""
    for _ in range(100):
        async with infrastructure.session_factory() as session:
            found = await SqlRefunds(session).of_payment(payment_id)
        if found and all(r.status is not RefundStatus.PENDING for r in found):
            return found
        await asyncio.sleep(0.1)
    return found


async def wallet_minor(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    key = AccountKey.of(OwnerType.USER, user_id, AccountPurpose.USER_WALLET, "RUB")
    async with infrastructure.session_factory() as session:
        account = await find_account(session, key)
    return 0 if account is None else account.credit_balance.amount_minor


async def test_concurrent_top_ups_near_the_cap_never_pass_it_and_refund_the_rest(
    infrastructure: Infrastructure, providers: ProviderRegistry
) -> None:
    user_id = uuid.uuid4()
    payable_before = await payable_minor(infrastructure)
    await fund_wallet(infrastructure, user_id, CAP - 1_500_000)  # 15,000.00 RUB of room left
    # A third, created while there is room, is paid only once the wallet is at the cap.
    third_created = await created_top_up(infrastructure, providers, user_id, 10_000)
    # Each fits alone (created when the wallet had room); together they pass the cap by 5,000.
    first = await paid_top_up(infrastructure, providers, user_id, 1_000_000)
    second = await paid_top_up(infrastructure, providers, user_id, 1_000_000)

    settled = await asyncio.gather(
        *(
            apply_confirmed_status(
                infrastructure.unit_of_work,
                infrastructure.clock,
                payment_id,
                confirmed,
                providers=providers,
            )
            for payment_id, confirmed in (first, second)
        )
    )
    assert [p.status for p in settled] == [PaymentStatus.SUCCEEDED] * 2
    assert await wallet_minor(infrastructure, user_id) == CAP

    # Exactly one of them overflowed, by 5,000.00 RUB, and that went back to its card.
    refunds = {pid: await settled_refunds(infrastructure, pid) for pid, _ in (first, second)}
    assert sorted(len(found) for found in refunds.values()) == [0, 1], refunds
    [refund] = [r for found in refunds.values() for r in found]
    assert refund.amount == rub(500_000) and refund.to_method == rub(500_000)
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.reason is RefundReason.WALLET_CAP_OVERFLOW
    assert refund.requested_by == "system:wallet-cap"
    # Settling again (a late notification) refunds nothing more.
    for payment_id, confirmed in (first, second):
        await apply_confirmed_status(
            infrastructure.unit_of_work,
            infrastructure.clock,
            payment_id,
            confirmed,
            providers=providers,
        )
        assert len(await settled_refunds(infrastructure, payment_id)) == len(refunds[payment_id])

    # No new top-up starts at the cap (the domain refuses it wherever it comes from) ...
    with pytest.raises(BusinessRuleViolation) as refused:
        await created_top_up(infrastructure, providers, user_id, 10_000)
    assert refused.value.code == "WALLET_BALANCE_CAP_EXCEEDED"
    # ... and the third, paid at the cap: settled, nothing of it reaches the wallet, all of it
    # is refunded.
    third_id, third = await pay_at_the_sandbox(providers, third_created)
    await apply_confirmed_status(
        infrastructure.unit_of_work, infrastructure.clock, third_id, third, providers=providers
    )
    assert await wallet_minor(infrastructure, user_id) == CAP
    [whole] = await settled_refunds(infrastructure, third_id)
    assert whole.amount == rub(10_000) and whole.status is RefundStatus.SUCCEEDED

    assert await payable_minor(infrastructure) == payable_before
    async with infrastructure.session_factory() as session:
        assert list((await check_ledger(session)).violations) == []
