"""Preorders on the real engines and the provider sandbox (:8091): prepaid in full or in part,
released by developer-portal's published event (handler fed the schema's data), the remainder
charged off-session to the saved card by the ``preorders-release`` job, refunds on cancel, on
an unpublication and after a remainder failing every attempt; the ledger check stays green.

The payer's card is saved by a top-up paid at the sandbox's page (applied here as its
notification would be); every preorder payment then goes off-session, answered at once."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from games_support import announced_game
from parovoz_events.developer import GamePublished, GameUnpublished
from parovoz_kit.clock import SystemClock
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.ledger import find_account
from parovoz_payment.db.ledger_tables import ledger_transactions
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.preorders import SqlPreorders
from parovoz_payment.db.receipts import SqlReceipts, remember_contact
from parovoz_payment.db.refunds import SqlRefunds
from parovoz_payment.db.sales import get_sale
from parovoz_payment.db.saved_methods import saved_methods
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import CancellationReason
from parovoz_payment.domain.preorders import PreorderRules
from parovoz_payment.domain.receipts import Customer, ReceiptType
from parovoz_payment.domain.refunds import RefundReason, RefundStatus
from parovoz_payment.events.preorder_events import preorder_event_handlers
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.jobs.preorders import preorder_release
from parovoz_payment.use_cases.payment_confirmation import apply_confirmed_status
from parovoz_payment.use_cases.preorder_release import PreorderRelease, run_preorder_release
from parovoz_testing.tokens import auth
from sqlalchemy import func, select

PAYMENTS = "/api/v1/payments"
PREORDERS = f"{PAYMENTS}/preorders"
RETURN_URL = "https://parovoz.example/return"


# -- factories -----------------------------------------------------------------------------
async def saved_card(client: httpx.AsyncClient, infrastructure: Infrastructure, user_id) -> str:
    """A 100.00 RUB top-up that saves the card, paid at the sandbox's page."""
    body = {
        "data": {
            "type": "paymentCreation",
            "attributes": {
                "purpose": "wallet_top_up",
                "amount": {"amount_minor": 10_000, "currency": "RUB"},
                "region": "RU",
                "method": "bank_card",
                "save_method": True,
                "return_url": RETURN_URL,
            },
        }
    }
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    created = await client.post(PAYMENTS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    attributes = created.json()["data"]["attributes"]
    async with httpx.AsyncClient() as browser:
        paid = await browser.get(attributes["confirmation_url"], follow_redirects=False)
    assert paid.status_code == 303, paid.text
    providers = provider_registry(infrastructure)
    payment_id = uuid.UUID(created.json()["data"]["id"])
    async with infrastructure.session_factory() as session:
        stored = await SqlPayments(session).get(payment_id)
    assert stored is not None and stored.payment.provider_payment_id is not None
    confirmed = await providers.get(Provider.YOOKASSA).get_payment(
        stored.payment.provider_payment_id
    )
    await apply_confirmed_status(
        infrastructure.unit_of_work, infrastructure.clock, payment_id, confirmed
    )
    async with infrastructure.session_factory() as session:
        method_id = (
            await session.execute(
                select(saved_methods.c.id).where(saved_methods.c.user_id == user_id)
            )
        ).scalar_one()
    return str(method_id)


async def preorder(
    client: httpx.AsyncClient, user_id: uuid.UUID, game_id: uuid.UUID, kind: str, method: str
) -> httpx.Response:
    body = {
        "data": {
            "type": "preorderCreation",
            "attributes": {
                "game_id": str(game_id),
                "region": "RU",
                "currency": "RUB",
                "prepayment": kind,
                "method": method,
                "return_url": RETURN_URL,
            },
        }
    }
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    return await client.post(PREORDERS, json=body, headers=headers)


async def prepaid(client, infrastructure, price_minor: int, kind: str):
    game_id, developer_id = await announced_game(infrastructure, price_minor)
    user_id = uuid.uuid4()
    method = await saved_card(client, infrastructure, user_id)
    created = await preorder(client, user_id, game_id, kind, method)
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert data["attributes"]["status"] == "prepaid", data
    return game_id, developer_id, user_id, uuid.UUID(data["id"])


def published(game_id: uuid.UUID, developer_id: uuid.UUID, at: datetime) -> GamePublished:
    return GamePublished(
        developer_id=developer_id,
        game_id=game_id,
        version_id=uuid.uuid4(),
        published_at=at,
        published_by_user_id=None,
        first_published_at=at,
    )


async def handle(infrastructure: Infrastructure, data) -> None:
    """Feed the consumer's handler as IdempotentConsumer does: in one transaction."""
    handler = preorder_event_handlers(infrastructure)[data.event_type]
    async with infrastructure.session_factory.begin() as session:
        await handler(session, data, Event.from_data(data, "/parovoz/developer-portal"))


async def publish_game(
    infrastructure: Infrastructure, game_id: uuid.UUID, developer_id: uuid.UUID
) -> None:
    """developer-portal publishes the game now (its event handled)."""
    await handle(infrastructure, published(game_id, developer_id, datetime.now(UTC)))


async def view(client: httpx.AsyncClient, user_id: uuid.UUID, preorder_id: uuid.UUID) -> dict:
    answer = await client.get(f"{PREORDERS}/{preorder_id}", headers=auth(user_id))
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["attributes"]


async def credit_balance(infrastructure, owner_type, owner_id, purpose) -> int:
    async with infrastructure.session_factory() as session:
        account = await find_account(session, AccountKey.of(owner_type, owner_id, purpose, "RUB"))
    return 0 if account is None else account.credit_balance.amount_minor


async def advance(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    return await credit_balance(
        infrastructure, OwnerType.USER, user_id, AccountPurpose.PREORDER_ADVANCE
    )


async def assert_ledger_ok(infrastructure: Infrastructure) -> None:
    async with infrastructure.session_factory() as session:
        report = await check_ledger(session)
    assert report.ok, report.render()


async def receipts_of(infrastructure: Infrastructure, payment_id: uuid.UUID) -> list[tuple]:
    """(mode, total, offsets an advance) of each 54-FZ payment receipt of the payment."""
    async with infrastructure.session_factory() as session:
        stored = await SqlReceipts(session).of_payment(payment_id)
    return [
        (r.receipt.items[0].payment_mode.value, r.receipt.total.amount_minor,
         r.advance_payment_id is not None)
        for r in stored
        if r.receipt.type is ReceiptType.PAYMENT
    ]  # fmt: skip


async def refunds_of(infrastructure: Infrastructure, payment_id: uuid.UUID):
    async with infrastructure.session_factory() as session:
        return await SqlRefunds(session).of_payment(payment_id)


async def prepayment_refunds(infrastructure: Infrastructure, preorder: dict) -> list:
    """The refunds of the prepayment of ``preorder`` (its attributes)."""
    return await refunds_of(infrastructure, uuid.UUID(preorder["prepayment_payment_id"]))


# -- tests ---------------------------------------------------------------------------------
async def test_a_full_prepayment_becomes_a_sale_at_the_release(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    game_id, developer_id, user_id, preorder_id = await prepaid(
        client, infrastructure, 150_000, "full"
    )
    attributes = await view(client, user_id, preorder_id)
    payment_id = uuid.UUID(attributes["prepayment_payment_id"])
    assert await advance(infrastructure, user_id) == 150_000  # a liability, not revenue yet
    async with infrastructure.session_factory() as session:
        assert await get_sale(session, payment_id) is None
    assert await receipts_of(infrastructure, payment_id) == [("full_prepayment", 150_000, False)]

    event = published(game_id, developer_id, datetime.now(UTC))
    await handle(infrastructure, event)
    await run_preorder_release(preorder_release(infrastructure))

    attributes = await view(client, user_id, preorder_id)
    assert attributes["status"] == "completed"
    assert await advance(infrastructure, user_id) == 0
    async with infrastructure.session_factory() as session:
        sale = await get_sale(session, payment_id)
    assert sale is not None and sale.split.gross == Money(150_000, "RUB")
    pending = await credit_balance(
        infrastructure, OwnerType.DEVELOPER, developer_id, AccountPurpose.DEVELOPER_PAYABLE_PENDING
    )
    assert pending == sale.split.developer.amount_minor == 105_000  # 30 % platform share

    # The same event again (a redelivery): nothing more is charged or posted.
    await handle(infrastructure, event)
    await run_preorder_release(preorder_release(infrastructure))
    assert (await view(client, user_id, preorder_id))["status"] == "completed"
    async with infrastructure.session_factory() as session:
        ours = (
            await session.execute(
                select(func.count()).where(ledger_transactions.c.reference == str(payment_id))
            )
        ).scalar()
    assert ours == 2  # the settlement (advance) and the recognition (sale)
    # 54-FZ: the game handed over against the advance: a full_payment receipt offsetting it.
    assert await receipts_of(infrastructure, payment_id) == [
        ("full_prepayment", 150_000, False),
        ("full_payment", 150_000, True),
    ]
    await assert_ledger_ok(infrastructure)


async def test_a_partial_prepayment_charges_the_remainder_at_the_release(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    game_id, developer_id, user_id, preorder_id = await prepaid(
        client, infrastructure, 150_050, "partial"
    )
    attributes = await view(client, user_id, preorder_id)
    assert attributes["prepayment_amount"]["amount_minor"] == 30_000  # 20 %, whole roubles
    assert attributes["remainder_amount"]["amount_minor"] == 120_050
    assert await advance(infrastructure, user_id) == 30_000
    prepayment_id = uuid.UUID(attributes["prepayment_payment_id"])
    assert await receipts_of(infrastructure, prepayment_id) == [
        ("partial_prepayment", 30_000, False)
    ]
    # The buyer's contact, as the prepayment remembered it (from the user service here).
    buyer = Customer(email="preorder-buyer@example.test")
    async with infrastructure.session_factory.begin() as session:
        await remember_contact(session, prepayment_id, buyer, infrastructure.clock.now())

    await publish_game(infrastructure, game_id, developer_id)
    await run_preorder_release(preorder_release(infrastructure))
    await run_preorder_release(preorder_release(infrastructure))  # a second run: no new charge

    attributes = await view(client, user_id, preorder_id)
    assert attributes["status"] == "completed", attributes
    assert attributes["remainder_attempts"] == 1
    remainder_id = uuid.UUID(attributes["remainder_payment_id"])
    async with infrastructure.session_factory() as session:
        remainder = (await SqlPayments(session).get(remainder_id)).payment  # type: ignore[union-attr]
        sales = [await get_sale(session, remainder_id)]
        sales.append(await get_sale(session, uuid.UUID(attributes["prepayment_payment_id"])))
    assert remainder.status.value == "succeeded" and remainder.saved_method_id is not None
    assert remainder.amount == Money(120_050, "RUB")
    assert remainder.reference == str(preorder_id)
    assert remainder.metadata["preorder_paid_in_full"] == "true"
    assert sum(s.split.gross.amount_minor for s in sales if s) == 150_050
    # The remainder hands the game over: full_payment for the whole price (the prepaid share
    # settled as the advance's offset, the rest by card).
    assert await receipts_of(infrastructure, remainder_id) == [("full_payment", 150_050, False)]
    async with infrastructure.session_factory() as session:  # 54-FZ: to the same buyer
        [stored] = await SqlReceipts(session).of_payment(remainder_id)
    assert stored.receipt.customer == buyer
    assert await advance(infrastructure, user_id) == 0
    await assert_ledger_ok(infrastructure)


async def test_a_failing_remainder_is_retried_then_the_preorder_is_refunded(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    # .13 kopecks: the sandbox declines the remainder (insufficient funds) every time.
    game_id, developer_id, user_id, preorder_id = await prepaid(
        client, infrastructure, 150_013, "partial"
    )
    clock = SystemClock()
    base = preorder_release(infrastructure)
    release = PreorderRelease(
        replace(base.refunds, clock=clock),
        PreorderRules(remainder_attempts=2, retry_interval=timedelta(hours=1)),
    )
    await publish_game(infrastructure, game_id, developer_id)
    await run_preorder_release(release)
    attributes = await view(client, user_id, preorder_id)
    assert attributes["status"] == "payment_failed", attributes
    assert attributes["remainder_attempts"] == 1

    await run_preorder_release(release)  # not due yet: no second attempt
    assert (await view(client, user_id, preorder_id))["remainder_attempts"] == 1

    clock.offset = timedelta(hours=1, minutes=1)
    await run_preorder_release(release)
    attributes = await view(client, user_id, preorder_id)
    assert attributes["status"] == "cancelled", attributes
    assert attributes["cancel_reason"] == "remainder_failed"
    assert attributes["remainder_attempts"] == 2
    assert attributes["refund_pending"] is False
    refunds = await prepayment_refunds(infrastructure, attributes)
    assert [(r.reason, r.status, r.amount) for r in refunds] == [
        (RefundReason.PREORDER_CANCELLED, RefundStatus.SUCCEEDED, Money(30_000, "RUB"))
    ]
    assert await advance(infrastructure, user_id) == 0
    await assert_ledger_ok(infrastructure)


async def test_the_owner_cancels_before_the_release_and_gets_everything_back(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    game_id, developer_id, user_id, preorder_id = await prepaid(
        client, infrastructure, 99_900, "full"
    )
    stranger = await client.post(f"{PREORDERS}/{preorder_id}/cancel", headers=auth(uuid.uuid4()))
    assert stranger.status_code == 404
    # Its payment alone is not refunded: the preorder would be left half paid.
    prepayment_id = (await view(client, user_id, preorder_id))["prepayment_payment_id"]
    alone = await client.post(
        f"{PAYMENTS}/{prepayment_id}/refunds",
        json={"data": {"type": "refundRequest", "attributes": {"reason": "customer_request"}}},
        headers={**auth(user_id), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert alone.status_code == 422, alone.text
    assert alone.json()["errors"][0]["code"] == "PREORDER_OPEN"

    answer = await client.post(f"{PREORDERS}/{preorder_id}/cancel", headers=auth(user_id))
    assert answer.status_code == 200, answer.text
    attributes = answer.json()["data"]["attributes"]
    assert attributes["status"] == "cancelled"
    assert attributes["cancel_reason"] == "cancelled_by_user"
    assert attributes["refund_pending"] is False
    refunds = await prepayment_refunds(infrastructure, attributes)
    assert [(r.reason, r.status) for r in refunds] == [
        (RefundReason.PREORDER_CANCELLED, RefundStatus.SUCCEEDED)
    ]
    assert await advance(infrastructure, user_id) == 0

    # A release after the cancel changes nothing; a cancelled preorder stays cancelled.
    await publish_game(infrastructure, game_id, developer_id)
    await run_preorder_release(preorder_release(infrastructure))
    assert (await view(client, user_id, preorder_id))["status"] == "cancelled"
    again = await client.post(f"{PREORDERS}/{preorder_id}/cancel", headers=auth(user_id))
    assert again.status_code == 200
    assert len(await prepayment_refunds(infrastructure, attributes)) == 1
    await assert_ledger_ok(infrastructure)


async def test_an_unpublication_before_the_release_refunds_open_preorders(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    game_id, developer_id, user_id, preorder_id = await prepaid(
        client, infrastructure, 200_000, "partial"
    )
    await handle(
        infrastructure,
        GameUnpublished(
            developer_id=developer_id,
            game_id=game_id,
            reason=None,
            unpublished_at=datetime.now(UTC),
            unpublished_by_user_id=None,
        ),
    )
    attributes = await view(client, user_id, preorder_id)
    assert attributes["status"] == "cancelled"
    assert attributes["cancel_reason"] == "game_unpublished"
    assert attributes["refund_pending"] is True  # the job returns the money

    await run_preorder_release(preorder_release(infrastructure))
    attributes = await view(client, user_id, preorder_id)
    assert attributes["refund_pending"] is False
    refunds = await prepayment_refunds(infrastructure, attributes)
    assert [(r.status, r.amount) for r in refunds] == [
        (RefundStatus.SUCCEEDED, Money(40_000, "RUB"))
    ]
    assert await advance(infrastructure, user_id) == 0
    await assert_ledger_ok(infrastructure)


@pytest.mark.parametrize("kind", ["full", "partial"])
async def test_a_released_game_cannot_be_preordered(
    client: httpx.AsyncClient, infrastructure: Infrastructure, kind: str
) -> None:
    game_id, developer_id = await announced_game(infrastructure, 150_000)
    await publish_game(infrastructure, game_id, developer_id)
    answer = await preorder(client, uuid.uuid4(), game_id, kind, "bank_card")
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["code"] == "GAME_ALREADY_RELEASED"
    assert error["source"]["pointer"] == "/data/attributes/game_id"


async def due_now(infrastructure: Infrastructure) -> list[uuid.UUID]:
    async with infrastructure.session_factory() as session:
        return await SqlPreorders(session).due(infrastructure.clock.now(), 100_000)


async def test_a_preorder_waiting_for_its_buyer_is_not_due_until_its_payment_fails(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    # Waiting preorders never fill the release job's batch: only one with work to do is due.
    game_id, _ = await announced_game(infrastructure, 50_000)
    user_id = uuid.uuid4()
    created = await preorder(client, user_id, game_id, "full", "bank_card")
    assert created.status_code == 201, created.text
    preorder_id = uuid.UUID(created.json()["data"]["id"])
    attributes = await view(client, user_id, preorder_id)
    assert attributes["status"] == "awaiting_prepayment"
    assert preorder_id not in await due_now(infrastructure)

    # The buyer never pays: the payment is cancelled (expired) and the preorder is due.
    payment_id = uuid.UUID(attributes["prepayment_payment_id"])
    now = infrastructure.clock.now()
    async with infrastructure.session_factory.begin() as session:
        payments = SqlPayments(session)
        stored = await payments.get(payment_id, for_update=True)
        assert stored is not None
        await payments.save(stored.payment.cancel(CancellationReason.EXPIRED_ON_CONFIRMATION, now))
    assert preorder_id in await due_now(infrastructure)

    await run_preorder_release(preorder_release(infrastructure))
    attributes = await view(client, user_id, preorder_id)
    assert (attributes["status"], attributes["cancel_reason"]) == ("cancelled", "prepayment_failed")
    assert preorder_id not in await due_now(infrastructure)
    await assert_ledger_ok(infrastructure)
