"""The end of the 30-day hold on the real engines, the clock moved (never slept): each sale's
developer share moves from pending to available exactly once, whoever runs the job; shares
taken back after that come from available, or become a debt netted against later sales.

The manual clock starts 60 days in the past, so a run "30 days later" only sees this test's
sales (and leftovers older than that, which the real job would release anyway)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from ledger_support import sell_game
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobOutcome, JobRunner, PeriodicJob
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.developer_ledger import developer_balances
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.db.sales import get_sale
from parovoz_payment.domain.games import GameOwner
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.refunds import (
    RefundDestination,
    RefundReason,
    RefundStatus,
    ReviewDecision,
)
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.jobs.revenue import FUNDS_RELEASE_JOB, revenue_jobs
from parovoz_payment.use_cases.funds_release import release_matured_shares
from parovoz_payment.use_cases.refunds import (
    RefundOrder,
    RefundService,
    decide_refund,
    request_refund,
)
from sqlalchemy import text


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


def past_clock() -> ManualClock:
    return ManualClock(datetime.now(UTC) - timedelta(days=60))


async def developer_game(infrastructure: Infrastructure, developer_id: uuid.UUID) -> GameOwner:
    owner = GameOwner(uuid.uuid4(), developer_id, "Игра", "game")
    async with infrastructure.session_factory.begin() as session:
        await SqlGameOwners(session).remember(owner, learned_from="event")
    return owner


async def balance(infrastructure: Infrastructure, developer_id: uuid.UUID) -> tuple[int, ...]:
    """(pending, available, in payout, owed) in RUB."""
    async with infrastructure.session_factory() as session:
        [rub_balance] = await developer_balances(session, developer_id)
    parts = (rub_balance.pending, rub_balance.available, rub_balance.in_payout, rub_balance.owed)
    return tuple(money.amount_minor for money in parts)


async def releases(infrastructure: Infrastructure, payment: Payment) -> int:
    async with infrastructure.session_factory() as session:
        return (
            await session.execute(
                text(
                    "SELECT count(*) FROM ledger_transactions "
                    "WHERE reference = :ref AND kind = 'developer_funds_release'"
                ),
                {"ref": str(payment.id)},
            )
        ).scalar_one()


async def violations(infrastructure: Infrastructure) -> list[object]:
    async with infrastructure.session_factory() as session:
        return list((await check_ledger(session)).violations)


async def test_shares_move_once_after_thirty_days_whoever_runs_the_job(
    infrastructure: Infrastructure,
) -> None:
    clock = past_clock()
    developer_id = uuid.uuid4()
    game = await developer_game(infrastructure, developer_id)
    first = await sell_game(infrastructure, game.game_id, 10_000, now=clock.now())
    clock.advance(timedelta(days=1))
    second = await sell_game(infrastructure, game.game_id, 20_000, now=clock.now())
    assert await balance(infrastructure, developer_id) == (21_000, 0, 0, 0)

    clock.advance(timedelta(days=29, hours=-1))  # the first's hold ends in an hour
    await release_matured_shares(infrastructure.unit_of_work, clock)
    assert await balance(infrastructure, developer_id) == (21_000, 0, 0, 0)

    clock.advance(timedelta(hours=1))
    # Two runners at once, bypassing the lease: the sale row and the ledger key decide.
    await asyncio.gather(
        release_matured_shares(infrastructure.unit_of_work, clock),
        release_matured_shares(infrastructure.unit_of_work, clock),
    )
    assert await balance(infrastructure, developer_id) == (14_000, 7_000, 0, 0)
    assert (await releases(infrastructure, first), await releases(infrastructure, second)) == (1, 0)

    # The job itself, from two job runners (two replicas) at once: one runs, one stays out.
    clock.advance(timedelta(days=1))
    job = next(j for j in revenue_jobs(infrastructure) if j.name == FUNDS_RELEASE_JOB)
    assert job.period == "daily"

    async def release(_: object) -> None:
        await release_matured_shares(infrastructure.unit_of_work, clock)

    runners = [
        JobRunner(infrastructure.engine, clock, [PeriodicJob(job.name, job.period, release)])
        for _ in range(2)
    ]
    period = f"test-{uuid.uuid4()}"
    outcomes = await asyncio.gather(*(r.run_now(job.name, period) for r in runners))
    seen = [result.outcome for result in outcomes]
    assert seen.count(JobOutcome.RAN) == 1
    assert set(seen) - {JobOutcome.RAN} <= {JobOutcome.RUNNING_ELSEWHERE, JobOutcome.ALREADY_RAN}
    assert await balance(infrastructure, developer_id) == (0, 21_000, 0, 0)
    assert (await releases(infrastructure, first), await releases(infrastructure, second)) == (1, 1)
    assert await violations(infrastructure) == []


async def test_a_share_taken_back_after_its_payout_becomes_a_debt_repaid_by_later_sales(
    infrastructure: Infrastructure,
) -> None:
    clock = past_clock()
    developer_id = uuid.uuid4()
    game = await developer_game(infrastructure, developer_id)
    payment = await sell_game(
        infrastructure, game.game_id, 10_000, now=clock.now()
    )  # 7,000 to the developer
    clock.advance(timedelta(days=30))
    await release_matured_shares(infrastructure.unit_of_work, clock)
    assert await balance(infrastructure, developer_id) == (0, 7_000, 0, 0)

    # A payout request holds 5,000 of it (as the payout feature posts it).
    async with infrastructure.session_factory.begin() as session:

        async def account(purpose: AccountPurpose):
            return await account_for(session, OwnerType.DEVELOPER, developer_id, purpose, "RUB")

        available = await account(AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE)
        held = await account(AccountPurpose.DEVELOPER_PAYOUT_HOLD)
        await post(
            session,
            f"test-payout:{uuid.uuid4()}",
            "payout_hold",
            [debit(available, rub(5_000)), credit(held, rub(5_000))],
        )
    assert await balance(infrastructure, developer_id) == (0, 2_000, 5_000, 0)

    # An admin refunds the whole sale a month after it (past the automatic window).
    service = RefundService(
        infrastructure.unit_of_work,
        provider_registry(infrastructure),
        clock,
        infrastructure.settings.wallet_rules(),  # type: ignore[attr-defined]
    )
    refund = await request_refund(
        service,
        RefundOrder(
            payment_id=payment.id,
            viewer=None,
            actor="support",
            amount=None,
            reason=RefundReason.OTHER,
            destination=RefundDestination.WALLET,
        ),
    )
    assert refund.status is RefundStatus.REQUIRES_REVIEW
    refund = await decide_refund(service, "admin-1", refund.id, ReviewDecision.APPROVE)
    assert refund.status is RefundStatus.SUCCEEDED
    # 2,000 came back from available; 5,000 is already on its way out: owed.
    assert await balance(infrastructure, developer_id) == (0, 0, 5_000, 5_000)

    # The next sales repay the debt first as they leave the hold; the rest becomes available.
    later = await sell_game(infrastructure, game.game_id, 5_000, now=clock.now())  # 3,500
    latest = await sell_game(infrastructure, game.game_id, 4_000, now=clock.now())  # 2,800
    clock.advance(timedelta(days=30))
    await release_matured_shares(infrastructure.unit_of_work, clock)
    assert await balance(infrastructure, developer_id) == (0, 1_300, 5_000, 0)
    async with infrastructure.session_factory() as session:
        released = [await get_sale(session, p.id) for p in (later, latest)]
    assert all(sale is not None and sale.released_at is not None for sale in released)
    assert await violations(infrastructure) == []
