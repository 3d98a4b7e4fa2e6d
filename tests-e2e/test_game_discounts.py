"""Discounts end to end through the gateway: a developer schedules a discount of a priced,
published game at developer-portal; ``developer.game.price.changed.v1`` carries it through the
outbox and Kafka to payment's price table; a player buying inside the period pays the discounted
price (rounded down to the whole kopeck), outside it the full price; withdrawing the discount
reaches payment the same way."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from e2e_payments import PAYMENTS, PORTAL, Player, PricedGame, auth, game_purchase, scalar
from parovoz_testing.platform import wait_until

DAY = timedelta(days=1)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def schedule(game: PricedGame, percent: int, ends_at: datetime, starts_at: datetime | None = None):
    attributes: dict = {"percent": percent, "ends_at": _iso(ends_at), "name": "Распродажа"}
    if starts_at is not None:
        attributes["starts_at"] = _iso(starts_at)
    answer = httpx.post(
        f"{PORTAL}/games/{game.game_id}/discounts",
        json={"data": {"type": "gameDiscounts", "attributes": attributes}},
        headers={**auth(game.token), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]


def shown_price(game: PricedGame, player: Player) -> int:
    answer = httpx.get(
        f"{PAYMENTS}/game-prices/{game.game_id}",
        params={"region": "RU"},
        headers=auth(player.token),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["attributes"]["price"]["amount_minor"]


def test_a_purchase_inside_the_period_pays_the_discounted_price() -> None:
    game, player = PricedGame(99_900), Player()
    now = datetime.now(UTC)
    discount = schedule(game, 25, now + DAY)  # from now
    assert discount["attributes"]["status"] == "active"

    prices = httpx.get(f"{PORTAL}/games/{game.game_id}/prices", headers=auth(game.token))
    shown = prices.json()["data"]["attributes"]
    assert shown["active_discount"]["id"] == discount["id"]
    assert shown["discounted_base_price"] == {"amount_minor": 74_925, "currency": "RUB"}

    assert wait_until(lambda: shown_price(game, player) == 74_925), "payment never saw it"
    full = player.pay(game_purchase(game, 99_900))
    assert full.status_code == 422 and full.json()["errors"][0]["code"] == "AMOUNT_MISMATCH"
    payment = player.paid(player.pay(game_purchase(game, 74_925)))
    assert payment["attributes"]["amount"] == {"amount_minor": 74_925, "currency": "RUB"}

    # Withdrawn (ends now): payment charges the full price again.
    withdrawn = httpx.delete(
        f"{PORTAL}/games/{game.game_id}/discounts/{discount['id']}", headers=auth(game.token)
    )
    assert withdrawn.status_code == 204, withdrawn.text
    assert wait_until(lambda: shown_price(game, player) == 99_900), "the withdrawal never came"
    player.paid(player.pay(game_purchase(game, 99_900)))


def test_outside_the_period_the_full_price_is_charged() -> None:
    game, player = PricedGame(99_900), Player()
    now = datetime.now(UTC)
    scheduled = schedule(game, 50, now + 3 * DAY, starts_at=now + 2 * DAY)
    assert scheduled["attributes"]["status"] == "scheduled"
    assert wait_until(
        lambda: (
            scalar(
                "SELECT percent FROM game_price_discounts WHERE game_id = %s AND discount_id = %s",
                game.game_id,
                scheduled["id"],
            )
            == 50
        )
    ), "payment never stored the scheduled discount"
    assert shown_price(game, player) == 99_900
    half = player.pay(game_purchase(game, 49_950))
    assert half.status_code == 422 and half.json()["errors"][0]["code"] == "AMOUNT_MISMATCH"
    payment = player.paid(player.pay(game_purchase(game, 99_900)))
    assert payment["attributes"]["amount"] == {"amount_minor": 99_900, "currency": "RUB"}
