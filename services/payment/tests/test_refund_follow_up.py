"""The ``refunds-follow-up`` job's three duties on the real engines and the provider sandbox:
a refund the provider left pending is finished by asking the provider, a top-up's cap overflow
that was never sent back is refunded, and a card verification whose hold was never released is
cancelled. The clock is moved, never slept; each case builds its own payment at the sandbox.

Payments here are first created at the sandbox under an id payment does not know yet, and the
sandbox's notification is delivered (and ignored) before the row is written: the running
service must not settle them itself, since these cases are about what happens when it did
not finish the job."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from chargebacks_support import taken_at_sandbox
from ledger_support import fund_wallet
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.refunds import SqlRefunds
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.refunds import RefundReason, RefundStatus, ReviewDecision
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.use_cases.payment_ledger import settle
from parovoz_payment.use_cases.refund_follow_up import (
    follow_up_pending_refunds,
    release_stale_verifications,
    sweep_cap_overflow_debts,
)
from parovoz_payment.use_cases.refunds import (
    RefundOrder,
    RefundService,
    decide_refund,
    request_refund,
)
from sqlalchemy import text

SANDBOX = "http://127.0.0.1:8091"


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


@pytest.fixture
def clock() -> ManualClock:
    # Two hours back: "11 minutes later" is still in the past, so the job only sees this
    # test's rows and leftovers it would handle anyway.
    return ManualClock(datetime.now(UTC) - timedelta(hours=2))


@pytest.fixture
def service(infrastructure: Infrastructure, clock: ManualClock) -> RefundService:
    return RefundService(
        infrastructure.unit_of_work,
        provider_registry(infrastructure),
        clock,
        infrastructure.settings.wallet_rules(),  # type: ignore[attr-defined]
    )


async def stored_payment(
    infrastructure: Infrastructure,
    clock: ManualClock,
    purpose: PaymentPurpose,
    amount: Money,
    *,
    capture: bool = True,
    user_id: uuid.UUID | None = None,
) -> Payment:
    """Our row of a payment the sandbox took: succeeded (or only authorized)."""
    payment = start_payment(
        user_id=user_id or uuid.uuid4(),
        purpose=purpose,
        amount=amount,
        region="RU",
        now=clock.now(),
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        save_method=purpose is PaymentPurpose.CARD_VERIFICATION,
    )
    provider_id = await taken_at_sandbox(
        infrastructure, payment.id, amount.amount_minor, capture=capture
    )
    payment = payment.assign_provider(Provider.YOOKASSA, provider_id, clock.now())
    if capture:
        payment = payment.succeed(clock.now())
    else:
        payment = payment.apply_provider_status(PaymentStatus.WAITING_FOR_CAPTURE, clock.now())
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
        if capture:
            await settle(session, payment, Provider.YOOKASSA)
    return payment


async def refund_row(infrastructure: Infrastructure, payment_id: uuid.UUID) -> list:
    async with infrastructure.session_factory() as session:
        return await SqlRefunds(session).of_payment(payment_id)


async def outbox_types(infrastructure: Infrastructure, key: uuid.UUID) -> list[str]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT type FROM outbox WHERE key = :key ORDER BY seq"), {"key": str(key)}
        )
        return list(rows.scalars())


async def pending_refund(
    infrastructure: Infrastructure, service: RefundService, clock: ManualClock
) -> tuple[Payment, uuid.UUID, str]:
    """A top-up refunded by an admin's decision, left pending by the provider."""
    payment = await stored_payment(infrastructure, clock, PaymentPurpose.WALLET_TOP_UP, rub(30_000))
    async with httpx.AsyncClient(base_url=SANDBOX, timeout=5) as sandbox:
        answer = await sandbox.post(
            f"/sandbox/payments/yookassa/{payment.provider_payment_id}/outcome",
            json={"refund_outcome": "pending"},
        )
        assert answer.status_code == 200, answer.text
    order = RefundOrder(
        payment_id=payment.id,
        viewer=payment.user_id,
        actor=str(payment.user_id),
        amount=None,
        reason=RefundReason.CUSTOMER_REQUEST,
    )
    requested = await request_refund(service, order)
    assert requested.status is RefundStatus.REQUIRES_REVIEW  # a top-up is not a game
    refund = await decide_refund(service, "admin:test", requested.id, ReviewDecision.APPROVE)
    assert refund.status is RefundStatus.PENDING
    async with infrastructure.session_factory() as session:
        provider_refund_id = (
            await session.execute(
                text("SELECT provider_refund_id FROM refunds WHERE id = :id"), {"id": refund.id}
            )
        ).scalar_one()
    assert provider_refund_id, "the provider took the refund"
    return payment, refund.id, provider_refund_id


