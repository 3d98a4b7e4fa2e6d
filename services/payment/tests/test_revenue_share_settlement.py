"""Revenue share on the real engines: a game purchase's settlement splits into the developer's
pending payable and platform revenue in one transaction with its sale row, the game's lifetime
gross and the `payment.sale.recorded.v1` outbox row; refunds take both back in proportion."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from pathlib import Path

import httpx
import jsonschema
from developer_portal_support import drafted_game
from ledger_support import ledger_violations, posted, sell_game
from parovoz_events.payment import SaleRecorded
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.ledger import transaction_id_for
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.prices import SqlGamePrices
from parovoz_payment.db.sales import get_sale
from parovoz_payment.db.sales_tables import game_revenue
from parovoz_payment.db.tables import game_owners
from parovoz_payment.domain.games import GameOwner
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.pricing import GamePriceList
from parovoz_payment.domain.refunds import RefundDestination, RefundReason, RefundStatus
from parovoz_payment.use_cases.payment_ledger import settle
from parovoz_payment.use_cases.refunds import RefundOrder, RefundService, request_refund
from parovoz_payment.use_cases.sales import sales_ports_with_catalogue
from sqlalchemy import delete, insert, select, text

LOW = 80_000_000_000  # 800,000,000.00 RUB
SCHEMA = json.loads(
    (Path(__file__).parents[3] / "docs/events/schemas/payment.sale.recorded.v1.json").read_text()
)


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


async def known_game(infrastructure: Infrastructure, lifetime: int | None = None) -> GameOwner:
    """A game payment's read model knows (as developer.game.created.v1 would have told it),
    optionally with a lifetime gross already behind it."""
    owner = GameOwner(uuid.uuid4(), uuid.uuid4(), "Игра", "game")
    async with infrastructure.session_factory.begin() as session:
        await SqlGameOwners(session).remember(owner, learned_from="event")
        if lifetime is not None:
            await session.execute(
                insert(game_revenue).values(
                    game_id=owner.game_id,
                    lifetime_gross_minor=lifetime,
                    updated_at=infrastructure.clock.now(),
                )
            )
    return owner


async def shares(infrastructure: Infrastructure, payment: Payment) -> tuple[int, int]:
    async with infrastructure.session_factory() as session:
        sale = await get_sale(session, payment.id)
    assert sale is not None
    return sale.split.developer.amount_minor, sale.split.platform.amount_minor


async def sale_events(infrastructure: Infrastructure, game: GameOwner) -> list[dict]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT payload FROM outbox WHERE key = :key AND type = :type ORDER BY seq"),
            {"key": str(game.game_id), "type": SaleRecorded.event_type},
        )
        return list(rows.scalars())


async def lifetime(infrastructure: Infrastructure, game: GameOwner) -> int:
    async with infrastructure.session_factory() as session:
        query = select(game_revenue.c.lifetime_gross_minor).where(
            game_revenue.c.game_id == game.game_id
        )
        return (await session.execute(query)).scalar_one()


def valid_event(payload: dict) -> SaleRecorded:
    jsonschema.Draft202012Validator(SCHEMA).validate(payload)
    return SaleRecorded.model_validate(payload)


async def test_a_sale_credits_the_developer_and_the_platform_in_one_posting(
    infrastructure: Infrastructure,
) -> None:
    game = await known_game(infrastructure)
    payment = await sell_game(infrastructure, game.game_id, 99_900)

    assert await posted(infrastructure, f"payment:{payment.id}:succeeded") == [
        ("developer", "developer_payable_pending", "credit", 69_930),
        ("platform", "platform_revenue", "credit", 29_970),
        ("provider", "provider_clearing", "debit", 99_900),
    ]
    assert await shares(infrastructure, payment) == (69_930, 29_970)
    assert await lifetime(infrastructure, game) == 99_900
    [payload] = await sale_events(infrastructure, game)
    event = valid_event(payload)
    assert (event.kind, event.developer_id, event.payment_id) == (
        "purchase",
        game.developer_id,
        payment.id,
    )
    assert event.sale_id == transaction_id_for(f"payment:{payment.id}:succeeded")
    assert (event.gross_amount.amount_minor, event.net_amount.amount_minor) == (99_900, 69_930)
    assert (event.platform_fee_amount.amount_minor, event.region) == (29_970, "RU")

    # Settled again (a replayed notification): nothing more is written.
    async with infrastructure.session_factory.begin() as session:
        again = await settle(session, payment, payment.provider)
    assert again.posted.replayed
    assert len(await sale_events(infrastructure, game)) == 1
    assert await lifetime(infrastructure, game) == 99_900


async def test_random_sales_lose_no_kopeck_and_the_ledger_check_stays_green(
    infrastructure: Infrastructure,
) -> None:
    generator = random.Random(20260601)
    games = [await known_game(infrastructure, lifetime=LOW - 40_000) for _ in range(3)]
    sold: dict[uuid.UUID, int] = {}
    for _ in range(24):
        game = generator.choice(games)
        amount = generator.randint(1, 30_000)
        payment = await sell_game(infrastructure, game.game_id, amount)
        developer, platform = await shares(infrastructure, payment)
        assert developer + platform == amount
        assert amount * 7 // 10 <= developer <= amount * 3 // 4
        sold[game.game_id] = sold.get(game.game_id, 0) + amount
    for game in games:
        assert await lifetime(infrastructure, game) == LOW - 40_000 + sold.get(game.game_id, 0)
    assert await ledger_violations(infrastructure) == []


async def test_a_sale_crossing_the_first_threshold_splits_marginally(
    infrastructure: Infrastructure,
) -> None:
    game = await known_game(infrastructure, lifetime=LOW - 300)
    crossing = await sell_game(infrastructure, game.game_id, 1_000)
    assert await shares(infrastructure, crossing) == (210 + 525, 90 + 175)
    after = await sell_game(infrastructure, game.game_id, 1_000)
    assert await shares(infrastructure, after) == (750, 250)
    assert await lifetime(infrastructure, game) == LOW + 1_700


async def test_concurrent_sales_of_one_game_never_both_use_the_old_tier(
    infrastructure: Infrastructure,
) -> None:
    game = await known_game(infrastructure, lifetime=LOW - 1_000)
    payments = await asyncio.gather(
        *(sell_game(infrastructure, game.game_id, 1_000) for _ in range(4))
    )
    developer = sorted([(await shares(infrastructure, p))[0] for p in payments])
    # One sale filled the old tier; the others queued on the game's row and saw it.
    assert developer == [700, 750, 750, 750]


async def test_partial_refunds_take_both_shares_back_exactly(
    infrastructure: Infrastructure,
) -> None:
    game = await known_game(infrastructure)
    payment = await sell_game(
        infrastructure, game.game_id, 1_001
    )  # 700.7 -> developer 700, platform 301
    assert await shares(infrastructure, payment) == (700, 301)
    service = RefundService(
        infrastructure.unit_of_work,
        provider_registry(infrastructure),
        infrastructure.clock,
        infrastructure.settings.wallet_rules(),  # type: ignore[attr-defined]
    )
    taken: list[tuple[int, int]] = []
    for minor in (333, 333, None):  # None: what is left (335)
        refund = await request_refund(
            service,
            RefundOrder(
                payment_id=payment.id,
                viewer=payment.user_id,
                actor=str(payment.user_id),
                amount=None if minor is None else rub(minor),
                reason=RefundReason.CUSTOMER_REQUEST,
                destination=RefundDestination.WALLET,
            ),
        )
        assert refund.status is RefundStatus.SUCCEEDED
        entries = await posted(infrastructure, f"refund:{refund.id}:succeeded")
        by_account = {(owner, purpose, side): amount for owner, purpose, side, amount in entries}
        developer = by_account.get(("developer", "developer_payable_pending", "debit"), 0)
        platform = by_account[("platform", "platform_revenue", "debit")]
        assert developer + platform == refund.amount.amount_minor
        taken.append((developer, platform))
    # floor(700 * 333 / 1001) = 232, floor(700 * 666 / 1001) = 465, then the rest.
    assert taken == [(232, 101), (233, 100), (235, 100)]
    async with infrastructure.session_factory() as session:
        sale = await get_sale(session, payment.id)
    assert sale is not None and sale.pending_share == rub(0)
    assert sale.reversed.platform == sale.split.platform
    assert await lifetime(infrastructure, game) == 0

    events = [valid_event(payload) for payload in await sale_events(infrastructure, game)]
    assert [event.kind for event in events] == ["purchase", "refund", "refund", "refund"]
    assert sum(event.net_amount.amount_minor for event in events) == 0
    assert sum(event.gross_amount.amount_minor for event in events) == 0
    assert events[1].net_amount.amount_minor == -232 and events[1].refund_id is not None
    assert await ledger_violations(infrastructure) == []


async def test_a_game_known_only_by_its_price_list_pays_its_developer(
    infrastructure: Infrastructure,
) -> None:
    """developer.game.price_changed.v1 names the developer too: enough to know who earns."""
    game = GameOwner(uuid.uuid4(), uuid.uuid4(), "", "game")
    prices = GamePriceList(
        game_id=game.game_id,
        developer_id=game.developer_id,
        is_free=False,
        base_price=rub(10_000),
        changed_at=infrastructure.clock.now(),
    )
    async with infrastructure.session_factory.begin() as session:
        await SqlGamePrices(session).replace_if_newer(prices, uuid.uuid4())
    payment = await sell_game(infrastructure, game.game_id, 10_000)
    assert await shares(infrastructure, payment) == (7_000, 3_000)
    async with infrastructure.session_factory() as session:
        sale = await get_sale(session, payment.id)
    assert sale is not None and sale.developer_id == game.developer_id


async def test_an_unknown_game_settles_as_platform_revenue(infrastructure: Infrastructure) -> None:
    """No read model, no price list knows the game (a sale from before revenue share): the
    settlement still posts, as all platform revenue, and no sale is recorded."""
    game = GameOwner(uuid.uuid4(), uuid.uuid4(), "", "game")
    payment = await sell_game(infrastructure, game.game_id, 5_000)
    assert await posted(infrastructure, f"payment:{payment.id}:succeeded") == [
        ("platform", "platform_revenue", "credit", 5_000),
        ("provider", "provider_clearing", "debit", 5_000),
    ]
    async with infrastructure.session_factory() as session:
        assert await get_sale(session, payment.id) is None


async def test_a_game_no_read_model_knows_is_asked_from_developer_portal(
    infrastructure: Infrastructure,
) -> None:
    """The gRPC GetGame fallback (a real call to developer-portal with a service token): a game
    drafted a moment ago, its events not in payment yet, still pays its developer."""
    user_id = str(uuid.uuid4())
    async with httpx.AsyncClient() as http:
        game = await drafted_game(http, user_id)
    async with infrastructure.session_factory.begin() as session:  # whether or not it arrived
        await session.execute(delete(game_owners).where(game_owners.c.game_id == game.game_id))
    now = infrastructure.clock.now()
    payment = start_payment(
        user_id=uuid.uuid4(),
        purpose=PaymentPurpose.GAME_PURCHASE,
        amount=rub(2_000),
        region="RU",
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        game_id=game.game_id,
    ).assign_provider(Provider.YOOKASSA, f"test-{uuid.uuid4()}", now)
    payment = payment.succeed(now)
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
        await settle(
            session, payment, payment.provider, sales=sales_ports_with_catalogue(infrastructure)
        )
    assert await shares(infrastructure, payment) == (1_400, 600)
    async with infrastructure.session_factory() as session:
        sale = await get_sale(session, payment.id)
    assert sale is not None and sale.developer_id == game.developer_id
