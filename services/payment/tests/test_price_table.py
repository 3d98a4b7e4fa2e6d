"""The price table on payment's real database, fed through the consumer's handler: the newest
price list wins whatever order the events arrive in, and a list replaces the previous one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from parovoz_events.developer import GamePriceChanged
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.prices import SqlGamePrices
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.pricing import GamePriceList, price_for_region
from parovoz_payment.events.developer_events import on_game_price_changed

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def price_event(game_id: uuid.UUID, changed_at: datetime, **data: Any) -> GamePriceChanged:
    values: dict[str, Any] = {
        "developer_id": uuid.UUID(int=7),
        "game_id": game_id,
        "is_free": False,
        "base_price": {"amount_minor": 99900, "currency": "RUB"},
        "regional_prices": [],
        "changed_at": changed_at,
        "changed_by_user_id": uuid.UUID(int=8),
        **data,
    }
    return GamePriceChanged.model_validate(values)


async def deliver(infrastructure: Infrastructure, data: GamePriceChanged) -> None:
    """What the idempotent consumer does: the handler in one transaction."""
    event = Event.from_data(data, "/parovoz/developer-portal")
    async with infrastructure.session_factory.begin() as session:
        await on_game_price_changed(session, data, event)


async def stored(infrastructure: Infrastructure, game_id: uuid.UUID) -> GamePriceList | None:
    async with infrastructure.session_factory() as session:
        return await SqlGamePrices(session).get(game_id)


def kz(amount: int) -> dict[str, Any]:
    return {"region": "KZ", "price": {"amount_minor": amount, "currency": "KZT"}}


async def test_an_unknown_game_has_no_price(infrastructure: Infrastructure) -> None:
    assert await stored(infrastructure, uuid.uuid4()) is None


async def test_a_newer_list_replaces_the_stored_one_whole(infrastructure: Infrastructure) -> None:
    game_id = uuid.uuid4()
    await deliver(
        infrastructure,
        price_event(
            game_id,
            T0,
            regional_prices=[
                kz(449000),
                {"region": "BY", "price": {"amount_minor": 3500, "currency": "BYN"}},
            ],
        ),
    )
    first = await stored(infrastructure, game_id)
    assert first is not None and dict(first.regional_prices) == {
        "KZ": Money(449000, "KZT"),
        "BY": Money(3500, "BYN"),
    }
    await deliver(
        infrastructure,
        price_event(
            game_id,
            T0 + timedelta(minutes=1),
            base_price={"amount_minor": 49900, "currency": "RUB"},
            regional_prices=[kz(200000)],
        ),
    )
    second = await stored(infrastructure, game_id)
    assert second is not None
    assert second.base_price == Money(49900, "RUB")
    assert dict(second.regional_prices) == {"KZ": Money(200000, "KZT")}  # BY is gone
    assert price_for_region(second, "BY") == Money(49900, "RUB")

    await deliver(
        infrastructure,
        price_event(game_id, T0 + timedelta(minutes=2), is_free=True, base_price=None),
    )
    free = await stored(infrastructure, game_id)
    assert free is not None and free.is_free and not free.regional_prices
    assert price_for_region(free, "KZ") == Money(0, "RUB")


async def test_an_older_or_equal_event_arriving_late_is_ignored(
    infrastructure: Infrastructure,
) -> None:
    game_id = uuid.uuid4()
    newest = T0 + timedelta(hours=1)
    await deliver(infrastructure, price_event(game_id, newest, regional_prices=[kz(449000)]))
    await deliver(
        infrastructure,
        price_event(
            game_id, T0, base_price={"amount_minor": 100, "currency": "RUB"}, regional_prices=[]
        ),
    )
    await deliver(
        infrastructure,
        price_event(game_id, newest, base_price={"amount_minor": 200, "currency": "RUB"}),
    )
    kept = await stored(infrastructure, game_id)
    assert kept is not None and kept.changed_at == newest
    assert kept.base_price == Money(99900, "RUB")
    assert dict(kept.regional_prices) == {"KZ": Money(449000, "KZT")}