async def settle_at_sandbox(provider_refund_id: str, outcome: str) -> None:
    async with httpx.AsyncClient(base_url=SANDBOX, timeout=5) as sandbox:
        body = {"outcome": outcome} | ({"code": "general_decline"} if outcome == "fail" else {})
        answer = await sandbox.post(
            f"/sandbox/refunds/yookassa/{provider_refund_id}/outcome", json=body
        )
        assert answer.status_code == 200, answer.text


async def test_a_refund_the_provider_declined_later_fails_with_its_event(
    infrastructure: Infrastructure, service: RefundService, clock: ManualClock
) -> None:
    payment, refund_id, provider_refund_id = await pending_refund(infrastructure, service, clock)
    # YooKassa sends no notification for a cancelled refund: only asking tells.
    await settle_at_sandbox(provider_refund_id, "fail")

    assert await follow_up_pending_refunds(service) >= 0
    (refund,) = await refund_row(infrastructure, payment.id)
    assert refund.status is RefundStatus.PENDING, "too young: its request may still run"

    clock.advance(timedelta(minutes=11))
    await follow_up_pending_refunds(service)
    (refund,) = await refund_row(infrastructure, payment.id)
    assert refund.id == refund_id and refund.status is RefundStatus.FAILED
    assert "payment.refund.failed.v1" in await outbox_types(infrastructure, payment.id)
    async with infrastructure.session_factory() as session:
        stored = await SqlPayments(session).get(payment.id)
    assert stored is not None and stored.payment.refunded_amount.is_zero


async def test_a_refund_the_provider_finished_later_succeeds_once(
    infrastructure: Infrastructure, service: RefundService, clock: ManualClock
) -> None:
    payment, refund_id, provider_refund_id = await pending_refund(infrastructure, service, clock)
    await settle_at_sandbox(provider_refund_id, "succeed")
    clock.advance(timedelta(minutes=11))

    # Two replicas' runs (or the job and the provider's notification) race: one effect.
    await asyncio.gather(follow_up_pending_refunds(service), follow_up_pending_refunds(service))

    (refund,) = await refund_row(infrastructure, payment.id)
    assert refund.status is RefundStatus.SUCCEEDED
    types = await outbox_types(infrastructure, payment.id)
    assert types.count("payment.refund.succeeded.v1") == 1
    async with infrastructure.session_factory() as session:
        reversals = (
            await session.execute(
                text("SELECT count(*) FROM ledger_transactions WHERE idempotency_key LIKE :key"),
                {"key": f"refund:{refund_id}%"},
            )
        ).scalar_one()
        stored = await SqlPayments(session).get(payment.id)
    assert reversals == 1
    assert stored is not None and stored.payment.refunded_amount == rub(30_000)
    async with infrastructure.session_factory() as session:
        assert (await check_ledger(session)).ok


async def test_a_forgotten_cap_overflow_is_sent_back_to_the_card_once(
    infrastructure: Infrastructure, service: RefundService, clock: ManualClock
) -> None:
    user_id = uuid.uuid4()
    cap = infrastructure.settings.wallet_rules().balance_cap  # type: ignore[attr-defined]
    await fund_wallet(infrastructure, user_id, cap - 10_000)
    # Settled (the wallet took 100.00 of 500.00) and then the process stopped: no refund.
    payment = await stored_payment(
        infrastructure, clock, PaymentPurpose.WALLET_TOP_UP, rub(50_000), user_id=user_id
    )
    assert await refund_row(infrastructure, payment.id) == []

    clock.advance(timedelta(minutes=11))
    await sweep_cap_overflow_debts(service)
    await sweep_cap_overflow_debts(service)  # a second run finds nothing left to start

    (refund,) = await refund_row(infrastructure, payment.id)
    assert refund.reason is RefundReason.WALLET_CAP_OVERFLOW
    assert refund.amount == rub(40_000)
    assert refund.status is RefundStatus.SUCCEEDED
    async with infrastructure.session_factory() as session:
        assert (await check_ledger(session)).ok


async def test_an_unreleased_card_verification_hold_is_cancelled(
    infrastructure: Infrastructure, service: RefundService, clock: ManualClock
) -> None:
    payment = await stored_payment(
        infrastructure, clock, PaymentPurpose.CARD_VERIFICATION, rub(100), capture=False
    )
    assert await release_stale_verifications(infrastructure.unit_of_work, service) == 0

    clock.advance(timedelta(minutes=11))
    assert await release_stale_verifications(infrastructure.unit_of_work, service) >= 1

    async with infrastructure.session_factory() as session:
        stored = await SqlPayments(session).get(payment.id)
    assert stored is not None and stored.payment.status is PaymentStatus.CANCELLED
    async with httpx.AsyncClient(base_url=SANDBOX, timeout=5) as sandbox:
        seen = await sandbox.get(f"/sandbox/payments/yookassa/{payment.provider_payment_id}")
    assert seen.json()["status"] == "canceled"
