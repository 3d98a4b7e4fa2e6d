"""Game prices end to end through the gateway: a developer prices a game at developer-portal,
``developer.game.price.changed.v1`` goes through the outbox and Kafka, and payment's price
table (the only source it prices purchases from) holds the newest list."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import httpx
import psycopg
import pytest
from confluent_kafka import Producer
from parovoz_testing.platform import DATABASES, GATEWAY, wait_until
from parovoz_testing.tokens import user_token

PORTAL = f"{GATEWAY}/api/v1/developer"
A = "/data/attributes"


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _prices(base: int | None, *regional: tuple[str, int, str], is_free: bool = False) -> dict:
    attributes: dict = {
        "is_free": is_free,
        "regional_prices": [
            {"region": region, "price": {"amount_minor": amount, "currency": currency}}
            for region, amount, currency in regional
        ],
    }
    if base is not None:
        attributes["base_price"] = {"amount_minor": base, "currency": "RUB"}
    return {"data": {"type": "gamePrices", "attributes": attributes}}


class Studio:
    """A developer account with one game, opened through the gateway."""

    def __init__(self) -> None:
        self.owner = str(uuid.uuid4())
        self.token = user_token(self.owner)
        account = httpx.post(
            f"{PORTAL}/accounts",
            headers=_headers(self.token),
            json={
                "data": {
                    "type": "developerAccountCreation",
                    "attributes": {
                        "company_name": "Студия Прайс",
                        "legal_entity_type": "llc",
                        "tax_id": "7707083893",
                        "contact_email": "price@example.com",
                        "country_code": "RU",
                    },
                }
            },
        )
        assert account.status_code == 201, account.text
        self.developer_id = account.json()["data"]["id"]
        game = httpx.post(
            f"{PORTAL}/games",
            headers=_headers(self.token),
            json={"data": {"type": "productCreation", "attributes": {"title": "Игра с ценой"}}},
        )
        assert game.status_code == 201, game.text
        self.game_id = game.json()["data"]["id"]
        self.url = f"{PORTAL}/games/{self.game_id}/prices"

    def put(self, body: dict, token: str | None = None) -> httpx.Response:
        return httpx.put(self.url, json=body, headers=_headers(token or self.token))

    def member_token(self, role: str) -> str:
        """A second team member with ``role`` (no invitation endpoint yet: added in the
        developer database directly)."""
        user_id = str(uuid.uuid4())
        with psycopg.connect(DATABASES["developer"]) as connection:
            connection.execute(
                "INSERT INTO team_members (developer_id, user_id, role, joined_at) "
                "VALUES (%s, %s, %s, now())",
                (self.developer_id, user_id, role),
            )
        return user_token(user_id)


@pytest.fixture
def studio() -> Studio:
    return Studio()


def _payment_prices(game_id: str) -> tuple | None:
    """(is_free, base amount, base currency, {region: (amount, currency)}, changed_at)."""
    with psycopg.connect(DATABASES["payment"]) as connection:
        row = connection.execute(
            "SELECT is_free, base_amount_minor, base_currency, changed_at FROM game_prices "
            "WHERE game_id = %s",
            (game_id,),
        ).fetchone()
        if row is None:
            return None
        regional = connection.execute(
            "SELECT region, amount_minor, currency FROM game_regional_prices WHERE game_id = %s",
            (game_id,),
        ).fetchall()
    return row[0], row[1], row[2], {r: (a, c) for r, a, c in regional}, row[3]


def test_prices_set_at_the_portal_reach_payments_price_table(studio: Studio) -> None:
    response = studio.put(_prices(99900, ("KZ", 449000, "KZT"), ("BY", 3500, "BYN")))
    assert response.status_code == 200, response.text
    attributes = response.json()["data"]["attributes"]
    assert attributes["version"] == 1
    assert attributes["base_price"] == {"amount_minor": 99900, "currency": "RUB"}
    assert [p["region"] for p in attributes["regional_prices"]] == ["BY", "KZ"]
    assert httpx.get(studio.url, headers=_headers(studio.token)).json() == response.json()

    expected = {"KZ": (449000, "KZT"), "BY": (3500, "BYN")}
    row = wait_until(lambda: _payment_prices(studio.game_id))
    assert row is not None and row[:4] == (False, 99900, "RUB", expected)

    # A change replaces the whole list in payment too (BY dropped, KZ changed).
    studio.put(_prices(49900, ("KZ", 200000, "KZT")))
    changed = wait_until(lambda: (p := _payment_prices(studio.game_id)) and p[1] == 49900 and p)
    assert changed and changed[:4] == (False, 49900, "RUB", {"KZ": (200000, "KZT")})


def test_viewers_and_outsiders_are_refused(studio: Studio) -> None:
    viewer = studio.put(_prices(99900), token=studio.member_token("viewer"))
    assert viewer.status_code == 403
    assert viewer.json()["errors"][0]["code"] == "TEAM_ROLE_FORBIDS"
    editor = studio.put(_prices(99900), token=studio.member_token("editor"))
    assert editor.status_code == 200

    outsider = user_token(str(uuid.uuid4()))
    for response in (
        studio.put(_prices(1), token=outsider),
        httpx.get(studio.url, headers=_headers(outsider)),
    ):
        assert response.status_code == 404
        assert "99900" not in response.text
    assert httpx.put(studio.url, json=_prices(99900)).status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        (
            {
                "data": {
                    "type": "gamePrices",
                    "attributes": {"base_price": {"amount_minor": 999.9, "currency": "RUB"}},
                }
            },
            400,
            f"{A}/base_price/amount_minor",
        ),
        (_prices(99900, ("KZ", 449000, "XYZ")), 422, f"{A}/regional_prices/0/price/currency"),
        (
            _prices(99900, ("KZ", 449000, "KZT"), ("KZ", 1000, "USD")),
            400,
            f"{A}/regional_prices/1/region",
        ),
        (_prices(None, ("KZ", 449000, "KZT")), 400, f"{A}/base_price"),
        (_prices(99900, is_free=True), 422, f"{A}/base_price"),
    ],
    ids=["float-amount", "unknown-currency", "duplicate-region", "no-base", "free-with-price"],
)
def test_invalid_prices_get_400_or_422_with_a_pointer(
    studio: Studio, body: dict, status: int, pointer: str
) -> None:
    # Malformed prices are 400, well-formed ones the store refuses 422 (seed 001 §8.2).
    response = studio.put(body)
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["status"] == str(status) and error["source"]["pointer"] == pointer
    assert (
        httpx.get(studio.url, headers=_headers(studio.token)).json()["data"]["attributes"][
            "version"
        ]
        == 0
    )


def _latest_price_event(game_id: str) -> tuple[dict, dict, str]:
    with psycopg.connect(DATABASES["developer"]) as connection:
        return connection.execute(
            "SELECT headers, payload, key FROM outbox "
            "WHERE type = 'developer.game.price.changed.v1' AND key = %s "
            "ORDER BY seq DESC LIMIT 1",
            (game_id,),
        ).fetchone()


def _processed(event_id: str) -> bool:
    with psycopg.connect(DATABASES["payment"]) as connection:
        return bool(
            connection.execute(
                "SELECT count(*) FROM inbox WHERE event_id = %s", (event_id,)
            ).fetchone()[0]
        )


def test_an_older_price_event_delivered_late_does_not_overwrite(studio: Studio) -> None:
    assert studio.put(_prices(99900, ("KZ", 449000, "KZT"))).status_code == 200
    newest = wait_until(lambda: _payment_prices(studio.game_id))
    assert newest is not None

    # A genuine-looking event of an earlier change (its own id, changed an hour before),
    # arriving after the newer one: payment must process it and keep the newer list.
    headers, payload, key = _latest_price_event(studio.game_id)
    changed_at = datetime.fromisoformat(payload["changed_at"].replace("Z", "+00:00"))
    stale_id = str(uuid.uuid4())
    stale_payload = {
        **payload,
        "base_price": {"amount_minor": 100, "currency": "RUB"},
        "regional_prices": [],
        "changed_at": (changed_at - timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
    }
    producer = Producer({"bootstrap.servers": "127.0.0.1:59092", "enable.idempotence": True})
    producer.produce(
        "developer.events.v1",
        key=key,
        value=json.dumps(stale_payload).encode(),
        headers=[
            (name, str(stale_id if name == "ce_id" else value).encode())
            for name, value in headers.items()
        ],
    )
    assert producer.flush(10) == 0
    assert wait_until(lambda: _processed(stale_id)), "payment never consumed the stale event"
    assert _payment_prices(studio.game_id) == newest
