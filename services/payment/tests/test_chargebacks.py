"""Chargebacks on the real engines and the provider sandbox: the sandbox opens and ends a
dispute on a payment it really took, its signed notifications (captured by replaying them to a
local receiver) are posted to payment's own webhook, several times: each dispute reverses the
sale once (the developer's share and the platform's), locks the payer's wallet while open, and
a won dispute restores the sale once; a lost one leaves it reversed. The ledger check stays
green. The clock is moved (funds release), never slept.

The running payment service gets the same notifications from the sandbox; whichever applies
first, the dispute's row makes the other a no-op, which is what these tests assert.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from chargebacks_support import (
    deliver,
    developer_balance,
    developer_game,
    disputes,
    end_dispute,
    events,
    moved,
    notification,
    open_dispute,
    owed_by,
    paid,
    past_clock,
    pay_from_wallet,
    rub,
    sale_event_amounts,
    wallet_balance,
    wallet_locked,
)
from ledger_support import fund_wallet, ledger_violations, sell_game
from notifications_support import Receiver
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.audit import audit_log
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.domain.chargebacks import ChargebackStatus
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.use_cases.funds_release import release_sale
from parovoz_testing.tokens import auth
from sqlalchemy import select


@pytest.fixture
def hooks(receiver: Receiver) -> Receiver:
    """The sandbox's notifications are replayed here, then posted to our webhook."""
    return receiver


async def disputed(
    client: httpx.AsyncClient, receiver: Receiver, payment: Payment, minor: int
) -> str:
    """The sandbox opens a dispute of ``minor`` on the payment; its notification is posted to
    our webhook. The provider's dispute id."""
    chargeback_id = await open_dispute(payment, minor)
    await deliver(client, await notification(receiver, payment, "chargeback.opened"))
    return chargeback_id


async def dispute_ends(
    client: httpx.AsyncClient,
    receiver: Receiver,
    payment: Payment,
    chargeback_id: str,
    outcome: str,
) -> None:
    """The sandbox ends the dispute ``won`` or ``lost``; its notification is posted to us."""
    await end_dispute(payment, chargeback_id, outcome)
    await deliver(client, await notification(receiver, payment, f"chargeback.{outcome}"))


async def spent_top_up(infrastructure: Infrastructure, client: httpx.AsyncClient) -> Payment:
    """A paid 200.00 top-up, 10.00 of it already spent from the wallet."""
    payment = await paid(
        infrastructure, PaymentPurpose.WALLET_TOP_UP, 20_000, infrastructure.clock.now()
    )
    assert (await pay_from_wallet(client, payment.user_id)).status_code == 201
    return payment


