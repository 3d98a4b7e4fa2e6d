"""Streamer payouts through the provider on the real engines: the streamer registers a YooMoney
wallet (sealed; only its last four digits kept), the weekly job holds the balance, the execute
job pays it through the provider sandbox on :8091 (Idempotence-Key = payout id) and completes
it, or fails it and returns the money; a pending one is completed by the sandbox's
notification to the running payment service. The clock runs a day ahead, so the running
service's own jobs never take these payouts; the ledger check stays green."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from donations_support import balance, donated
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.payouts import payouts_client
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.streamer_payouts import StreamerPayout
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.jobs.streamer_payouts import hold_streamer_payouts
from parovoz_payment.settings import process_settings
from parovoz_payment.use_cases.payout_sending import PayoutRun, execute_due_payouts
from parovoz_payment.use_cases.streamer_payout_execution import StreamerPayouts
from parovoz_testing.tokens import auth
from payouts_support import SANDBOX, eventually
from sqlalchemy import text

DESTINATION = "/api/v1/payments/streamers/me/payout-destination"
WALLET = "410011234567890"
MINIMUM = Money(50_000, "RUB")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC) + timedelta(days=1))


def destination_body(number: str) -> dict:
    return {"data": {"type": "streamerPayoutDestination", "attributes": {"account_number": number}}}


async def registered(client: httpx.AsyncClient, streamer_id: uuid.UUID) -> None:
    answer = await client.put(DESTINATION, json=destination_body(WALLET), headers=auth(streamer_id))
    assert answer.status_code == 200, answer.text


async def held(
    infrastructure: Infrastructure, clock: ManualClock, streamer_id: uuid.UUID, minor: int
) -> StreamerPayout:
    await donated(infrastructure, streamer_id, minor)
    made = await hold_streamer_payouts(infrastructure.unit_of_work, clock, "weekly", MINIMUM)
    [payout] = [p for p in made if p.streamer_id == streamer_id]
    return payout


async def run_job(infrastructure: Infrastructure, clock: ManualClock) -> int:
    run = PayoutRun(infrastructure.unit_of_work, clock, payouts_client(infrastructure))
    return await execute_due_payouts(StreamerPayouts(run, process_settings().sealer()))


async def row(infrastructure: Infrastructure, payout: StreamerPayout) -> dict:
    async with infrastructure.session_factory() as session:
        found = await session.execute(
            text("SELECT * FROM streamer_payouts WHERE id = :id"), {"id": payout.id}
        )
        return dict(found.mappings().one())


async def at_sandbox(payout: StreamerPayout) -> list[dict]:
    async with httpx.AsyncClient(base_url=SANDBOX) as sandbox:
        found = await sandbox.get("/sandbox/payouts", params={"reference": str(payout.id)})
        assert found.status_code == 200, found.text
        return found.json()["payouts"]


async def assert_ledger_green(infrastructure: Infrastructure) -> None:
    async with infrastructure.session_factory() as session:
        report = await check_ledger(session)
    assert report.ok, report.render()


async def test_the_destination_is_a_wallet_number_sealed_and_shown_masked(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    streamer_id = uuid.uuid4()
    headers = auth(streamer_id)
    refused = await client.put(DESTINATION, json=destination_body("4111 1111"), headers=headers)
    assert refused.status_code == 400  # not a wallet number
    [error] = refused.json()["errors"]
    assert error["code"] == "INVALID_PAYOUT_DESTINATION"
    assert error["source"]["pointer"] == "/data/attributes/account_number"
    missing = await client.get(DESTINATION, headers=headers)
    assert missing.status_code == 404

    await registered(client, streamer_id)

    shown = await client.get(DESTINATION, headers=headers)
    assert shown.status_code == 200
    assert shown.json()["data"]["attributes"] == {"kind": "yoo_money", "account_last4": "7890"}
    assert WALLET not in shown.text
    async with infrastructure.session_factory() as session:
        stored = (
            await session.execute(
                text("SELECT ciphertext FROM streamer_payout_destinations WHERE streamer_id = :s"),
                {"s": streamer_id},
            )
        ).scalar_one()
        leaked = await session.execute(
            text("SELECT count(*) FROM audit_log WHERE after::text LIKE :w"), {"w": f"%{WALLET}%"}
        )
    assert WALLET.encode() not in bytes(stored)
    assert leaked.scalar_one() == 0
    # Another wallet replaces it: audited with the one replaced (masked) and the new one.
    other = "410019876543210"
    answer = await client.put(DESTINATION, json=destination_body(other), headers=headers)
    assert answer.status_code == 200, answer.text
    async with infrastructure.session_factory() as session:
        changes = await session.execute(
            text(
                "SELECT before, after FROM audit_log WHERE subject_id = :s "
                "AND action = 'streamer_payout_destination.set' ORDER BY id"
            ),
            {"s": str(streamer_id)},
        )
        [(first_before, _), (before, after)] = list(changes)
    assert first_before is None
    assert before == {"kind": "yoo_money", "account_last4": "7890"}
    assert after == {"kind": "yoo_money", "account_last4": "3210"}
    assert other not in str(after)


async def test_a_held_payout_is_paid_to_the_wallet_and_completed(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    streamer_id = uuid.uuid4()
    await registered(client, streamer_id)
    payout = await held(infrastructure, clock, streamer_id, 60_000)

    await asyncio.gather(run_job(infrastructure, clock), run_job(infrastructure, clock))

    done = await row(infrastructure, payout)
    assert done["status"] == "completed"
    assert done["destination"] == {"type": "yoo_money", "account_last4": "7890"}
    [paid] = await at_sandbox(payout)  # two runners at once: paid once
    assert paid["status"] == "succeeded" and paid["id"] == done["provider_payout_id"]
    assert paid["provider_object"]["amount"]["value"] == "600.00"
    assert await balance(infrastructure, streamer_id, "streamer_balance") == 0
    assert await balance(infrastructure, streamer_id, "payout_clearing") == 0
    await assert_ledger_green(infrastructure)
    # Audited with the whole payout before and after its completion.
    async with infrastructure.session_factory() as session:
        audited = await session.execute(
            text(
                "SELECT before, after FROM audit_log WHERE subject_id = :id "
                "AND action = 'streamer_payout.completed'"
            ),
            {"id": str(payout.id)},
        )
        [(before, after)] = list(audited)
    assert (before["status"], after["status"]) == ("processing", "completed")
    assert before["amount_minor"] == after["amount_minor"] == 60_000
    assert after["provider_payout_id"] == done["provider_payout_id"]
    # The check follows streamer payouts' holds too: a completed one claimed to be still
    # processing (its hold long cleared) is named.
    async with infrastructure.session_factory() as session, session.begin():
        await session.execute(
            text("UPDATE streamer_payouts SET status = 'processing' WHERE id = :id"),
            {"id": payout.id},
        )
        named = (await check_ledger(session)).violation("payout_holds")
        await session.rollback()
    assert named is not None and str(payout.id) in str(named)


async def test_a_refused_payout_fails_and_the_money_goes_back(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    streamer_id = uuid.uuid4()
    await registered(client, streamer_id)
    payout = await held(infrastructure, clock, streamer_id, 60_014)  # recipient_not_found

    await run_job(infrastructure, clock)

    failed = await row(infrastructure, payout)
    assert failed["status"] == "failed"
    assert failed["failure_reason_code"] == "payout_method_unavailable"
    assert await balance(infrastructure, streamer_id, "streamer_balance") == 60_014
    assert await balance(infrastructure, streamer_id, "payout_clearing") == 0
    await assert_ledger_green(infrastructure)


async def test_without_a_destination_the_payout_fails_before_the_provider(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    streamer_id = uuid.uuid4()
    payout = await held(infrastructure, clock, streamer_id, 55_000)

    await run_job(infrastructure, clock)

    failed = await row(infrastructure, payout)
    assert (failed["status"], failed["failure_reason_code"]) == (
        "failed",
        "payout_method_unavailable",
    )
    assert await at_sandbox(payout) == []
    assert await balance(infrastructure, streamer_id, "streamer_balance") == 55_000


async def test_a_pending_payout_is_completed_by_the_notification(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    streamer_id = uuid.uuid4()
    await registered(client, streamer_id)
    payout = await held(infrastructure, clock, streamer_id, 70_018)  # stays pending

    await run_job(infrastructure, clock)
    sent = await row(infrastructure, payout)
    assert sent["status"] == "processing" and sent["provider_payout_id"]
    async with httpx.AsyncClient(base_url=SANDBOX) as sandbox:
        decided = await sandbox.post(
            f"/sandbox/payouts/{sent['provider_payout_id']}/outcome",
            json={"outcome": "succeed", "duplicate": 2},
        )
        assert decided.status_code == 200, decided.text

    async def completed() -> bool:
        return (await row(infrastructure, payout))["status"] == "completed"

    assert await eventually(completed)  # by the running service, from the webhook
    assert await balance(infrastructure, streamer_id, "payout_clearing") == 0
    await assert_ledger_green(infrastructure)
