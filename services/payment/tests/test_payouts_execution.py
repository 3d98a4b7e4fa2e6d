"""The ``payouts-execute`` job on the real engines: the running developer-portal (accounts and
payout methods made through the gateway, GetPayoutMethod over gRPC with payment's service
token — it answers no other), the provider sandbox on :8091, and its notifications delivered to
the running payment service (same database). The clock runs a day ahead, so the running
service's own job never takes these payouts; nothing sleeps on a timer."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.payouts import payouts_client
from parovoz_payment.domain.ledger import AccountPurpose
from parovoz_payment.domain.payouts import Payout, PayoutStatus
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.jobs.payouts import payout_methods
from parovoz_payment.jobs.periodic import payment_jobs
from parovoz_payment.use_cases.payout_execution import DESCRIPTION, DeveloperPayouts
from parovoz_payment.use_cases.payout_sending import PayoutRun, execute_due_payouts
from parovoz_payment.use_cases.payouts import accept_payout_request
from parovoz_testing.developer_portal import (
    ACCOUNT_NUMBER,
    INN,
    added_payout_method,
    opened_account,
    removed_payout_method,
)

# payment's payout test helpers live beside this file (its conftest puts the folder on sys.path).
from payouts_support import (
    SANDBOX,
    audit_actions,
    balance,
    eventually,
    payout_of,
    request_for,
    seed_available,
    status_events,
)
from sqlalchemy import text

AVAILABLE = AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE
HOLD = AccountPurpose.DEVELOPER_PAYOUT_HOLD


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC) + timedelta(days=1))


async def held_payout(
    infrastructure: Infrastructure, clock: ManualClock, owner: str, minor: int
) -> Payout:
    """``owner``'s developer account at developer-portal, with a payout method, asks for
    ``minor`` out of 5,000.00 available: held, waiting for the job."""
    async with httpx.AsyncClient() as http:
        developer_id = await opened_account(http, owner)
        method_id = await added_payout_method(http, owner)
    await seed_available(infrastructure, developer_id, 500_000)
    request = request_for(developer_id, method_id, minor)
    async with infrastructure.session_factory.begin() as session:
        payout = await accept_payout_request(
            session, clock, infrastructure.source, request, 100_000
        )
    assert payout is not None and payout.status is PayoutStatus.PROCESSING
    return payout


async def run_job(infrastructure: Infrastructure, clock: ManualClock) -> int:
    run = PayoutRun(infrastructure.unit_of_work, clock, payouts_client(infrastructure))
    return await execute_due_payouts(DeveloperPayouts(run, payout_methods(infrastructure)))


async def at_sandbox(payout: Payout) -> list[dict]:
    async with httpx.AsyncClient(base_url=SANDBOX) as sandbox:
        found = await sandbox.get("/sandbox/payouts", params={"reference": str(payout.id)})
        assert found.status_code == 200, found.text
        return found.json()["payouts"]


async def current(infrastructure: Infrastructure, payout: Payout) -> Payout:
    found = await payout_of(infrastructure, payout.request)
    assert found is not None
    return found


async def test_a_payout_is_paid_through_the_sandbox_and_completed(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    owner = str(uuid.uuid4())
    payout = await held_payout(infrastructure, clock, owner, 150_000)

    await run_job(infrastructure, clock)

    done = await current(infrastructure, payout)
    assert done.status is PayoutStatus.COMPLETED
    assert done.destination is not None and done.destination.account_last4 == "0042"
    [paid] = await at_sandbox(payout)
    assert paid["status"] == "succeeded" and paid["provider_object"]["amount"]["value"] == "1500.00"
    assert paid["id"] == done.provider_payout_id
    developer = payout.developer_id
    assert await balance(infrastructure, developer, HOLD) == 0
    assert await balance(infrastructure, developer, AVAILABLE) == 350_000
    events = await status_events(infrastructure, developer)
    assert [e.new_status for e in events] == ["processing", "completed"]
    assert await audit_actions(infrastructure, payout.id) == ["payout.held", "payout.completed"]
    # developer-portal gave the details to payment's service token; they stayed out of our
    # database.
    async with infrastructure.session_factory() as session:
        report = await check_ledger(session)
        dump = await session.execute(
            text(
                "SELECT count(*) FROM developer_payouts p JOIN audit_log a "
                "ON a.subject_id = p.id::text WHERE p.destination::text LIKE :a "
                "OR a.after::text LIKE :a OR a.after::text LIKE :i"
            ),
            {"a": f"%{ACCOUNT_NUMBER}%", "i": f"%{INN}%"},
        )
        assert dump.scalar_one() == 0
    assert report.violation("payout_holds") is None
    # The sandbox's notification reached the running service, which found nothing left to do.
    assert await eventually(lambda: _delivered(paid["id"]))


async def _delivered(provider_payout_id: str) -> bool:
    async with httpx.AsyncClient(base_url=SANDBOX) as sandbox:
        view = (await sandbox.get(f"/sandbox/payouts/{provider_payout_id}")).json()
    return bool(view["notifications"]) and all(n["delivered"] for n in view["notifications"])


async def test_a_cancelled_payout_fails_and_returns_the_money(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    owner = str(uuid.uuid4())
    payout = await held_payout(infrastructure, clock, owner, 150_014)  # recipient_not_found

    await run_job(infrastructure, clock)

    failed = await current(infrastructure, payout)
    assert failed.status is PayoutStatus.FAILED
    events = await status_events(infrastructure, payout.developer_id)
    assert [(e.new_status, e.failure_reason_code) for e in events] == [
        ("processing", None),
        ("failed", "payout_method_unavailable"),
    ]
    assert "recipient_not_found" in (events[-1].failure_reason_message or "")
    assert await balance(infrastructure, payout.developer_id, HOLD) == 0
    assert await balance(infrastructure, payout.developer_id, AVAILABLE) == 500_000
    assert await audit_actions(infrastructure, payout.id) == ["payout.held", "payout.failed"]


async def test_an_unknown_payout_method_fails_before_the_provider(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    owner = str(uuid.uuid4())
    payout = await held_payout(infrastructure, clock, owner, 150_000)
    async with httpx.AsyncClient() as http:  # removed at developer-portal meanwhile → NOT_FOUND
        await removed_payout_method(http, owner, payout.request.payout_method_id)

    await run_job(infrastructure, clock)

    events = await status_events(infrastructure, payout.developer_id)
    assert (events[-1].new_status, events[-1].failure_reason_code) == (
        "failed",
        "payout_method_unavailable",
    )
    assert await at_sandbox(payout) == []
    assert await balance(infrastructure, payout.developer_id, AVAILABLE) == 500_000


async def test_a_pending_payout_is_completed_by_the_notification(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    owner = str(uuid.uuid4())
    payout = await held_payout(infrastructure, clock, owner, 150_018)  # stays pending

    await run_job(infrastructure, clock)
    sent = await current(infrastructure, payout)
    assert sent.status is PayoutStatus.PROCESSING and sent.provider_payout_id
    async with httpx.AsyncClient(base_url=SANDBOX) as sandbox:
        decided = await sandbox.post(
            f"/sandbox/payouts/{sent.provider_payout_id}/outcome",
            json={"outcome": "succeed", "duplicate": 3},
        )
        assert decided.status_code == 200, decided.text

    async def completed() -> Payout | None:
        found = await current(infrastructure, payout)
        return found if found.status is PayoutStatus.COMPLETED else None

    await eventually(completed)  # three signed copies, applied once by the running service
    assert await eventually(lambda: _delivered(sent.provider_payout_id))
    events = await status_events(infrastructure, payout.developer_id)
    assert [e.new_status for e in events] == ["processing", "completed"]
    assert await balance(infrastructure, payout.developer_id, HOLD) == 0
    actions = await audit_actions(infrastructure, payout.id)
    assert actions == ["payout.held", "payout.sent", "payout.completed"]


async def test_a_stale_pending_payout_is_settled_by_polling(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    owner = str(uuid.uuid4())
    payout = await held_payout(infrastructure, clock, owner, 150_018)
    await run_job(infrastructure, clock)
    sent = await current(infrastructure, payout)
    async with httpx.AsyncClient(base_url=SANDBOX) as sandbox:
        # The notification goes nowhere: only the job's poll can learn the outcome.
        url = (await sandbox.get("/sandbox/yookassa/webhook-url")).json()["url"]
        await sandbox.put("/sandbox/yookassa/webhook-url", json={"url": "http://127.0.0.1:9/"})
        try:
            await sandbox.post(
                f"/sandbox/payouts/{sent.provider_payout_id}/outcome",
                json={"outcome": "fail", "code": "general_decline"},
            )
        finally:
            await sandbox.put("/sandbox/yookassa/webhook-url", json={"url": url})

    await run_job(infrastructure, clock)  # not stale yet: nothing asked
    assert (await current(infrastructure, payout)).status is PayoutStatus.PROCESSING
    clock.advance(timedelta(minutes=11))
    await run_job(infrastructure, clock)

    events = await status_events(infrastructure, payout.developer_id)
    assert (events[-1].new_status, events[-1].failure_reason_code) == (
        "failed",
        "provider_rejected",
    )
    assert await balance(infrastructure, payout.developer_id, AVAILABLE) == 500_000


async def test_two_runners_at_once_pay_once(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    owner = str(uuid.uuid4())
    payout = await held_payout(infrastructure, clock, owner, 150_000)

    await asyncio.gather(*(run_job(infrastructure, clock) for _ in range(2)))

    assert len(await at_sandbox(payout)) == 1
    events = await status_events(infrastructure, payout.developer_id)
    assert [e.new_status for e in events] == ["processing", "completed"]


async def test_a_crash_after_the_provider_call_does_not_pay_twice(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    """A runner paid at the provider and died before its commit; once its lease lapses the
    next runner sends again under the same Idempotence-Key and gets the same payout back."""
    owner = str(uuid.uuid4())
    payout = await held_payout(infrastructure, clock, owner, 150_000)
    details = await payout_methods(infrastructure).payout_method(
        payout.developer_id, payout.request.payout_method_id
    )
    assert details is not None
    metadata = {
        "payout_request_id": str(payout.request.payout_request_id),
        "developer_id": str(payout.developer_id),
    }
    first = await payouts_client(infrastructure).create_payout(
        payout.id, payout.amount, details, DESCRIPTION, metadata
    )

    await run_job(infrastructure, clock)

    [paid] = await at_sandbox(payout)
    assert paid["id"] == first.provider_payout_id
    assert (await current(infrastructure, payout)).status is PayoutStatus.COMPLETED


def test_the_job_is_registered(infrastructure: Infrastructure) -> None:
    jobs = {job.name: job for job in payment_jobs(infrastructure)}
    assert jobs["payouts-execute"].period == timedelta(minutes=1)