# -- the cases -----------------------------------------------------------------------------
async def test_a_disputed_sale_is_reversed_once_locks_the_wallet_and_winning_restores_it(
    infrastructure: Infrastructure, client: httpx.AsyncClient, hooks: Receiver
) -> None:
    receiver = hooks
    game = await developer_game(infrastructure)
    user_id = uuid.uuid4()
    await fund_wallet(infrastructure, user_id, 5_000)
    payment = await paid(
        infrastructure,
        PaymentPurpose.GAME_PURCHASE,
        10_000,
        infrastructure.clock.now(),
        game_id=game.game_id,
        user_id=user_id,
    )
    assert await developer_balance(infrastructure, game.developer_id) == (7_000, 0, 0, 0)

    chargeback_id = await disputed(client, receiver, payment, 10_000)

    [dispute] = await disputes(infrastructure, payment)
    assert (dispute.status, dispute.amount) == (ChargebackStatus.OPENED, rub(10_000))
    assert dispute.provider_chargeback_id == chargeback_id
    # The acquirer took it all back; the share still in the hold and the platform's give it.
    assert await moved(infrastructure, dispute) == {
        "provider_clearing": 10_000,
        "developer_payable_pending": -7_000,
        "platform_revenue": -3_000,
    }
    assert await developer_balance(infrastructure, game.developer_id) == (0, 0, 0, 0)
    assert await sale_event_amounts(infrastructure, payment) == [7_000, -7_000]
    assert await wallet_locked(client, user_id) is True
    refused = await pay_from_wallet(client, user_id)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["code"] == "WALLET_LOCKED"
    # Refunded by the issuer already: a refund from us too would pay the buyer twice.
    refund = await client.post(
        f"/api/v1/payments/{payment.id}/refunds",
        json={"data": {"type": "refundRequest", "attributes": {"reason": "customer_request"}}},
        headers={**auth(user_id), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert refund.status_code == 422, refund.text
    assert refund.json()["errors"][0]["code"] == "PAYMENT_DISPUTED"

    await dispute_ends(client, receiver, payment, chargeback_id, "won")

    [dispute] = await disputes(infrastructure, payment)
    assert dispute.status is ChargebackStatus.WON
    # The money came back: the developer's share is re-recorded (released), the platform's too.
    assert await moved(infrastructure, dispute) == {
        "provider_clearing": 0,
        "developer_payable_pending": -7_000,
        "developer_payable_available": 7_000,
        "platform_revenue": 0,
    }
    assert await developer_balance(infrastructure, game.developer_id) == (0, 7_000, 0, 0)
    assert await sale_event_amounts(infrastructure, payment) == [7_000, -7_000, 7_000]
    assert await wallet_locked(client, user_id) is False
    assert (await pay_from_wallet(client, user_id)).status_code == 201
    sent = await events(infrastructure, payment.id)
    assert sent.count("payment.chargeback.opened.v1") == 1
    assert sent.count("payment.chargeback.resolved.v1") == 1
    # The audit log has the dispute whole, before and after its end.
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            select(audit_log.c.action, audit_log.c.before, audit_log.c.after).where(
                audit_log.c.subject_id == str(dispute.id)
            )
        )
        audited = {row.action: (row.before, row.after) for row in rows}
    assert audited["chargeback.opened"][0] is None
    before, after = audited["chargeback.won"]
    assert (before["status"], after["status"]) == ("opened", "won")
    assert before["amount_minor"] == after["amount_minor"] == 10_000
    assert before["resolved_at"] is None and after["resolved_at"] is not None
    # The outcome heard again (even another one) changes nothing.
    await deliver(client, await notification(receiver, payment, "chargeback.opened"), times=2)
    assert await developer_balance(infrastructure, game.developer_id) == (0, 7_000, 0, 0)
    assert await ledger_violations(infrastructure) == []


async def test_a_lost_dispute_after_the_release_leaves_a_debt_the_next_sale_repays(
    infrastructure: Infrastructure, client: httpx.AsyncClient, hooks: Receiver
) -> None:
    clock = past_clock()
    game = await developer_game(infrastructure)
    developer_id = game.developer_id
    payment = await paid(
        infrastructure, PaymentPurpose.GAME_PURCHASE, 10_000, clock.now(), game_id=game.game_id
    )
    clock.advance(timedelta(days=30))
    assert await release_sale(infrastructure.unit_of_work, clock, payment.id)
    # A payout holds 5,000 of the 7,000 released (as the payout feature posts it).
    async with infrastructure.session_factory.begin() as session:
        available, held = [
            await account_for(session, OwnerType.DEVELOPER, developer_id, purpose, "RUB")
            for purpose in (
                AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE,
                AccountPurpose.DEVELOPER_PAYOUT_HOLD,
            )
        ]
        await post(
            session,
            f"test-payout:{uuid.uuid4()}",
            "payout_hold",
            [debit(available, rub(5_000)), credit(held, rub(5_000))],
        )
    assert await developer_balance(infrastructure, developer_id) == (0, 2_000, 5_000, 0)

    chargeback_id = await disputed(client, hooks, payment, 10_000)

    # 2,000 came back from available; the 5,000 already on its way out is owed.
    assert await developer_balance(infrastructure, developer_id) == (0, 0, 5_000, 5_000)
    assert await wallet_locked(client, payment.user_id) is True

    await dispute_ends(client, hooks, payment, chargeback_id, "lost")

    [dispute] = await disputes(infrastructure, payment)
    assert dispute.status is ChargebackStatus.LOST
    assert await moved(infrastructure, dispute) == {
        "provider_clearing": 10_000,
        "developer_payable_available": -2_000,
        "developer_receivable": -5_000,
        "platform_revenue": -3_000,
    }
    assert await developer_balance(infrastructure, developer_id) == (0, 0, 5_000, 5_000)
    assert await wallet_locked(client, payment.user_id) is False
    assert (await events(infrastructure, payment.id)).count("payment.chargeback.resolved.v1") == 1

    # The next sale repays the debt first as it leaves the hold.
    later = await sell_game(infrastructure, game.game_id, 10_000, now=clock.now())
    clock.advance(timedelta(days=30))
    assert await release_sale(infrastructure.unit_of_work, clock, later.id)
    assert await developer_balance(infrastructure, developer_id) == (0, 2_000, 5_000, 0)
    assert await ledger_violations(infrastructure) == []


async def test_a_disputed_top_up_takes_what_the_wallet_holds_and_the_rest_is_owed(
    infrastructure: Infrastructure, client: httpx.AsyncClient, hooks: Receiver
) -> None:
    receiver = hooks
    payment = await spent_top_up(infrastructure, client)
    user_id = payment.user_id
    assert await wallet_balance(infrastructure, user_id) == 19_000
    chargeback_id = await open_dispute(payment, 20_000)

    # The won outcome heard first: the dispute opens and ends at once, one effect.
    await end_dispute(payment, chargeback_id, "won")
    won = await notification(receiver, payment, "chargeback.won")
    opened = await notification(receiver, payment, "chargeback.opened")
    await deliver(client, won, times=3)
    await deliver(client, opened, times=3)

    [dispute] = await disputes(infrastructure, payment)
    assert dispute.status is ChargebackStatus.WON
    assert (dispute.wallet_debited, dispute.user_owed) == (rub(19_000), rub(1_000))
    assert await moved(infrastructure, dispute) == {
        "provider_clearing": 0,
        "user_wallet": 0,
        "user_receivable": 0,
    }
    assert await wallet_balance(infrastructure, user_id) == 19_000
    assert await wallet_locked(client, user_id) is False
    assert await ledger_violations(infrastructure) == []


async def test_a_lost_top_up_dispute_leaves_the_user_owing_what_they_spent(
    infrastructure: Infrastructure, client: httpx.AsyncClient, hooks: Receiver
) -> None:
    payment = await spent_top_up(infrastructure, client)
    user_id = payment.user_id
    chargeback_id = await disputed(client, hooks, payment, 20_000)

    assert await wallet_balance(infrastructure, user_id) == 0
    assert await owed_by(infrastructure, user_id) == 1_000
    assert await wallet_locked(client, user_id) is True

    await dispute_ends(client, hooks, payment, chargeback_id, "lost")
    assert await owed_by(infrastructure, user_id) == 1_000
    assert await wallet_locked(client, user_id) is False
    assert await ledger_violations(infrastructure) == []
