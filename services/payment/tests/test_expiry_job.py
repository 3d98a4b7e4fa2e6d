"""The ``payments-expire`` job on the real engines and the provider sandbox: payments created
through the use case, the clock moved (never slept).

The manual clock starts two hours in the past, so a run "61 minutes later" only sees this
test's payments and leftovers older than two hours (which the real job would expire anyway),
never a payment another test is paying right now."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_purposes import Origin, Route
from parovoz_payment.domain.payment_vocabulary import (
    CancellationReason,
    PaymentPurpose,
    PaymentStatus,
)
from parovoz_payment.domain.payments import Payment
from parovoz_payment.jobs.periodic import payment_jobs
from parovoz_payment.use_cases.expiry import expire_pending_payments
from parovoz_payment.use_cases.payment_flow import PaymentOrder, create_payment
from sqlalchemy import text

SANDBOX = "http://127.0.0.1:8091"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC) - timedelta(hours=2))


async def pending_payment(infrastructure: Infrastructure, clock: ManualClock) -> Payment:
    view = await create_payment(
        infrastructure.unit_of_work,
        provider_registry(infrastructure),
        clock,
        PaymentOrder(
            user_id=uuid.uuid4(),
            purpose=PaymentPurpose.WALLET_TOP_UP,
            amount=Money(50_000, "RUB"),
            region="RU",
            choice=MethodChoice(PaymentMethod.BANK_CARD),
            return_url="https://parovoz.example/return",
            origin=Origin.user(Route.WALLET_TOP_UPS),
        ),
    )
    assert view.payment.status is PaymentStatus.PENDING
    assert view.payment.provider_payment_id is not None
    return view.payment


async def current(infrastructure: Infrastructure, payment_id: uuid.UUID) -> Payment:
    async with infrastructure.session_factory() as session:
        stored = await SqlPayments(session).get(payment_id)
    assert stored is not None
    return stored.payment


async def events(infrastructure: Infrastructure, payment_id: uuid.UUID) -> list[str]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT type FROM outbox WHERE key = :key ORDER BY seq"),
            {"key": str(payment_id)},
        )
        return list(rows.scalars())


async def run_job(infrastructure: Infrastructure, clock: ManualClock) -> int:
    return await expire_pending_payments(
        infrastructure.unit_of_work, provider_registry(infrastructure), clock
    )


async def test_an_unpaid_payment_expires_after_an_hour(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    payment = await pending_payment(infrastructure, clock)

    clock.advance(timedelta(minutes=59))
    await run_job(infrastructure, clock)
    assert (await current(infrastructure, payment.id)).status is PaymentStatus.PENDING

    clock.advance(timedelta(minutes=2))
    assert await run_job(infrastructure, clock) >= 1
    expired = await current(infrastructure, payment.id)
    assert expired.status is PaymentStatus.CANCELLED
    assert expired.cancellation_reason is CancellationReason.EXPIRED_ON_CONFIRMATION
    assert await events(infrastructure, payment.id) == ["payment.payment.cancelled.v1"]

    # Run again: nothing more happens.
    await run_job(infrastructure, clock)
    assert await events(infrastructure, payment.id) == ["payment.payment.cancelled.v1"]
    async with infrastructure.session_factory() as session:
        audits = await session.execute(
            text("SELECT action FROM audit_log WHERE subject_id = :id ORDER BY 1"),
            {"id": str(payment.id)},
        )
        assert list(audits.scalars()) == ["payment.cancelled", "payment.created"]


async def test_a_payment_paid_at_the_provider_before_expiry_succeeds(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    payment = await pending_payment(infrastructure, clock)
    async with httpx.AsyncClient(base_url=SANDBOX) as sandbox:
        answer = await sandbox.post(
            f"/sandbox/payments/yookassa/{payment.provider_payment_id}/outcome",
            json={"outcome": "succeed", "apply": True},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "succeeded"

    clock.advance(timedelta(minutes=61))
    await run_job(infrastructure, clock)
    paid = await current(infrastructure, payment.id)
    # The webhook (to the running service) or the job confirmed it: paid, not cancelled.
    assert paid.status is PaymentStatus.SUCCEEDED
    assert paid.cancellation_reason is None
    assert "payment.payment.cancelled.v1" not in await events(infrastructure, payment.id)


def test_the_job_is_registered(infrastructure: Infrastructure) -> None:
    jobs = {job.name: job for job in payment_jobs(infrastructure)}
    assert jobs["payments-expire"].period == timedelta(minutes=5)
