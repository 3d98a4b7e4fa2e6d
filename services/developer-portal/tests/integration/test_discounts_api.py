"""`/api/v1/developer/games/{game_id}/discounts` on the real engines (the app in process, the
developer database, Redis, the auth stand-in's tokens): scheduling, overlap, roles and tenants,
the prices document under a discount (the clock moved, not slept) and the price events that
carry the discounts to payment."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from parovoz_events.developer import GamePriceChanged
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.tokens import user_token
from sqlalchemy import text

PREFIX = "/api/v1/developer"
DAY = timedelta(days=1)


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


PRICES = {
    "data": {
        "type": "gamePrices",
        "attributes": {
            "base_price": {"amount_minor": 99900, "currency": "RUB"},
            "regional_prices": [
                {"region": "KZ", "price": {"amount_minor": 449000, "currency": "KZT"}}
            ],
        },
    }
}


@pytest.fixture
async def clock(infrastructure: Infrastructure) -> AsyncIterator[ManualClock]:
    """The app's clock, moved by the test (restored after)."""
    original = infrastructure.clock
    manual = ManualClock(datetime.now(UTC))
    infrastructure.clock = manual
    yield manual
    infrastructure.clock = original


class Game:
    """conftest's studio with one game and its discount endpoints."""

    def __init__(self, account: Any, clock: ManualClock) -> None:
        self.client: httpx.AsyncClient = account.client
        self.infrastructure: Infrastructure = account.infrastructure
        self.owner, self.member, self.clock = account.owner, account.member, clock

    async def draft(self, *, priced: bool = True) -> Game:
        game = await self.client.post(
            f"{PREFIX}/games",
            headers=auth(self.owner),
            json={"data": {"type": "productCreation", "attributes": {"title": "Игра со скидкой"}}},
        )
        assert game.status_code == 201, game.text
        self.id = game.json()["data"]["id"]
        self.url = f"{PREFIX}/games/{self.id}/discounts"
        self.prices_url = f"{PREFIX}/games/{self.id}/prices"
        if priced:
            answer = await self.client.put(self.prices_url, json=PRICES, headers=auth(self.owner))
            assert answer.status_code == 200, answer.text
        return self

    async def add(
        self,
        percent: int = 25,
        start: timedelta | None = DAY,
        length: timedelta = 7 * DAY,
        user: uuid.UUID | None = None,
        **headers: str,
    ) -> httpx.Response:
        now = self.clock.now()
        attributes: dict[str, Any] = {
            "percent": percent,
            "ends_at": iso(now + (start or 0 * DAY) + length),
        }
        if start is not None:
            attributes["starts_at"] = iso(now + start)
        return await self.client.post(
            self.url,
            json={"data": {"type": "gameDiscounts", "attributes": attributes}},
            headers={**auth(user or self.owner), **headers},
        )

    async def prices(self) -> dict[str, Any]:
        answer = await self.client.get(self.prices_url, headers=auth(self.owner))
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]["attributes"]

    async def events(self) -> list[GamePriceChanged]:
        async with self.infrastructure.session_factory() as session:
            rows = await session.execute(
                text(
                    "SELECT payload FROM outbox WHERE type = 'developer.game.price.changed.v1' "
                    "AND key = :game_id ORDER BY seq"
                ),
                {"game_id": self.id},
            )
            return [GamePriceChanged.model_validate(row.payload) for row in rows]


@pytest.fixture
async def game(new_studio: Callable[[], Awaitable[Any]], clock: ManualClock) -> Game:
    return await Game(await new_studio(), clock).draft()


