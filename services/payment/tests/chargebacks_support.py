"""Test helpers for chargebacks: payments the provider sandbox really took, disputes opened
and ended at the sandbox, their signed notifications (replayed to a local receiver) delivered
to payment's webhook, and what to look at afterwards (the dispute, its postings, balances,
events, the wallet's lock)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from ledger_support import net_credits
from notifications_support import Receiver
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.chargebacks import SqlChargebacks
from parovoz_payment.db.developer_ledger import developer_balances
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.ledger import find_account
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.chargebacks import Chargeback
from parovoz_payment.domain.games import GameOwner
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.providers import ProviderPaymentRequest
from parovoz_payment.use_cases.payment_ledger import settle
from parovoz_testing.tokens import auth
from sqlalchemy import text

SANDBOX = "http://127.0.0.1:8091"
HOOK = "/webhooks/yookassa"


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


def past_clock() -> ManualClock:
    return ManualClock(datetime.now(UTC) - timedelta(days=60))


# -- a payment the sandbox really took -----------------------------------------------------
async def taken_at_sandbox(
    infrastructure: Infrastructure, payment_id: uuid.UUID, minor: int, *, capture: bool = True
) -> str:
    """A YooKassa payment the buyer completed (``capture=False``: authorized only); its
    notification is delivered to the running service (which does not know the payment yet)
    before our row exists."""
    adapter = provider_registry(infrastructure).get(Provider.YOOKASSA)
    answer = await adapter.create_payment(
        ProviderPaymentRequest(
            payment_id=payment_id,
            amount=rub(minor),
            description=f"test payment {payment_id}",
            return_url="https://parovoz.example/return",
            method=PaymentMethod.BANK_CARD,
            capture=capture,
        ),
        idempotency_key=f"test:{payment_id}",
    )
    provider_id = answer.provider_payment_id
    async with httpx.AsyncClient(base_url=SANDBOX, timeout=5) as sandbox:
        applied = await sandbox.post(
            f"/sandbox/payments/yookassa/{provider_id}/outcome",
            json={"outcome": "succeed", "apply": True},
        )
        assert applied.status_code == 200, applied.text
        await delivered(sandbox, provider_id, 1)
    return provider_id


async def delivered(sandbox: httpx.AsyncClient, provider_id: str, count: int) -> None:
    for _ in range(100):
        sent = (
            await sandbox.get(
                "/sandbox/notifications", params={"provider": "yookassa", "payment_id": provider_id}
            )
        ).json()["notifications"]
        if len(sent) >= count and all(n["deliveries"] for n in sent):
            return
        await asyncio.sleep(0.05)
    pytest.fail("the sandbox never delivered the notification")


async def paid(
    infrastructure: Infrastructure,
    purpose: PaymentPurpose,
    minor: int,
    now: datetime,
    *,
    game_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> Payment:
    """Our succeeded, settled row of a payment the sandbox took."""
    payment = start_payment(
        user_id=user_id or uuid.uuid4(),
        purpose=purpose,
        amount=rub(minor),
        region="RU",
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        game_id=game_id,
    )
    provider_id = await taken_at_sandbox(infrastructure, payment.id, minor)
    payment = payment.assign_provider(Provider.YOOKASSA, provider_id, now).succeed(now)
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
        await settle(session, payment, Provider.YOOKASSA)
    return payment


async def developer_game(infrastructure: Infrastructure) -> GameOwner:
    owner = GameOwner(uuid.uuid4(), uuid.uuid4(), "Игра", "game")
    async with infrastructure.session_factory.begin() as session:
        await SqlGameOwners(session).remember(owner, learned_from="event")
    return owner


# -- the dispute at the sandbox, its notifications to our webhook ---------------------------
async def open_dispute(payment: Payment, minor: int) -> str:
    async with httpx.AsyncClient(base_url=SANDBOX, timeout=5) as sandbox:
        opened = await sandbox.post(
            f"/sandbox/payments/yookassa/{payment.provider_payment_id}/chargeback",
            json={"amount_minor": minor, "reason": "fraud"},
        )
        assert opened.status_code == 200, opened.text
        await delivered(sandbox, str(payment.provider_payment_id), 2)
    return opened.json()["id"]


async def end_dispute(payment: Payment, chargeback_id: str, outcome: str) -> None:
    async with httpx.AsyncClient(base_url=SANDBOX, timeout=5) as sandbox:
        ended = await sandbox.post(
            f"/sandbox/chargebacks/yookassa/{chargeback_id}/outcome", json={"outcome": outcome}
        )
        assert ended.status_code == 200, ended.text
        await delivered(sandbox, str(payment.provider_payment_id), 3)


async def notification(receiver: Receiver, payment: Payment, event: str) -> tuple[dict, bytes]:
    """The sandbox's signed notification ``event`` of the payment (headers, body)."""
    receiver.received.clear()
    async with httpx.AsyncClient(base_url=SANDBOX, timeout=5) as sandbox:
        replayed = await sandbox.post(
            "/sandbox/notifications/replay",
            json={
                "provider": "yookassa",
                "payment_id": payment.provider_payment_id,
                "url": receiver.url,
            },
        )
    assert replayed.status_code == 200, replayed.text
    found = [c for c in receiver.received if json.loads(c.body)["event"] == event]
    assert found, f"no {event} notification"
    return found[-1].headers, found[-1].body


