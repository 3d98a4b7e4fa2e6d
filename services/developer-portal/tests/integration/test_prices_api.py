"""`PUT/GET /api/v1/developer/games/{game_id}/prices` on the real engines: the app runs in this
process (the code under test, not the running service) against the developer database, Redis
and the auth stand-in's real tokens; the outbox and GetGame are checked at the source."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz_developer_portal.grpc.servicer import DeveloperService
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.tokens import user_token
from sqlalchemy import text

PREFIX = "/api/v1/developer"
A = "/data/attributes"


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


def body(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "gamePrices", "attributes": attributes}}


PAID = body(
    is_free=False,
    base_price={"amount_minor": 99900, "currency": "RUB"},
    regional_prices=[{"region": "KZ", "price": {"amount_minor": 449000, "currency": "KZT"}}],
)


class Studio:
    """A developer account (conftest's studio: its owner, its members by role) with one game,
    and that game's prices endpoint."""

    def __init__(self, account: Any) -> None:
        self.client, self.infrastructure = account.client, account.infrastructure
        self.owner, self.member = account.owner, account.member
        self.developer_id = str(account.developer_id)

    async def draft_game(self) -> Studio:
        game = await self.client.post(
            f"{PREFIX}/games",
            headers=auth(self.owner),
            json={"data": {"type": "productCreation", "attributes": {"title": "Ценная игра"}}},
        )
        assert game.status_code == 201, game.text
        self.game_id = game.json()["data"]["id"]
        self.prices_url = f"{PREFIX}/games/{self.game_id}/prices"
        return self

    async def put(self, user_id: uuid.UUID, document: dict, **headers: str) -> httpx.Response:
        return await self.client.put(
            self.prices_url, json=document, headers={**auth(user_id), **headers}
        )

    async def outbox(self) -> list[dict[str, Any]]:
        async with self.infrastructure.session_factory() as session:
            rows = await session.execute(
                text(
                    "SELECT payload FROM outbox WHERE type = 'developer.game.price.changed.v1' "
                    "AND key = :game_id ORDER BY seq"
                ),
                {"game_id": self.game_id},
            )
            return [row.payload for row in rows]


@pytest.fixture
async def studio(new_studio: Callable[[], Awaitable[Any]]) -> Studio:
    return await Studio(await new_studio()).draft_game()


async def test_an_unpriced_game_has_version_0_and_no_price(studio: Studio) -> None:
    response = await studio.client.get(studio.prices_url, headers=auth(studio.owner))
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert attributes["version"] == 0 and attributes["base_price"] is None
    assert attributes["is_free"] is False and attributes["regional_prices"] == []


async def test_the_owner_sets_prices_and_the_change_is_announced_once(studio: Studio) -> None:
    response = await studio.put(studio.owner, PAID)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["type"], data["id"]) == ("gamePrices", studio.game_id)
    assert data["links"]["self"] == studio.prices_url
    attributes = data["attributes"]
    assert attributes["base_price"] == {"amount_minor": 99900, "currency": "RUB"}
    assert attributes["regional_prices"] == PAID["data"]["attributes"]["regional_prices"]
    assert attributes["version"] == 1
    assert attributes["updated_by_user_id"] == str(studio.owner)

    read = await studio.client.get(studio.prices_url, headers=auth(studio.owner))
    assert read.json() == response.json()

    [event] = await studio.outbox()
    assert event["game_id"] == studio.game_id and event["developer_id"] == studio.developer_id
    assert event["base_price"] == {"amount_minor": 99900, "currency": "RUB"}
    assert event["regional_prices"] == attributes["regional_prices"]
    assert event["is_free"] is False and event["changed_by_user_id"] == str(studio.owner)

    # PUT is idempotent: the same list again is no new version and no new event.
    again = await studio.put(studio.owner, PAID)
    assert again.status_code == 200 and again.json()["data"]["attributes"]["version"] == 1
    assert len(await studio.outbox()) == 1

    free = await studio.put(studio.owner, body(is_free=True))
    assert free.json()["data"]["attributes"]["version"] == 2
    events = await studio.outbox()
    assert [e["is_free"] for e in events] == [False, True]
    assert events[1]["changed_at"] > events[0]["changed_at"]


@pytest.mark.parametrize("role", ["admin", "editor"])
async def test_admins_and_editors_may_set_prices(studio: Studio, role: str) -> None:
    member = await studio.member(role)
    assert (await studio.put(member, PAID)).status_code == 200


@pytest.mark.parametrize("role", ["viewer", "finance"])
async def test_viewers_and_finance_may_read_but_not_set(studio: Studio, role: str) -> None:
    member = await studio.member(role)
    refused = await studio.put(member, PAID)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "TEAM_ROLE_FORBIDS"
    assert (await studio.client.get(studio.prices_url, headers=auth(member))).status_code == 200
    assert await studio.outbox() == []


async def test_outsiders_get_404_and_never_the_prices(studio: Studio) -> None:
    await studio.put(studio.owner, PAID)
    stranger = uuid.uuid4()
    for response in (
        await studio.put(stranger, body(is_free=True)),
        await studio.client.get(studio.prices_url, headers=auth(stranger)),
    ):
        assert response.status_code == 404
        assert "449000" not in response.text
    unknown = await studio.client.put(
        f"{PREFIX}/games/{uuid.uuid4()}/prices", json=PAID, headers=auth(studio.owner)
    )
    assert unknown.status_code == 404
    assert len(await studio.outbox()) == 1


