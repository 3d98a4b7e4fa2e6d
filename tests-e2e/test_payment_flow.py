"""The payment flow end to end through the gateway and the provider sandbox: a developer prices
a game, a player pays for it at the sandbox's page, the sandbox notifies payment's webhook,
payment confirms the status at the provider and books it once (ledger, outbox, audit)."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import psycopg
import pytest
from e2e_platform import DATABASES, GATEWAY, user_token, wait_until
from parovoz_payment.jobs.ledger_check import run_check

PORTAL = f"{GATEWAY}/api/v1/developer"
PAYMENTS = f"{GATEWAY}/api/v1/payments"
SANDBOX = "http://127.0.0.1:8091/sandbox"
WEBHOOK = "http://127.0.0.1:8084/webhooks/yookassa"
PAYMENT_DB_URL = "postgresql+psycopg://payment:payment-dev-password@127.0.0.1:55432/payment"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class PricedGame:
    """A developer account with one game priced at developer-portal (copied from
    test_game_prices.py), once the price reached payment's price table."""

    def __init__(self, base_minor: int) -> None:
        token = user_token(str(uuid.uuid4()))
        account = httpx.post(
            f"{PORTAL}/accounts",
            headers=_auth(token),
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
        game = httpx.post(
            f"{PORTAL}/games",
            headers=_auth(token),
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
        put = httpx.put(f"{PORTAL}/games/{self.game_id}/prices", json=prices, headers=_auth(token))
        assert put.status_code == 200, put.text
        assert wait_until(
            lambda: _scalar("SELECT 1 FROM game_prices WHERE game_id = %s", self.game_id)
        )


@pytest.fixture(scope="module")
def game() -> PricedGame:
    return PricedGame(99900)


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
        headers = {**_auth(self.token), "Idempotency-Key": key or str(uuid.uuid4())}
        return httpx.post(PAYMENTS, json=body, headers=headers)

    def get(self, payment_id: str) -> httpx.Response:
        return httpx.get(f"{PAYMENTS}/{payment_id}", headers=_auth(self.token))

    def wait_for(self, payment_id: str, status: str) -> dict:
        attributes = wait_until(
            lambda: (
                (a := self.get(payment_id).json()["data"]["attributes"])["status"] == status and a
            )
        )
        assert attributes, f"payment {payment_id} never became {status}"
        return attributes


def _scalar(query: str, *params: object) -> object:
    with psycopg.connect(DATABASES["payment"]) as connection:
        row = connection.execute(query, params).fetchone()
    return None if row is None else row[0]


def _events(payment_id: str) -> list[tuple[str, dict]]:
    with psycopg.connect(DATABASES["payment"]) as connection:
        rows = connection.execute(
            "SELECT type, payload FROM outbox WHERE key = %s ORDER BY seq", (payment_id,)
        ).fetchall()
    return [
        (kind, payload if isinstance(payload, dict) else json.loads(payload))
        for kind, payload in rows
    ]


def _ledger_transactions(payment_id: str) -> int:
    return _scalar("SELECT count(*) FROM ledger_transactions WHERE reference = %s", payment_id)


def _provider_payment_id(confirmation_url: str) -> str:
    # http://127.0.0.1:8091/sandbox/payments/yookassa/<id>/confirm
    return confirmation_url.rstrip("/").split("/")[-2]


def _game_purchase(game: PricedGame, amount: int = 99900) -> dict:
    return {
        "purpose": "game_purchase",
        "game_id": game.game_id,
        "amount": {"amount_minor": amount, "currency": "RUB"},
    }


def _ledger_ok() -> None:
    report = asyncio.run(run_check(PAYMENT_DB_URL))
    assert report.ok, report.render()


def test_a_player_buys_a_game_and_it_is_booked_once(game: PricedGame) -> None:
    player = Player()
    created = player.pay(_game_purchase(game))
    assert created.status_code == 201, created.text
    payment = created.json()["data"]
    attributes = payment["attributes"]
    assert attributes["status"] == "pending"
    assert attributes["amount"] == {"amount_minor": 99900, "currency": "RUB"}
    assert attributes["provider"] == "yookassa" and attributes["confirmation_url"]

    confirm = httpx.get(attributes["confirmation_url"], follow_redirects=False)
    assert confirm.status_code == 303
    done = player.wait_for(payment["id"], "succeeded")
    assert done["succeeded_at"]

    events = _events(payment["id"])
    assert [kind for kind, _ in events] == ["payment.payment.succeeded.v1"]
    data = events[0][1]
    assert data["game_id"] == game.game_id and data["amount"]["amount_minor"] == 99900
    assert _ledger_transactions(payment["id"]) == 1
    actions = _scalar(
        "SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE subject_id = %s",
        payment["id"],
    )
    assert actions == "payment.created,payment.succeeded"
    _ledger_ok()

    # The payer and services see it; anybody else gets 404.
    assert (
        httpx.get(
            f"{PAYMENTS}/{payment['id']}", headers=_auth(user_token(str(uuid.uuid4())))
        ).status_code
        == 404
    )
    service = httpx.get(
        f"{PAYMENTS}/{payment['id']}", headers=_auth(user_token("service:greenlight"))
    )
    assert service.status_code == 200, service.text

    # The same notification 10 times, shuffled: still one transaction and one event.
    replay = httpx.post(
        f"{SANDBOX}/notifications/replay",
        json={
            "provider": "yookassa",
            "payment_id": _provider_payment_id(attributes["confirmation_url"]),
            "order": "shuffled",
            "repeat": 10,
        },
        timeout=60,
    )
    assert replay.status_code == 200, replay.text
    deliveries = replay.json()["deliveries"]
    assert len(deliveries) >= 10 and all(d["status_code"] == 200 for d in deliveries)
    assert _ledger_transactions(payment["id"]) == 1
    assert len(_events(payment["id"])) == 1
    _ledger_ok()


def test_a_wrong_amount_or_an_unpriced_game_is_refused(game: PricedGame) -> None:
    player = Player()
    wrong = player.pay(_game_purchase(game, amount=100))
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["code"] == "AMOUNT_MISMATCH"
    unpriced = player.pay(
        {
            "purpose": "game_purchase",
            "game_id": str(uuid.uuid4()),
            "amount": {"amount_minor": 100, "currency": "RUB"},
        }
    )
    assert unpriced.status_code == 422
    assert unpriced.json()["errors"][0]["code"] == "GAME_NOT_FOR_SALE"
    assert _scalar("SELECT count(*) FROM payments WHERE user_id = %s", player.id) == 0


def test_a_retry_with_the_same_key_returns_the_same_payment(game: PricedGame) -> None:
    player = Player()
    key = str(uuid.uuid4())
    first = player.pay(_game_purchase(game), key=key)
    second = player.pay(_game_purchase(game), key=key)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.json()["data"]["id"] == first.json()["data"]["id"]
    assert _scalar("SELECT count(*) FROM payments WHERE user_id = %s", player.id) == 1
    missing = httpx.post(PAYMENTS, json={}, headers=_auth(player.token))
    assert missing.status_code == 422


def test_a_forged_notification_is_refused_and_changes_nothing(game: PricedGame) -> None:
    player = Player()
    payment = player.pay(_game_purchase(game)).json()["data"]
    provider_id = _provider_payment_id(payment["attributes"]["confirmation_url"])
    forged = json.dumps(
        {
            "type": "notification",
            "event": "payment.succeeded",
            "object": {
                "id": provider_id,
                "status": "succeeded",
                "paid": True,
                "amount": {"value": "999.00", "currency": "RUB"},
                "metadata": {"payment_id": payment["id"]},
            },
        }
    ).encode()
    for headers in ({"X-Sandbox-Signature": "0" * 64}, {}):
        answer = httpx.post(
            WEBHOOK, content=forged, headers={"Content-Type": "application/json", **headers}
        )
        assert answer.status_code in (401, 403), answer.text
        assert answer.json()["errors"][0]["code"]
    assert player.get(payment["id"]).json()["data"]["attributes"]["status"] == "pending"
    assert _ledger_transactions(payment["id"]) == 0
    assert _events(payment["id"]) == []


def test_insufficient_funds_cancel_the_payment_with_the_reason() -> None:
    player = Player()
    created = player.pay(
        {"purpose": "donation", "amount": {"amount_minor": 50013, "currency": "RUB"}}
    )
    assert created.status_code == 201, created.text
    payment = created.json()["data"]
    httpx.get(payment["attributes"]["confirmation_url"], follow_redirects=False)
    cancelled = player.wait_for(payment["id"], "cancelled")
    assert cancelled["cancellation_reason"] == "insufficient_funds"
    events = _events(payment["id"])
    assert [kind for kind, _ in events] == ["payment.payment.cancelled.v1"]
    assert events[0][1]["cancellation_reason"] == "insufficient_funds"
    assert _ledger_transactions(payment["id"]) == 0