async def deliver(client: httpx.AsyncClient, signed: tuple[dict, bytes], times: int = 5) -> None:
    headers, body = signed
    forward = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
    for _ in range(times):
        answer = await client.post(HOOK, content=body, headers=forward)
        assert answer.status_code == 200, answer.text


# -- what to look at -----------------------------------------------------------------------
async def disputes(infrastructure: Infrastructure, payment: Payment) -> list[Chargeback]:
    async with infrastructure.session_factory() as session:
        return await SqlChargebacks(session).of_payment(payment.id)


async def developer_balance(infrastructure: Infrastructure, developer_id: uuid.UUID) -> tuple:
    """(pending, available, in payout, owed) in RUB."""
    async with infrastructure.session_factory() as session:
        [found] = await developer_balances(session, developer_id)
    parts = (found.pending, found.available, found.in_payout, found.owed)
    return tuple(money.amount_minor for money in parts)


async def moved(infrastructure: Infrastructure, chargeback: Chargeback) -> dict[str, int]:
    """Net credits (credit - debit) of the dispute's postings per account purpose."""
    return await net_credits(infrastructure, chargeback.id)


async def events(infrastructure: Infrastructure, key: uuid.UUID) -> list[str]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT type FROM outbox WHERE key = :key ORDER BY seq"), {"key": str(key)}
        )
        return list(rows.scalars())


async def sale_event_amounts(infrastructure: Infrastructure, payment: Payment) -> list[int]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT payload FROM outbox WHERE type = 'payment.sale.recorded.v1'"
                " AND payload->>'payment_id' = :payment ORDER BY seq"
            ),
            {"payment": str(payment.id)},
        )
        return [data["net_amount"]["amount_minor"] for data in rows.scalars()]


async def wallet_locked(client: httpx.AsyncClient, user_id: uuid.UUID) -> bool:
    answer = await client.get("/api/v1/payments/wallet", headers=auth(user_id))
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["attributes"]["locked"]


async def pay_from_wallet(client: httpx.AsyncClient, user_id: uuid.UUID) -> httpx.Response:
    """A 10.00 RUB donation paid from the wallet."""
    body = {
        "data": {
            "type": "donation",
            "attributes": {
                "streamer_id": str(uuid.uuid4()),
                "amount": {"amount_minor": 1_000, "currency": "RUB"},
                "method": "wallet",
                "use_wallet": True,
            },
        }
    }
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    return await client.post("/api/v1/payments/donations", json=body, headers=headers)


async def wallet_balance(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    key = AccountKey.of(OwnerType.USER, user_id, AccountPurpose.USER_WALLET, "RUB")
    async with infrastructure.session_factory() as session:
        account = await find_account(session, key)
    return 0 if account is None else account.credit_balance.amount_minor


async def owed_by(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    key = AccountKey.of(OwnerType.USER, user_id, AccountPurpose.USER_RECEIVABLE, "RUB")
    async with infrastructure.session_factory() as session:
        account = await find_account(session, key)
    return 0 if account is None else account.debit_balance.amount_minor