async def test_a_scheduled_discount_is_listed_announced_and_applies_inside_its_period(
    game: Game,
) -> None:
    created = await game.add(percent=25, start=DAY, length=7 * DAY)
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert data["type"] == "gameDiscounts" and data["links"]["self"] == f"{game.url}/{data['id']}"
    assert data["attributes"]["status"] == "scheduled" and data["attributes"]["percent"] == 25

    listed = await game.client.get(game.url, headers=auth(game.owner))
    assert [item["id"] for item in listed.json()["data"]] == [data["id"]]

    # Announced with the whole price list: payment stores it and applies it by itself.
    price_event, discount_event = await game.events()
    assert price_event.discounts == ()
    [carried] = discount_event.discounts
    assert (str(carried.discount_id), carried.percent) == (data["id"], 25)
    assert discount_event.base_price == price_event.base_price
    assert discount_event.changed_at > price_event.changed_at

    # Before the period: full prices; inside it: the discounted ones (rounded down).
    before = await game.prices()
    assert before["active_discount"] is None and before["discounted_base_price"] is None
    assert before["discounted_regional_prices"] == []
    game.clock.advance(2 * DAY)
    inside = await game.prices()
    assert inside["active_discount"]["id"] == data["id"]
    assert inside["active_discount"]["attributes"]["status"] == "active"
    assert inside["base_price"] == {"amount_minor": 99900, "currency": "RUB"}
    assert inside["discounted_base_price"] == {"amount_minor": 74925, "currency": "RUB"}
    assert inside["discounted_regional_prices"] == [
        {"region": "KZ", "price": {"amount_minor": 336750, "currency": "KZT"}}
    ]
    game.clock.advance(7 * DAY)
    assert (await game.prices())["active_discount"] is None


async def test_overlapping_periods_are_refused_touching_ones_are_not(game: Game) -> None:
    assert (await game.add(start=DAY, length=7 * DAY)).status_code == 201
    overlapping = await game.add(start=3 * DAY, length=7 * DAY)
    assert overlapping.status_code == 422
    assert overlapping.json()["errors"][0]["code"] == "DISCOUNT_OVERLAPS"
    assert (await game.add(start=8 * DAY, length=DAY)).status_code == 201
    assert (await game.add(start=None, length=DAY)).status_code == 201  # now .. +1 day
    assert len((await game.events())[-1].discounts) == 3


@pytest.mark.parametrize(
    ("attributes", "status", "code"),
    [
        ({"percent": 0}, 422, "DISCOUNT_PERCENT_OUT_OF_RANGE"),
        ({"percent": 91}, 422, "DISCOUNT_PERCENT_OUT_OF_RANGE"),
        ({"percent": 25.5}, 400, "VALIDATION_ERROR"),
        ({"percent": "25"}, 400, "VALIDATION_ERROR"),
        ({"ends_at": "2020-01-01T00:00:00Z"}, 422, "DISCOUNT_ENDS_IN_PAST"),
        ({"ends_at": "tomorrow"}, 400, "VALIDATION_ERROR"),
        ({"ends_at": "2030-01-01T00:00:00"}, 400, "VALIDATION_ERROR"),  # no zone
        ({"name": "x" * 101}, 400, "VALIDATION_ERROR"),
    ],
)
async def test_malformed_or_refused_discounts(
    game: Game, attributes: dict[str, Any], status: int, code: str
) -> None:
    body = {"percent": 10, "ends_at": iso(game.clock.now() + DAY), **attributes}
    answer = await game.client.post(
        game.url,
        json={"data": {"type": "gameDiscounts", "attributes": body}},
        headers=auth(game.owner),
    )
    assert answer.status_code == status, answer.text
    assert answer.json()["errors"][0]["code"] == code
    assert len(await game.events()) == 1  # only the price list's


async def test_an_unpriced_game_cannot_be_discounted(
    new_studio: Callable[[], Awaitable[Any]], clock: ManualClock
) -> None:
    game = await Game(await new_studio(), clock).draft(priced=False)
    answer = await game.add()
    assert (
        answer.status_code == 422 and answer.json()["errors"][0]["code"] == "DISCOUNT_NEEDS_PRICE"
    )


