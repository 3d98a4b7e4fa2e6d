"""Wallet top-ups, 54-FZ receipts and saved methods end to end (gateway + provider sandbox):
a top-up credits the wallet once confirmed, its limits answer 422 with the domain's codes, a
succeeded purchase has exactly one receipt the sandbox registers, and a payment made with
``save_method`` leaves one saved method its owner sees (without the provider's token)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import psycopg
import pytest
from e2e_payments import Player, PricedGame, game_purchase, provider_payment_id
from parovoz_payment.jobs.ledger_check import run_check
from parovoz_testing.platform import DATABASES, GATEWAY, wait_until
from parovoz_testing.tokens import user_token

PAYMENTS = f"{GATEWAY}/api/v1/payments"
SANDBOX = "http://127.0.0.1:8091"
PAYMENT_DB_URL = "postgresql+psycopg://payment:payment-dev-password@127.0.0.1:55432/payment"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _rows(query: str, *params: object) -> list[tuple]:
    with psycopg.connect(DATABASES["payment"]) as connection:
        return connection.execute(query, params).fetchall()


def assert_ledger_ok() -> None:
    report = asyncio.run(run_check(PAYMENT_DB_URL))
    assert report.ok, report.render()


def _balance(player: Player) -> int:
    wallet = httpx.get(f"{PAYMENTS}/wallet", headers=auth(player.token))
    assert wallet.status_code == 200, wallet.text
    return wallet.json()["data"]["attributes"]["balance"]["amount_minor"]


def _receipts(payment_id: str) -> list[tuple]:
    return _rows(
        "SELECT type, items, customer, total_minor, status, provider_receipt_id "
        "FROM receipts WHERE payment_id = %s",
        payment_id,
    )


def _receipt_status(payment_id: str) -> str | None:
    found = _receipts(payment_id)
    return found[0][4] if found else None


def test_a_top_up_credits_the_wallet_once_and_has_an_advance_receipt() -> None:
    player = Player()
    assert _balance(player) == 0
    key = str(uuid.uuid4())
    created = player.top_up(150_000, key=key)
    replay = player.top_up(150_000, key=key)
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["data"]["id"] == created.json()["data"]["id"]
    payment = player.paid(created)
    assert payment["attributes"]["purpose"] == "wallet_top_up"
    assert wait_until(lambda: _balance(player) == 150_000)
    assert len(_rows("SELECT 1 FROM payments WHERE user_id = %s", player.id)) == 1

    assert wait_until(lambda: _receipt_status(payment["id"]) == "succeeded", timeout=20)
    [(kind, items, customer, total, _, provider_id)] = _receipts(payment["id"])
    assert kind == "payment" and total == 150_000 and provider_id
    assert customer == {"email": "wallet@example.com"}
    assert [(i["payment_subject"], i["payment_mode"]) for i in items] == [("payment", "advance")]
    assert_ledger_ok()


def test_top_up_limits_answer_422_with_the_domain_codes() -> None:
    player = Player()

    def refused(amount_minor: int) -> dict:
        answer = player.top_up(amount_minor)
        assert answer.status_code == 422, answer.text
        return answer.json()["errors"][0]

    low = refused(9_999)
    assert low["code"] == "TOP_UP_BELOW_MINIMUM"
    assert low["source"] == {"pointer": "/data/attributes/amount"}
    assert refused(1_500_001)["code"] == "TOP_UP_ABOVE_MAXIMUM"
    # 4 × 15,000.00 fill the wallet to its 60,000.00 cap; one more kopeck is over it.
    for _ in range(4):
        player.paid(player.top_up(1_500_000))
    assert wait_until(lambda: _balance(player) == 6_000_000)
    assert refused(10_000)["code"] == "WALLET_BALANCE_CAP_EXCEEDED"
    assert refused(10_000)["code"] == "WALLET_BALANCE_CAP_EXCEEDED"
    wallet_method = player.top_up(10_000, method="wallet")
    assert wallet_method.status_code == 422
    assert len(_rows("SELECT 1 FROM payments WHERE user_id = %s", player.id)) == 4
    assert_ledger_ok()


@pytest.fixture(scope="module")
def game() -> PricedGame:
    return PricedGame(54_900)


def test_a_purchase_has_one_receipt_and_saves_the_method_when_asked(game: PricedGame) -> None:
    player = Player()
    created = player.pay(
        {
            "purpose": "game_purchase",
            "game_id": game.game_id,
            "amount": {"amount_minor": 54_900, "currency": "RUB"},
            "save_method": True,
        }
    )
    payment = player.paid(created)

    assert wait_until(lambda: _receipt_status(payment["id"]) == "succeeded", timeout=20)
    [(kind, items, customer, total, _, provider_id)] = _receipts(payment["id"])
    assert kind == "payment" and provider_id and customer == {"email": "p@example.com"}
    assert sum(i["unit_price_minor"] * i["quantity"] for i in items) == total == 54_900
    assert [(i["payment_subject"], i["payment_mode"]) for i in items] == [
        ("service", "full_payment")
    ]
    assert items[0]["name"] in ("Платная игра", "Игра")  # the read model's title when known

    methods = httpx.get(f"{PAYMENTS}/methods", headers=auth(player.token))
    assert methods.status_code == 200, methods.text
    saved = methods.json()["data"]
    assert len(saved) == 1, saved
    token = _rows("SELECT provider_token FROM saved_methods WHERE user_id = %s", player.id)
    assert len(token) == 1 and token[0][0] not in methods.text
    # Somebody else sees none of it.
    stranger = httpx.get(f"{PAYMENTS}/methods", headers=auth(user_token(str(uuid.uuid4()))))
    assert stranger.status_code == 200 and stranger.json()["data"] == []
    assert_ledger_ok()


def test_a_purchase_without_save_method_saves_nothing(game: PricedGame) -> None:
    player = Player()
    created = player.pay(
        {
            "purpose": "game_purchase",
            "game_id": game.game_id,
            "amount": {"amount_minor": 54_900, "currency": "RUB"},
        }
    )
    payment = player.paid(created)
    assert wait_until(lambda: len(_receipts(payment["id"])) == 1)
    assert _rows("SELECT 1 FROM saved_methods WHERE user_id = %s", player.id) == []


def test_a_game_paid_wholly_from_the_wallet_gets_a_closing_receipt_on_the_top_up() -> None:
    """54-FZ: the top-up had an advance receipt; the game, handed over against that advance,
    gets a receipt settled as its offset (``prepayment``), linked at YooKassa to the top-up."""
    player = Player()
    top_up = player.paid(player.top_up(150_000))
    assert wait_until(lambda: _balance(player) == 150_000)
    game = PricedGame(59_900)

    bought = player.pay({**game_purchase(game, 59_900), "method": "wallet", "use_wallet": True})

    assert bought.status_code == 201, bought.text
    assert bought.json()["data"]["attributes"]["status"] == "succeeded"
    purchase_id = bought.json()["data"]["id"]
    assert wait_until(lambda: _receipt_status(purchase_id) == "succeeded", timeout=20)
    [(advance_id, provider, registered_id)] = _rows(
        "SELECT advance_payment_id, provider, provider_receipt_id FROM receipts "
        "WHERE payment_id = %s",
        purchase_id,
    )
    assert (str(advance_id), provider) == (top_up["id"], "yookassa")
    at_sandbox = httpx.get(
        f"{SANDBOX}/v3/receipts/{registered_id}", auth=("sandbox-shop", "sandbox-secret-key")
    ).json()
    top_up_at_provider = provider_payment_id(top_up["attributes"]["confirmation_url"])
    assert at_sandbox["payment_id"] == top_up_at_provider
    assert at_sandbox["settlements"] == [
        {"type": "prepayment", "amount": {"value": "599.00", "currency": "RUB"}}
    ]
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("amount_minor", "code"),
    [(100, "TOP_UP_BELOW_MINIMUM"), (2_000_000, "TOP_UP_ABOVE_MAXIMUM")],
)
def test_a_top_up_through_payments_obeys_the_same_limits(amount_minor: int, code: str) -> None:
    """Issue #12 item 2: 1.00 and 20,000.00 RUB were credited through `POST /payments`."""
    player = Player()
    for answer in (
        player.pay(
            {
                "purpose": "wallet_top_up",
                "amount": {"amount_minor": amount_minor, "currency": "RUB"},
            }
        ),
        player.top_up(amount_minor),
    ):
        assert answer.status_code == 422, answer.text
        error = answer.json()["errors"][0]
        assert (error["code"], error["source"]) == (code, {"pointer": "/data/attributes/amount"})
    assert _rows("SELECT 1 FROM payments WHERE user_id = %s", player.id) == []
