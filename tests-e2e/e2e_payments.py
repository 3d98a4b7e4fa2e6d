"""Shared by the payment end-to-end tests: a priced (and published) game at developer-portal, a
player at the gateway, and looks into payment's database and ledger."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import httpx
import psycopg
from confluent_kafka import Producer
from parovoz_events.developer import GamePublished
from parovoz_kit.events.envelope import Event
from parovoz_payment.jobs.ledger_check import run_check
from parovoz_testing.platform import DATABASES, GATEWAY, wait_until
from parovoz_testing.tokens import user_token

PORTAL = f"{GATEWAY}/api/v1/developer"
PAYMENTS = f"{GATEWAY}/api/v1/payments"
SANDBOX = "http://127.0.0.1:8091/sandbox"
WEBHOOK = "http://127.0.0.1:8084/webhooks/yookassa"
PAYMENT_DB_URL = "postgresql+psycopg://payment:payment-dev-password@127.0.0.1:55432/payment"
BROKER = "127.0.0.1:59092"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def open_developer_account(token: str) -> str:
    """A developer account at developer-portal whose owner holds ``token``; its id."""
    account = httpx.post(
        f"{PORTAL}/accounts",
        headers=auth(token),
        json={
            "data": {
                "type": "developerAccountCreation",
                "attributes": {
                    "company_name": "Студия Оплата",
                    "legal_entity_type": "llc",
                    "tax_id": "7707083893",
                    "contact_email": "pay@example.com",
                    "country_code": "RU",
                },
            }
        },
    )
    assert account.status_code == 201, account.text
    return account.json()["data"]["id"]


def publish_game(developer_id: str, game_id: str) -> None:
    """developer-portal has no publication endpoint yet (versions, moderation and release
    belong to later issues), so its ``developer.game.published.v1`` is produced the way its
    outbox relay would; returns once payment's read model lists the game as published."""
    now = datetime.now(UTC)
    event = Event.from_data(
        GamePublished(
            developer_id=uuid.UUID(developer_id),
            game_id=uuid.UUID(game_id),
            version_id=uuid.uuid4(),
            published_at=now,
            published_by_user_id=None,
            first_published_at=now,
        ),
        source="/parovoz/developer-portal",
    ).to_kafka()
    producer = Producer({"bootstrap.servers": BROKER, "enable.idempotence": True})
    producer.produce(
        "developer.events.v1", key=event.key, value=event.value, headers=event.header_list()
    )
    assert producer.flush(10) == 0
    assert wait_until(
        lambda: scalar("SELECT 1 FROM game_listings WHERE game_id = %s AND published", game_id)
    )


class PricedGame:
    """A developer account with one game priced at developer-portal (copied from
    test_game_prices.py), once the price reached payment's price table, and published (a game
    purchase needs a published game) unless ``published`` is False. ``token`` is the account
    owner's (for the finance pages)."""

    def __init__(self, base_minor: int, *, published: bool = True) -> None:
        token = self.token = user_token(str(uuid.uuid4()))
        self.developer_id = open_developer_account(token)
        game = httpx.post(
            f"{PORTAL}/games",
            headers=auth(token),
            json={"data": {"type": "productCreation", "attributes": {"title": "Платная игра"}}},
        )
        assert game.status_code == 201, game.text
        self.game_id = game.json()["data"]["id"]
        prices = {
            "data": {
                "type": "gamePrices",
                "attributes": {
                    "is_free": False,
                    "regional_prices": [],
                    "base_price": {"amount_minor": base_minor, "currency": "RUB"},
                },
            }
        }
        put = httpx.put(f"{PORTAL}/games/{self.game_id}/prices", json=prices, headers=auth(token))
        assert put.status_code == 200, put.text
        assert wait_until(
            lambda: scalar("SELECT 1 FROM game_prices WHERE game_id = %s", self.game_id)
        )
        if published:
            publish_game(self.developer_id, self.game_id)


class Player:
    def __init__(self) -> None:
        self.id = str(uuid.uuid4())
        self.token = user_token(self.id)

    def pay(self, attributes: dict, key: str | None = None) -> httpx.Response:
        body = {
            "data": {
                "type": "paymentCreation",
                "attributes": {
                    "region": "RU",
                    "method": "bank_card",
                    "return_url": "https://store.example/return",
                    "customer_email": "p@example.com",
                    "use_wallet": False,
                    "save_method": False,
                    "reference": None,
                    **attributes,
                },
            }
        }
        headers = {**auth(self.token), "Idempotency-Key": key or str(uuid.uuid4())}
        return httpx.post(PAYMENTS, json=body, headers=headers)

    def top_up(self, amount_minor: int, key: str | None = None, **extra) -> httpx.Response:
        body = {
            "data": {
                "type": "walletTopUp",
                "attributes": {
                    "amount": {"amount_minor": amount_minor, "currency": "RUB"},
                    "method": "bank_card",
                    "return_url": "https://store.example/wallet",
                    "customer_email": "wallet@example.com",
                    **extra,
                },
            }
        }
        headers = {**auth(self.token), "Idempotency-Key": key or str(uuid.uuid4())}
        return httpx.post(f"{PAYMENTS}/wallet/top-ups", json=body, headers=headers)

    def paid(self, created: httpx.Response) -> dict:
        """Confirm a created payment at the sandbox's page and wait until it succeeded."""
        assert created.status_code == 201, created.text
        payment = created.json()["data"]
        confirm = httpx.get(payment["attributes"]["confirmation_url"], follow_redirects=False)
        assert confirm.status_code == 303
        self.wait_for(payment["id"], "succeeded")
        return payment

    def get(self, payment_id: str) -> httpx.Response:
        return httpx.get(f"{PAYMENTS}/{payment_id}", headers=auth(self.token))

    def wait_for(self, payment_id: str, status: str) -> dict:
        attributes = wait_until(
            lambda: (
                (a := self.get(payment_id).json()["data"]["attributes"])["status"] == status and a
            )
        )
        assert attributes, f"payment {payment_id} never became {status}"
        return attributes


def scalar(query: str, *params: object) -> object:
    with psycopg.connect(DATABASES["payment"]) as connection:
        row = connection.execute(query, params).fetchone()
    return None if row is None else row[0]


def events_of(payment_id: str) -> list[tuple[str, dict]]:
    with psycopg.connect(DATABASES["payment"]) as connection:
        rows = connection.execute(
            "SELECT type, payload FROM outbox WHERE key = %s ORDER BY seq", (payment_id,)
        ).fetchall()
    return [
        (kind, payload if isinstance(payload, dict) else json.loads(payload))
        for kind, payload in rows
    ]


def ledger_transactions(payment_id: str) -> int:
    return scalar("SELECT count(*) FROM ledger_transactions WHERE reference = %s", payment_id)


def provider_payment_id(confirmation_url: str) -> str:
    # http://127.0.0.1:8091/sandbox/payments/yookassa/<id>/confirm
    return confirmation_url.rstrip("/").split("/")[-2]


def game_purchase(game: PricedGame, amount: int = 99900) -> dict:
    return {
        "purpose": "game_purchase",
        "game_id": game.game_id,
        "amount": {"amount_minor": amount, "currency": "RUB"},
    }


def assert_ledger_ok() -> None:
    report = asyncio.run(run_check(PAYMENT_DB_URL))
    assert report.ok, report.render()