def _kz(amount: Any, currency: str = "KZT", region: str = "KZ") -> dict[str, Any]:
    return {"region": region, "price": {"amount_minor": amount, "currency": currency}}


@pytest.mark.parametrize(
    ("document", "code", "pointer"),
    [
        (
            body(base_price={"amount_minor": 999.0, "currency": "RUB"}),
            "VALIDATION_ERROR",
            f"{A}/base_price/amount_minor",
        ),
        (
            body(base_price={"amount_minor": "99900", "currency": "RUB"}),
            "VALIDATION_ERROR",
            f"{A}/base_price/amount_minor",
        ),
        (
            body(
                base_price={"amount_minor": 99900, "currency": "RUB"},
                regional_prices=[_kz(10, "GBP")],
            ),
            "UNSUPPORTED_CURRENCY",
            f"{A}/regional_prices/0/price/currency",
        ),
        (
            body(
                base_price={"amount_minor": 99900, "currency": "RUB"},
                regional_prices=[_kz(449000), _kz(1000, "USD")],
            ),
            "DUPLICATE_REGION",
            f"{A}/regional_prices/1/region",
        ),
        (
            body(
                base_price={"amount_minor": 99900, "currency": "RUB"},
                regional_prices=[_kz(1, region="ZZ")],
            ),
            "INVALID_REGION",
            f"{A}/regional_prices/0/region",
        ),
        (
            body(base_price={"amount_minor": 0, "currency": "RUB"}),
            "INVALID_PRICE_AMOUNT",
            f"{A}/base_price/amount_minor",
        ),
        (
            body(base_price={"amount_minor": 9900, "currency": "USD"}),
            "BASE_PRICE_NOT_RUB",
            f"{A}/base_price/currency",
        ),
        (body(is_free=False), "BASE_PRICE_REQUIRED", f"{A}/base_price"),
        (
            body(is_free=True, base_price={"amount_minor": 100, "currency": "RUB"}),
            "FREE_GAME_HAS_PRICES",
            f"{A}/base_price",
        ),
        (
            body(base_price={"amount_minor": 100_000_001, "currency": "RUB"}),
            "PRICE_TOO_HIGH",
            f"{A}/base_price/amount_minor",
        ),
        (
            {"data": {"type": "game", "attributes": {"is_free": True}}},
            "VALIDATION_ERROR",
            "/data/type",
        ),
    ],
)
async def test_invalid_prices_get_400_or_422_with_a_pointer_and_change_nothing(
    studio: Studio, document: dict, code: str, pointer: str
) -> None:
    # Malformed prices are 400; well-formed ones the store refuses are 422 (seed 001 §8.2).
    refused_by_the_store = {
        "UNSUPPORTED_CURRENCY",
        "BASE_PRICE_NOT_RUB",
        "FREE_GAME_HAS_PRICES",
        "PRICE_TOO_HIGH",
    }
    response = await studio.put(studio.owner, document)
    assert response.status_code == (422 if code in refused_by_the_store else 400), response.text
    errors = response.json()["errors"]
    assert (errors[0]["code"], errors[0]["source"]["pointer"]) == (code, pointer)
    assert await studio.outbox() == []


async def test_an_idempotency_key_replays_the_answer(studio: Studio) -> None:
    key = str(uuid.uuid4())
    first = await studio.put(studio.owner, PAID, **{"Idempotency-Key": key})
    again = await studio.put(studio.owner, PAID, **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    reused = await studio.put(studio.owner, body(is_free=True), **{"Idempotency-Key": key})
    assert reused.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_concurrent_changes_get_distinct_versions_and_increasing_times(
    studio: Studio,
) -> None:
    documents = [
        body(base_price={"amount_minor": 10000 + step, "currency": "RUB"}) for step in range(6)
    ]
    responses = await asyncio.gather(*(studio.put(studio.owner, d) for d in documents))
    assert all(response.status_code == 200 for response in responses)
    versions = sorted(r.json()["data"]["attributes"]["version"] for r in responses)
    assert versions == [1, 2, 3, 4, 5, 6]
    events = await studio.outbox()
    assert len(events) == 6
    times = [event["changed_at"] for event in events]
    assert len(set(times)) == 6
    # The newest event is the stored list: payment, keeping the newest, ends where we are.
    newest = max(events, key=lambda event: event["changed_at"])
    stored = (await studio.client.get(studio.prices_url, headers=auth(studio.owner))).json()
    assert stored["data"]["attributes"]["base_price"] == newest["base_price"]


async def test_get_game_over_grpc_carries_the_prices(
    studio: Studio, infrastructure: Infrastructure
) -> None:
    servicer = DeveloperService(infrastructure)
    request = pb.GetGameRequest(game_id=studio.game_id)
    unpriced = (await servicer.GetGame(request, None)).game  # type: ignore[arg-type]
    assert not unpriced.is_free and not unpriced.HasField("base_price")
    await studio.put(studio.owner, PAID)
    game = (await servicer.GetGame(request, None)).game  # type: ignore[arg-type]
    assert (game.base_price.amount_minor, game.base_price.currency) == (99900, "RUB")
    assert [(p.region, p.price.amount_minor, p.price.currency) for p in game.regional_prices] == [
        ("KZ", 449000, "KZT")
    ]
