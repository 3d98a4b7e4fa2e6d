"""Payout schedule (`/finance/payout-schedule`) and the leased ``payouts-monthly`` job on the
real engines, with GetDeveloperBalance answered by the running payment service over gRPC (this
service's own client and service token; each developer's balance posted in payment's ledger per
test by ``parovoz_testing.payment_ledger``), and the clock moved across months instead of
waiting.

Months are in 2101 so the running platform's own job never shares a lease with these tests."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_developer_portal.clients.payment import developer_money
from parovoz_developer_portal.finance.domain.payout_schedule import automatic_request_id
from parovoz_developer_portal.finance.domain.payouts import (
    PayoutAmount,
    PayoutTrigger,
    request_payout,
)
from parovoz_developer_portal.finance.jobs import MONTHLY_PAYOUTS, payout_jobs
from parovoz_developer_portal.finance.service.payout_schedule import request_monthly_payout
from parovoz_developer_portal.finance_unit_of_work import finance_unit_of_work
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.jobs import JobOutcome, JobRunner
from parovoz_testing.payment_ledger import payment_database, seed_available, seed_owed
from parovoz_testing.platform import SERVICES
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

SCHEDULE = "/api/v1/developer/finance/payout-schedule"
MINIMUM = 100_000


def finance_settings(payment_target: str) -> DeveloperPortalSettings:
    return DeveloperPortalSettings(
        environment="test", payout_balance_precheck=False, payment_grpc_target=payment_target
    )


#: The running payment service's gRPC (the platform is up in tests).
PAYMENT = next(f"127.0.0.1:{one.grpc_port}" for one in SERVICES if one.name == "payment")


@pytest.fixture(scope="module")
async def payment_ledger() -> AsyncIterator[AsyncEngine]:
    """The running payment service's database, where each test posts its balances."""
    async with payment_database() as engine:
        yield engine


@pytest.fixture(scope="module")
async def infrastructure() -> AsyncIterator[Infrastructure]:
    settings = finance_settings(PAYMENT)
    async with open_infrastructure(settings) as infra:
        # Leases of earlier runs of these tests: the months are the same every run.
        async with infra.session_factory.begin() as session:
            await session.execute(
                text("DELETE FROM job_runs WHERE name = :name AND period_key LIKE '2101-%'"),
                {"name": MONTHLY_PAYOUTS},
            )
        yield infra


@pytest.fixture
def fund(payment_ledger: AsyncEngine) -> Callable[..., Awaitable[None]]:
    """Gives a developer ``available`` matured revenue at payment, and a debt of ``owed``."""

    async def fund(developer_id: uuid.UUID, available: int, owed: int = 0) -> None:
        await seed_available(payment_ledger, developer_id, available)
        if owed:
            await seed_owed(payment_ledger, developer_id, owed)

    return fund


def at(month: int, day: int = 1, hour: int = 0) -> ManualClock:
    return ManualClock(datetime(2101, month, day, hour, 5, tzinfo=UTC))


def runner(infrastructure: Infrastructure, clock: ManualClock, holder: str) -> JobRunner:
    return JobRunner(infrastructure.engine, clock, payout_jobs(infrastructure), holder=holder)


async def monthly(studio, user_id=None, method_id=None) -> Any:
    attributes: dict[str, Any] = {"mode": "monthly"}
    if method_id is not None:
        attributes["payout_method_id"] = method_id
    return await studio.client.put(
        SCHEDULE,
        json={"data": {"type": "payoutSchedules", "attributes": attributes}},
        headers=studio.auth(user_id or studio.owner),
    )


async def requests_of(studio) -> list[Any]:
    async with studio.infrastructure.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT id, amount_minor, trigger, requested_by_user_id, requested_at, status "
                "FROM payout_requests WHERE developer_id = :id ORDER BY requested_at"
            ),
            {"id": studio.developer_id},
        )
        return list(rows)


async def events_of(studio) -> list[dict[str, Any]]:
    async with studio.infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT payload FROM outbox WHERE type = :type AND key = :key ORDER BY seq"),
            {"type": "developer.payout.requested.v1", "key": str(studio.developer_id)},
        )
        return [row.payload for row in rows]


async def end_requests(studio) -> None:
    """As payment's ``completed`` would (the running platform may already have ended them)."""
    async with studio.infrastructure.session_factory.begin() as session:
        await session.execute(
            text("UPDATE payout_requests SET status = 'completed' WHERE developer_id = :id"),
            {"id": studio.developer_id},
        )


