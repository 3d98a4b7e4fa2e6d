"""The streamer-payout job on the real engines: a balance at the minimum (500.00 RUB) is set
aside whole, a smaller one waits; two runners of one period hold it once; the next period
holds what came in since; the ledger check stays green."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from donations_support import balance, donated
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.streamer_payouts import period_key
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.jobs.streamer_payouts import hold_streamer_payouts, streamer_payout_jobs
from sqlalchemy import text

MINIMUM = Money(50_000, "RUB")


async def payouts(infrastructure: Infrastructure, streamer_id: uuid.UUID) -> list[tuple]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT period_key, amount_minor FROM streamer_payouts"
                " WHERE streamer_id = :id ORDER BY created_at"
            ),
            {"id": streamer_id},
        )
        return [tuple(row) for row in rows]


def test_periods_are_iso_weeks_or_months() -> None:
    moment = datetime(2026, 1, 1, 12, tzinfo=UTC)  # a Thursday of ISO week 2026-W01
    assert period_key("weekly", moment) == "2026-W01"
    assert period_key("weekly", datetime(2025, 12, 29, tzinfo=UTC)) == "2026-W01"
    assert period_key("monthly", moment) == "2026-01"


async def test_balances_at_the_minimum_are_held_once_per_period(
    infrastructure: Infrastructure,
) -> None:
    rich, poor = uuid.uuid4(), uuid.uuid4()
    await donated(infrastructure, rich, 50_000)
    await donated(infrastructure, poor, 49_999)
    clock = ManualClock(datetime.now(UTC))
    week = period_key("weekly", clock.now())
    # Two runners of the same period at once: the rich streamer's balance moves once.
    await asyncio.gather(
        *(
            hold_streamer_payouts(infrastructure.unit_of_work, clock, "weekly", MINIMUM)
            for _ in range(2)
        )
    )
    assert await payouts(infrastructure, rich) == [(week, 50_000)]
    assert await payouts(infrastructure, poor) == []
    assert await balance(infrastructure, rich, "streamer_balance") == 0
    assert await balance(infrastructure, rich, "payout_clearing") == 50_000
    assert await balance(infrastructure, poor, "streamer_balance") == 49_999
    # A later run in the same period holds nothing more, even with new money.
    await donated(infrastructure, rich, 70_000)
    await hold_streamer_payouts(infrastructure.unit_of_work, clock, "weekly", MINIMUM)
    assert await payouts(infrastructure, rich) == [(week, 50_000)]
    # Next week: what came in since is held; the poor streamer reaches the minimum too.
    await donated(infrastructure, poor, 1)
    clock.advance(timedelta(days=7))
    made = await hold_streamer_payouts(infrastructure.unit_of_work, clock, "weekly", MINIMUM)
    next_week = period_key("weekly", clock.now())
    assert {(p.streamer_id, p.amount.amount_minor) for p in made} >= {
        (rich, 70_000),
        (poor, 50_000),
    }
    assert await payouts(infrastructure, rich) == [(week, 50_000), (next_week, 70_000)]
    assert await balance(infrastructure, poor, "streamer_balance") == 0
    async with infrastructure.session_factory() as session:
        report = await check_ledger(session)
    assert report.ok, report.render()


def test_the_job_is_leased_under_its_period(infrastructure: Infrastructure) -> None:
    job, _ = streamer_payout_jobs(infrastructure)
    assert job.name == "streamer-payouts"
    moment = datetime(2026, 11, 25, tzinfo=UTC)
    assert job.period_key(moment) == "2026-W48"
