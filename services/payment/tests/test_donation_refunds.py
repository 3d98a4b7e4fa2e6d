"""Donation refunds on the real engines: the streamer's share comes back from their balance and
the commission from platform revenue, in the donation's proportion and exact to the kopeck
over partial refunds; a share already set aside for a payout becomes the streamer's debt,
repaid from their next donation before anything reaches the balance; the ledger check stays
green."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from donations_support import body, donate
from ledger_support import fund_wallet
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import find_account
from parovoz_payment.domain.donations import take_back_donation
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_payment.domain.money import Money
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.jobs.streamer_payouts import hold_streamer_payouts
from parovoz_testing.tokens import auth
from sqlalchemy import text
from users_support import player

PAYMENTS = "/api/v1/payments"
RUB = "RUB"


def rub(minor: int) -> Money:
    return Money(minor, RUB)


async def owned(infrastructure: Infrastructure, owner: OwnerType, owner_id, purpose) -> int:
    """The account's credit balance (negative: the owner owes it)."""
    async with infrastructure.session_factory() as session:
        account = await find_account(session, AccountKey.of(owner, owner_id, purpose, RUB))
    return 0 if account is None else account.credit_balance.amount_minor


async def streamer(infrastructure: Infrastructure, streamer_id: uuid.UUID) -> tuple[int, int]:
    """(balance, owed) of the streamer."""
    balance = await owned(
        infrastructure, OwnerType.STREAMER, streamer_id, AccountPurpose.STREAMER_BALANCE
    )
    debt = await owned(
        infrastructure, OwnerType.STREAMER, streamer_id, AccountPurpose.STREAMER_RECEIVABLE
    )
    return balance, -debt


async def donation(
    client: httpx.AsyncClient, infrastructure: Infrastructure, streamer_id: uuid.UUID, minor: int
) -> str:
    user_id = player()
    await fund_wallet(infrastructure, user_id, minor)
    answer = await donate(client, user_id, body(streamer_id, minor))
    assert answer.status_code == 201, answer.text
    assert answer.json()["data"]["attributes"]["status"] == "succeeded"
    return answer.json()["data"]["id"]


async def refund(client: httpx.AsyncClient, payment_id: str, minor: int) -> str:
    """A service asks, an admin approves (a donation is not a game: refunds are reviewed)."""
    asked = await client.post(
        f"{PAYMENTS}/{payment_id}/refunds",
        json={
            "data": {
                "type": "refundRequest",
                "attributes": {
                    "amount": {"amount_minor": minor, "currency": RUB},
                    "reason": "customer_request",
                },
            }
        },
        headers={**auth("service:subscription"), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert asked.status_code == 201, asked.text
    decided = await client.post(
        f"{PAYMENTS}/admin/refunds/{asked.json()['data']['id']}/decision",
        json={"data": {"type": "refundDecision", "attributes": {"decision": "approve"}}},
        headers=auth(uuid.uuid4(), ["admin"]),
    )
    assert decided.status_code == 200, decided.text
    attributes = decided.json()["data"]["attributes"]
    assert attributes["status"] == "succeeded", attributes
    return decided.json()["data"]["id"]


async def refund_debits(infrastructure: Infrastructure, refund_id: str) -> dict[str, int]:
    """The refund's posting: its debits by account purpose."""
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT a.purpose, sum(e.amount) FROM ledger_transactions t"
                " JOIN ledger_entries e ON e.transaction_id = t.id"
                " JOIN ledger_accounts a ON a.id = e.account_id"
                " WHERE t.idempotency_key = :key AND e.direction = 'debit' GROUP BY a.purpose"
            ),
            {"key": f"refund:{refund_id}:succeeded"},
        )
        return {purpose: int(total) for purpose, total in rows}


async def assert_ledger_green(infrastructure: Infrastructure) -> None:
    async with infrastructure.session_factory() as session:
        report = await check_ledger(session)
    assert report.ok, report.render()


def test_partial_take_backs_add_up_to_the_split_exactly() -> None:
    # 333.33 at 5 %: streamer 316.66, commission 16.67; refunded in three odd parts.
    share, captured = rub(31_666), rub(33_333)
    before, streamer_total, commission_total = rub(0), 0, 0
    for part in (rub(1), rub(12_345), rub(20_987)):
        taken = take_back_donation(share, captured, before, part, rub(10**9))
        assert taken.from_balance + taken.owed + taken.commission == part
        streamer_total += taken.from_balance.amount_minor
        commission_total += taken.commission.amount_minor
        before = before + part
    assert (streamer_total, commission_total) == (31_666, 1_667)
    # A balance short of the share: the rest is owed.
    taken = take_back_donation(share, captured, rub(0), captured, rub(10_000))
    assert (taken.from_balance, taken.owed, taken.commission) == (
        rub(10_000),
        rub(21_666),
        rub(1_667),
    )


async def test_a_refund_takes_the_share_back_from_the_streamer_and_the_commission_from_revenue(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    streamer_id = uuid.uuid4()
    payment_id = await donation(client, infrastructure, streamer_id, 33_333)
    assert await streamer(infrastructure, streamer_id) == (31_666, 0)

    first = await refund(client, payment_id, 12_345)
    # floor(31_666 * 12_345 / 33_333) = 11_727 from the streamer, 618 of commission.
    assert await refund_debits(infrastructure, first) == {
        "streamer_balance": 11_727,
        "platform_revenue": 618,
    }
    assert await streamer(infrastructure, streamer_id) == (31_666 - 11_727, 0)
    rest = await refund(client, payment_id, 33_333 - 12_345)
    assert await refund_debits(infrastructure, rest) == {
        "streamer_balance": 31_666 - 11_727,
        "platform_revenue": 1_667 - 618,
    }
    # Everything back: the streamer holds nothing and owes nothing.
    assert await streamer(infrastructure, streamer_id) == (0, 0)
    await assert_ledger_green(infrastructure)


async def test_a_share_already_set_aside_becomes_a_debt_repaid_by_the_next_donation(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    streamer_id = uuid.uuid4()
    payment_id = await donation(client, infrastructure, streamer_id, 60_000)  # 570.00 share
    # A day ahead: the running service's own job is not this test's.
    clock = ManualClock(datetime.now(UTC) + timedelta(days=1))
    [held] = [
        payout
        for payout in await hold_streamer_payouts(
            infrastructure.unit_of_work, clock, "weekly", rub(50_000)
        )
        if payout.streamer_id == streamer_id
    ]
    assert held.amount == rub(57_000)
    assert await streamer(infrastructure, streamer_id) == (0, 0)

    taken = await refund(client, payment_id, 60_000)
    assert await refund_debits(infrastructure, taken) == {
        "streamer_receivable": 57_000,
        "platform_revenue": 3_000,
    }
    assert await streamer(infrastructure, streamer_id) == (0, 57_000)

    # The next donations repay the debt first: 475.00 of 500.00, then the rest reaches the
    # balance.
    await donation(client, infrastructure, streamer_id, 50_000)
    assert await streamer(infrastructure, streamer_id) == (0, 57_000 - 47_500)
    await donation(client, infrastructure, streamer_id, 20_000)  # 190.00 share
    assert await streamer(infrastructure, streamer_id) == (19_000 - 9_500, 0)
    await assert_ledger_green(infrastructure)