# --- the setting -----------------------------------------------------------------------------
async def test_the_schedule_is_on_request_until_chosen_and_names_a_method(
    studio, new_studio
) -> None:
    headers = studio.auth(studio.owner)
    shown = await studio.client.get(SCHEDULE, headers=headers)
    assert shown.status_code == 200, shown.text
    assert shown.json()["data"]["attributes"]["mode"] == "on_request"
    assert shown.json()["data"]["attributes"]["payout_method_id"] is None

    no_method = await monthly(studio)
    assert no_method.status_code == 422
    [error] = no_method.json()["errors"]
    assert error["code"] == "PAYOUT_METHOD_REQUIRED"
    assert error["source"]["pointer"] == "/data/attributes/payout_method_id"

    default = await studio.add_method()
    chosen = await monthly(studio)
    assert chosen.status_code == 200, chosen.text
    attributes = chosen.json()["data"]["attributes"]
    assert attributes["mode"] == "monthly" and attributes["day_of_month"] == 1
    assert attributes["payout_method_id"] == default["id"]

    others = await (await new_studio()).add_method()
    foreign = await monthly(studio, method_id=others["id"])
    assert foreign.status_code == 404
    assert foreign.json()["errors"][0]["source"]["pointer"] == "/data/attributes/payout_method_id"
    assert (await studio.client.get(SCHEDULE, headers=headers)).json()["data"]["attributes"][
        "payout_method_id"
    ] == default["id"]

    back = await studio.client.put(
        SCHEDULE,
        json={"data": {"type": "payoutSchedules", "attributes": {"mode": "on_request"}}},
        headers=headers,
    )
    assert back.status_code == 200
    assert back.json()["data"]["attributes"]["payout_method_id"] is None
    unknown = await studio.client.put(
        SCHEDULE,
        json={"data": {"type": "payoutSchedules", "attributes": {"mode": "weekly"}}},
        headers=headers,
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["source"]["pointer"] == "/data/attributes/mode"


@pytest.mark.parametrize(("role", "status"), [("finance", 200), ("editor", 403), ("viewer", 403)])
async def test_who_may_choose_the_schedule(studio, role: str, status: int) -> None:
    await studio.add_method()
    member = await studio.member(role)
    assert (await monthly(studio, member)).status_code == status
    assert (await studio.client.get(SCHEDULE, headers=studio.auth(member))).status_code == status


# --- the monthly job -------------------------------------------------------------------------
async def test_a_monthly_account_is_paid_its_whole_balance_once_a_month(
    studio, fund, infrastructure
) -> None:
    method = await studio.add_method()
    assert (await monthly(studio)).status_code == 200
    await fund(studio.developer_id, 250_000, 20_000)

    march = at(3)
    assert (await runner(infrastructure, march, "a").run_now(MONTHLY_PAYOUTS)).outcome is (
        JobOutcome.RAN
    )
    [request] = await requests_of(studio)
    assert request.id == automatic_request_id(studio.developer_id, "2101-03")
    assert request.amount_minor == 230_000  # available less owed, all of it
    assert request.trigger == "monthly_automatic" and request.requested_by_user_id is None
    [event] = await events_of(studio)
    assert event["trigger"] == "monthly_automatic"
    assert event["amount"] == {"amount_minor": 230_000, "currency": "RUB"}
    assert event["payout_method_id"] == method["id"]

    # Later in March, the payout ended: nothing more this month, on any runner.
    await end_requests(studio)
    march.set(datetime(2101, 3, 20, tzinfo=UTC))
    rerun = await runner(infrastructure, march, "b").run_now(MONTHLY_PAYOUTS)
    assert rerun.outcome is JobOutcome.ALREADY_RAN
    # Even a run of March that got past the lease (a failed run taken over) asks nothing.
    again = await request_monthly_payout(
        finance_unit_of_work(infrastructure),
        developer_money(infrastructure),
        studio.developer_id,
        "2101-03",
        minimum_minor=MINIMUM,
        now=march.now(),
    )
    assert again is None
    assert len(await requests_of(studio)) == 1

    # payment held March's payout (the running platform took the request): April's revenue.
    await fund(studio.developer_id, 250_000)
    april = at(4)
    assert (await runner(infrastructure, april, "a").run_now(MONTHLY_PAYOUTS)).outcome is (
        JobOutcome.RAN
    )
    first, second = await requests_of(studio)
    assert second.id == automatic_request_id(studio.developer_id, "2101-04") != first.id
    assert second.requested_at == april.now()


async def test_below_the_minimum_on_request_accounts_and_open_payouts_get_none(
    studio, new_studio, fund, infrastructure
) -> None:
    await studio.add_method()
    assert (await monthly(studio)).status_code == 200
    await fund(studio.developer_id, MINIMUM - 1, 0)
    owing = await new_studio()
    await owing.add_method()
    assert (await monthly(owing)).status_code == 200
    await fund(owing.developer_id, 150_000, 60_000)  # 900.00 RUB payable: below
    asking = await new_studio()
    await asking.add_method()  # on request: never paid automatically
    await fund(asking.developer_id, 500_000, 0)
    busy = await new_studio()
    busy_method = await busy.add_method()
    assert (await monthly(busy)).status_code == 200
    await fund(busy.developer_id, 500_000, 0)
    await open_request(busy, uuid.UUID(busy_method["id"]))

    result = await runner(infrastructure, at(5), "a").run_now(MONTHLY_PAYOUTS)
    assert result.outcome is JobOutcome.RAN
    for account in (studio, owing, asking):
        assert await requests_of(account) == []
    [still_open] = await requests_of(busy)
    assert still_open.trigger == "on_request"


async def open_request(studio, method_id: uuid.UUID) -> None:
    """An open payout stored without its event (so the running platform cannot end it)."""
    async with finance_unit_of_work(studio.infrastructure) as uow:
        method = await uow.payout_methods.get(studio.developer_id, method_id)
        assert method is not None
        request = request_payout(
            studio.developer_id,
            PayoutAmount(150_000, "RUB"),
            method,
            minimum_minor=MINIMUM,
            trigger=PayoutTrigger.ON_REQUEST,
            user_id=studio.owner,
            now=studio.infrastructure.clock.now(),
        )
        await uow.payout_requests.add(request)
        await uow.commit()


async def test_two_runners_make_one_request(studio, fund, infrastructure) -> None:
    await studio.add_method()
    assert (await monthly(studio)).status_code == 200
    await fund(studio.developer_id, 300_000, 0)
    june = at(6)
    outcomes = await asyncio.gather(
        runner(infrastructure, june, "a").run_now(MONTHLY_PAYOUTS),
        runner(infrastructure, june, "b").run_now(MONTHLY_PAYOUTS),
    )
    assert sorted(result.outcome for result in outcomes).count(JobOutcome.RAN) == 1
    assert len(await requests_of(studio)) == 1

    # Past the lease too (two runs of July at once): the month's request id lets one in.
    await end_requests(studio)
    await fund(studio.developer_id, 300_000)  # July's revenue (June's went to the payout)

    async def ask_july() -> Any:
        return await request_monthly_payout(
            finance_unit_of_work(infrastructure),
            developer_money(infrastructure),
            studio.developer_id,
            "2101-07",
            minimum_minor=MINIMUM,
            now=at(7).now(),
        )

    answers = await asyncio.gather(ask_july(), ask_july(), return_exceptions=True)
    made = [one for one in answers if one is not None and not isinstance(one, Exception)]
    assert len(made) == 1
    assert len(await requests_of(studio)) == 2
    assert len(await events_of(studio)) == 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_payment_down_leaves_the_month_to_the_next_check(
    studio, fund, infrastructure
) -> None:
    await studio.add_method()
    assert (await monthly(studio)).status_code == 200
    await fund(studio.developer_id, 120_000, 0)
    august = at(8)
    down = finance_settings(f"127.0.0.1:{_closed_port()}")
    async with open_infrastructure(down) as cut_off:
        failed = await runner(cut_off, august, "a").run_now(MONTHLY_PAYOUTS)
    assert failed.outcome is JobOutcome.FAILED
    assert await requests_of(studio) == [] and await events_of(studio) == []

    august.advance(timedelta(minutes=1))  # the next check, payment back
    retried = await runner(infrastructure, august, "b").run_now(MONTHLY_PAYOUTS)
    assert retried.outcome is JobOutcome.RAN
    [request] = await requests_of(studio)
    assert request.amount_minor == 120_000