async def test_withdrawing_deletes_a_scheduled_discount_and_ends_an_active_one(game: Game) -> None:
    scheduled = (await game.add(start=10 * DAY, length=DAY)).json()["data"]["id"]
    active = (await game.add(start=None, length=3 * DAY)).json()["data"]["id"]
    assert (
        await game.client.delete(f"{game.url}/{scheduled}", headers=auth(game.owner))
    ).status_code == 204
    game.clock.advance(DAY)
    assert (
        await game.client.delete(f"{game.url}/{active}", headers=auth(game.owner))
    ).status_code == 204
    [ended] = (await game.client.get(game.url, headers=auth(game.owner))).json()["data"]
    assert ended["id"] == active and ended["attributes"]["status"] == "ended"
    assert (await game.prices())["active_discount"] is None
    assert (await game.events())[-1].discounts == ()
    again = await game.client.delete(f"{game.url}/{active}", headers=auth(game.owner))
    assert again.status_code == 422 and again.json()["errors"][0]["code"] == "DISCOUNT_ENDED"
    gone = await game.client.delete(f"{game.url}/{scheduled}", headers=auth(game.owner))
    assert gone.status_code == 404


@pytest.mark.parametrize("role", ["admin", "editor"])
async def test_admins_and_editors_manage_discounts(game: Game, role: str) -> None:
    member = await game.member(role)
    created = await game.add(user=member)
    assert created.status_code == 201
    url = f"{game.url}/{created.json()['data']['id']}"
    assert (await game.client.delete(url, headers=auth(member))).status_code == 204


@pytest.mark.parametrize("role", ["viewer", "finance"])
async def test_viewers_and_finance_read_but_do_not_manage(game: Game, role: str) -> None:
    discount = (await game.add()).json()["data"]["id"]
    member = await game.member(role)
    refused = await game.add(user=member, start=20 * DAY)
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "TEAM_ROLE_FORBIDS"
    deleting = await game.client.delete(f"{game.url}/{discount}", headers=auth(member))
    assert deleting.status_code == 403
    assert (await game.client.get(game.url, headers=auth(member))).status_code == 200


async def test_another_account_never_reaches_the_discounts(
    game: Game, new_studio: Callable[[], Awaitable[Any]]
) -> None:
    discount = (await game.add()).json()["data"]["id"]
    other = await new_studio()
    for answer in (
        await game.client.get(game.url, headers=auth(other.owner)),
        await game.add(user=other.owner, start=20 * DAY),
        await game.client.delete(f"{game.url}/{discount}", headers=auth(other.owner)),
    ):
        assert answer.status_code == 404, answer.text
        assert discount not in answer.text
    assert len((await game.client.get(game.url, headers=auth(game.owner))).json()["data"]) == 1


async def test_an_idempotency_key_replays_the_first_answer(game: Game) -> None:
    key = str(uuid.uuid4())
    first = await game.add(**{"Idempotency-Key": key})
    again = await game.add(**{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len((await game.client.get(game.url, headers=auth(game.owner))).json()["data"]) == 1


async def test_a_new_price_list_keeps_the_discounts_and_announces_them(game: Game) -> None:
    discount = (await game.add(start=None, length=2 * DAY, percent=10)).json()["data"]["id"]
    repriced = {
        "data": {
            "type": "gamePrices",
            "attributes": {"base_price": {"amount_minor": 50_001, "currency": "RUB"}},
        }
    }
    answer = await game.client.put(game.prices_url, json=repriced, headers=auth(game.owner))
    assert answer.status_code == 200, answer.text
    attributes = answer.json()["data"]["attributes"]
    assert attributes["active_discount"] is not None, attributes
    assert attributes["active_discount"]["id"] == discount
    # 50 001 × 0.9 = 45 000.9 → rounded down to 45 000.
    assert attributes["discounted_base_price"] == {"amount_minor": 45_000, "currency": "RUB"}
    assert attributes["discounted_regional_prices"] == []
    last = (await game.events())[-1]
    assert last.base_price is not None and last.base_price.amount_minor == 50_001
    assert [str(d.discount_id) for d in last.discounts] == [discount]
