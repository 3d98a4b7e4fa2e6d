"""A user's debt after a disputed top-up, collected, on the real engines and the provider
sandbox: the dispute is opened and ended at the sandbox and its signed notifications posted to
payment's webhook (as in ``test_chargebacks``); later top-ups the sandbox really took, settled
as ``apply_confirmed_status`` settles them, and a refund to the wallet repay the debt first,
in the same posting; a dispute won after a partial repayment cancels only what is still owed
and gives the repaid part back to the wallet. The ledger check stays green after each step.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
from chargebacks_support import (
    deliver,
    developer_game,
    disputes,
    end_dispute,
    moved,
    notification,
    open_dispute,
    owed_by,
    paid,
    pay_from_wallet,
    wallet_balance,
    wallet_locked,
)
from ledger_support import ledger_violations, net_credits
from notifications_support import Receiver
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.chargebacks import ChargebackStatus
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.refunds import RefundDestination, RefundReason, RefundStatus
from parovoz_payment.domain.user_debts import repay_first, won_top_up
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.use_cases.payment_ledger import settle
from parovoz_payment.use_cases.refunds import RefundOrder, RefundService, request_refund


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


async def indebted(
    infrastructure: Infrastructure, client: httpx.AsyncClient, receiver: Receiver
) -> tuple[Payment, str]:
    """A paid 200.00 top-up, 10.00 of it spent from the wallet, then disputed whole: the wallet
    gave back 190.00 and the user owes 10.00. The dispute is still open (its provider id)."""
    top_up = await paid(
        infrastructure, PaymentPurpose.WALLET_TOP_UP, 20_000, infrastructure.clock.now()
    )
    assert (await pay_from_wallet(client, top_up.user_id)).status_code == 201
    chargeback_id = await open_dispute(top_up, 20_000)
    await deliver(client, await notification(receiver, top_up, "chargeback.opened"))
    assert (await wallet_balance(infrastructure, top_up.user_id)) == 0
    assert await owed_by(infrastructure, top_up.user_id) == 1_000
    return top_up, chargeback_id


async def dispute_ends(
    client: httpx.AsyncClient, receiver: Receiver, top_up: Payment, chargeback_id: str, end: str
) -> None:
    await end_dispute(top_up, chargeback_id, end)
    await deliver(client, await notification(receiver, top_up, f"chargeback.{end}"))


async def topped_up(infrastructure: Infrastructure, user_id: uuid.UUID, minor: int) -> Payment:
    """A top-up the sandbox took, settled (``chargebacks_support.paid``)."""
    now = infrastructure.clock.now()
    return await paid(infrastructure, PaymentPurpose.WALLET_TOP_UP, minor, now, user_id=user_id)


async def owed_and_held(infrastructure: Infrastructure, user_id: uuid.UUID) -> tuple[int, int]:
    """(what the user owes, what their wallet holds)."""
    return await owed_by(infrastructure, user_id), await wallet_balance(infrastructure, user_id)


async def flagged_after_credit(
    infrastructure: Infrastructure, user_id: uuid.UUID, kind: str
) -> bool:
    """Whether the ledger check names the user once 3.00 of their debt is credited (against
    platform revenue) by a ``kind`` posting, rolled back after the check."""
    async with infrastructure.session_factory() as session:
        receivable = await account_for(
            session, OwnerType.USER, user_id, AccountPurpose.USER_RECEIVABLE, "RUB"
        )
        revenue = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, "RUB"
        )
        entries = [credit(receivable, rub(300)), debit(revenue, rub(300))]
        await post(session, f"test-credit:{uuid.uuid4()}", kind, entries)
        found = (await check_ledger(session)).violation("user_receivables")
        await session.rollback()
    return found is not None and any(str(user_id) in sample for sample in found.samples)


# -- the rules -----------------------------------------------------------------------------
def test_money_into_the_wallet_repays_the_debt_first() -> None:
    for amount, owed, repays, to_wallet in (
        (5_000, 1_000, 1_000, 4_000),
        (600, 1_000, 600, 0),
        (1_000, 1_000, 1_000, 0),
        (600, 0, 0, 600),
    ):
        repayment = repay_first(rub(amount), rub(owed))
        assert (repayment.repays_debt, repayment.to_wallet) == (rub(repays), rub(to_wallet))


def test_a_won_top_up_cancels_only_what_is_still_owed() -> None:
    never_repaid = won_top_up(rub(19_000), rub(1_000), still_owed=rub(1_000))
    assert (never_repaid.cancels_debt, never_repaid.to_wallet) == (rub(1_000), rub(19_000))
    partly = won_top_up(rub(19_000), rub(1_000), still_owed=rub(400))
    assert (partly.cancels_debt, partly.to_wallet) == (rub(400), rub(19_600))
    repaid = won_top_up(rub(19_000), rub(1_000), still_owed=rub(0))
    assert (repaid.cancels_debt, repaid.to_wallet) == (rub(0), rub(20_000))


# -- the cases -----------------------------------------------------------------------------
async def test_after_a_lost_dispute_the_next_top_ups_repay_the_debt_first(
    infrastructure: Infrastructure, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    top_up, chargeback_id = await indebted(infrastructure, client, receiver)
    user_id = top_up.user_id
    await dispute_ends(client, receiver, top_up, chargeback_id, "lost")
    # Owing does not lock the wallet: the debt is netted against what comes in.
    assert await wallet_locked(client, user_id) is False
    assert await ledger_violations(infrastructure) == []

    # The check is a real invariant: a credit to the debt by anything else is named.
    assert await flagged_after_credit(infrastructure, user_id, "adjustment") is True
    assert await flagged_after_credit(infrastructure, user_id, "wallet_top_up") is False

    # Smaller than the debt: all of it repays, the wallet gets nothing.
    small = await topped_up(infrastructure, user_id, 600)
    assert await net_credits(infrastructure, small.id, "wallet_top_up") == {
        "provider_clearing": -600,
        "user_receivable": 600,
    }
    assert await owed_and_held(infrastructure, user_id) == (400, 0)
    assert await ledger_violations(infrastructure) == []

    # Larger: the rest of the debt first, the wallet only the rest, in the same posting.
    large = await topped_up(infrastructure, user_id, 5_000)
    assert await net_credits(infrastructure, large.id, "wallet_top_up") == {
        "provider_clearing": -5_000,
        "user_receivable": 400,
        "user_wallet": 4_600,
    }
    assert await owed_and_held(infrastructure, user_id) == (0, 4_600)
    # Nothing owed any more: the next one is all the wallet's.
    last = await topped_up(infrastructure, user_id, 1_000)
    assert await net_credits(infrastructure, last.id, "wallet_top_up") == {
        "provider_clearing": -1_000,
        "user_wallet": 1_000,
    }
    assert await wallet_balance(infrastructure, user_id) == 5_600
    assert await ledger_violations(infrastructure) == []


async def test_concurrent_top_ups_repay_the_debt_once(
    infrastructure: Infrastructure, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    top_up, chargeback_id = await indebted(infrastructure, client, receiver)
    user_id = top_up.user_id
    await dispute_ends(client, receiver, top_up, chargeback_id, "lost")
    # Two top-ups of 800 settle at once: the wallet's lock queues them, 1,000 is repaid.
    now = infrastructure.clock.now()
    payments = [
        start_payment(
            user_id=user_id,
            purpose=PaymentPurpose.WALLET_TOP_UP,
            amount=rub(800),
            region="RU",
            now=now,
            choice=MethodChoice(PaymentMethod.BANK_CARD),
        )
        .assign_provider(Provider.YOOKASSA, f"test-{uuid.uuid4()}", now)
        .succeed(now)
        for _ in range(2)
    ]

    async def settled(payment: Payment) -> None:
        async with infrastructure.session_factory.begin() as session:
            await SqlPayments(session).add(payment)
            await settle(session, payment, Provider.YOOKASSA)

    await asyncio.gather(*(settled(payment) for payment in payments))
    repaid = [
        (await net_credits(infrastructure, payment.id, "wallet_top_up")).get("user_receivable", 0)
        for payment in payments
    ]
    assert sorted(repaid) == [200, 800]
    assert await owed_and_held(infrastructure, user_id) == (0, 600)
    assert await ledger_violations(infrastructure) == []


async def test_a_refund_to_the_wallet_repays_the_debt_first(
    infrastructure: Infrastructure, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    top_up, chargeback_id = await indebted(infrastructure, client, receiver)
    user_id = top_up.user_id
    await dispute_ends(client, receiver, top_up, chargeback_id, "lost")
    game = await developer_game(infrastructure)
    now = infrastructure.clock.now()
    purchase = await paid(
        infrastructure,
        PaymentPurpose.GAME_PURCHASE,
        1_500,
        now,
        game_id=game.game_id,
        user_id=user_id,
    )
    service = RefundService(
        infrastructure.unit_of_work,
        provider_registry(infrastructure),
        infrastructure.clock,
        infrastructure.settings.wallet_rules(),  # type: ignore[attr-defined]
    )
    refund = await request_refund(
        service,
        RefundOrder(
            payment_id=purchase.id,
            viewer=user_id,
            actor=str(user_id),
            amount=rub(1_500),
            reason=RefundReason.CUSTOMER_REQUEST,
            destination=RefundDestination.WALLET,
        ),
    )
    assert (refund.status, refund.to_wallet) == (RefundStatus.SUCCEEDED, rub(1_500))
    assert (await net_credits(infrastructure, refund.id, "refund")).get("user_receivable") == 1_000
    assert await owed_and_held(infrastructure, user_id) == (0, 500)
    assert await ledger_violations(infrastructure) == []


async def test_a_dispute_won_after_a_partial_repayment_gives_the_repaid_part_back(
    infrastructure: Infrastructure, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    top_up, chargeback_id = await indebted(infrastructure, client, receiver)
    user_id = top_up.user_id
    assert await wallet_locked(client, user_id) is True
    # A top-up while the dispute is open repays 600 of the 1,000 owed.
    await topped_up(infrastructure, user_id, 600)
    assert await owed_by(infrastructure, user_id) == 400
    assert await ledger_violations(infrastructure) == []

    await dispute_ends(client, receiver, top_up, chargeback_id, "won")
    await deliver(client, await notification(receiver, top_up, "chargeback.won"), times=2)

    [dispute] = await disputes(infrastructure, top_up)
    assert dispute.status is ChargebackStatus.WON
    # The debt never existed: the 400 still owed is cancelled, the 600 repaid is back.
    assert await moved(infrastructure, dispute) == {
        "provider_clearing": 0,
        "user_wallet": 600,
        "user_receivable": -600,
    }
    assert await net_credits(infrastructure, dispute.id, "chargeback_won") == {
        "provider_clearing": -20_000,
        "user_wallet": 19_600,
        "user_receivable": 400,
    }
    # 200.00 topped up, 10.00 spent, 6.00 topped up: all of it the user's again, once.
    assert await owed_and_held(infrastructure, user_id) == (0, 19_600)
    assert await wallet_locked(client, user_id) is False
    assert await ledger_violations(infrastructure) == []
