"""Refunds end to end through the gateway and the provider sandbox: a player buys a game at
the sandbox, then refunds it in parts (the card gets the money back at the sandbox), to the
wallet, and through an admin's review when the purchase is too old for an automatic refund."""

from __future__ import annotations

import uuid

import httpx
import psycopg
import pytest
from e2e_payments import (
    PAYMENTS,
    SANDBOX,
    Player,
    PricedGame,
    assert_ledger_ok,
    auth,
    events_of,
    scalar,
)
from parovoz_testing.platform import DATABASES, wait_until
from parovoz_testing.tokens import user_token

ADMIN = f"{PAYMENTS}/admin/refunds"


@pytest.fixture(scope="module")
def game() -> PricedGame:
    return PricedGame(99900)


def bought(player: Player, game: PricedGame) -> str:
    """A succeeded card purchase of ``game`` by ``player``: its payment id."""
    created = player.pay(
        {
            "purpose": "game_purchase",
            "game_id": game.game_id,
            "amount": {"amount_minor": 99900, "currency": "RUB"},
        }
    )
    assert created.status_code == 201, created.text
    payment = created.json()["data"]
    confirm = httpx.get(payment["attributes"]["confirmation_url"], follow_redirects=False)
    assert confirm.status_code == 303
    player.wait_for(payment["id"], "succeeded")
    return payment["id"]


def refund(
    token: str,
    payment_id: str,
    amount_minor: int | None,
    destination: str = "original_method",
    key: str | None = None,
) -> httpx.Response:
    amount = None if amount_minor is None else {"amount_minor": amount_minor, "currency": "RUB"}
    body = {
        "data": {
            "type": "refundRequest",
            "attributes": {
                "amount": amount,
                "reason": "customer_request",
                "destination": destination,
            },
        }
    }
    headers = {**auth(token), "Idempotency-Key": key or str(uuid.uuid4())}
    return httpx.post(f"{PAYMENTS}/{payment_id}/refunds", json=body, headers=headers)


def decide(token: str, refund_id: str, decision: str) -> httpx.Response:
    body = {
        "data": {
            "type": "refundDecision",
            "attributes": {"decision": decision, "comment": "checked"},
        }
    }
    return httpx.post(f"{ADMIN}/{refund_id}/decision", json=body, headers=auth(token))


def wallet_balance(player: Player) -> int:
    wallet = httpx.get(f"{PAYMENTS}/wallet", headers=auth(player.token))
    assert wallet.status_code == 200, wallet.text
    return wallet.json()["data"]["attributes"]["balance"]["amount_minor"]


def refund_events(payment_id: str) -> list[tuple[str, dict]]:
    return [(kind, data) for kind, data in events_of(payment_id) if ".refund." in kind]


def test_partial_refunds_to_the_card_up_to_the_captured_amount(game: PricedGame) -> None:
    player = Player()
    payment_id = bought(player, game)

    key = str(uuid.uuid4())
    first = refund(player.token, payment_id, 30000, key=key)
    assert first.status_code == 201, first.text
    attributes = first.json()["data"]["attributes"]
    assert attributes["status"] == "succeeded"
    assert attributes["to_method"]["amount_minor"] == 30000
    # The same Idempotency-Key again: the same refund, no second one.
    replay = refund(player.token, payment_id, 30000, key=key)
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["data"]["id"] == first.json()["data"]["id"]

    second = refund(player.token, payment_id, 69900)  # exactly the rest
    assert second.status_code == 201, second.text
    assert second.json()["data"]["attributes"]["status"] == "succeeded"
    third = refund(player.token, payment_id, 1)
    assert third.status_code == 422, third.text
    assert third.json()["errors"][0]["code"] == "REFUND_EXCEEDS_CAPTURED"

    listed = httpx.get(f"{PAYMENTS}/{payment_id}/refunds", headers=auth(player.token))
    assert listed.status_code == 200
    assert [r["attributes"]["amount"]["amount_minor"] for r in listed.json()["data"]] == [
        30000,
        69900,
    ]
    events = refund_events(payment_id)
    assert [kind for kind, _ in events] == ["payment.refund.succeeded.v1"] * 2
    last = events[-1][1]
    assert last["refunded_total"]["amount_minor"] == 99900 and last["fully_refunded"] is True
    assert last["game_id"] == game.game_id and last["destination"] == "original_method"
    assert scalar("SELECT refunded_amount_minor FROM payments WHERE id = %s", payment_id) == 99900
    assert wallet_balance(player) == 0
    assert_ledger_ok()


def test_strangers_and_services(game: PricedGame) -> None:
    player = Player()
    payment_id = bought(player, game)
    stranger = user_token(str(uuid.uuid4()))
    assert refund(stranger, payment_id, 100).status_code == 404
    listed = httpx.get(f"{PAYMENTS}/{payment_id}/refunds", headers=auth(stranger))
    assert listed.status_code == 404
    missing_key = httpx.post(
        f"{PAYMENTS}/{payment_id}/refunds",
        json={"data": {"type": "refundRequest", "attributes": {}}},
        headers=auth(player.token),
    )
    assert missing_key.status_code in (400, 422), missing_key.text
    # A service may refund any payment.
    by_service = refund(user_token("service:subscription"), payment_id, 100)
    assert by_service.status_code == 201, by_service.text
    assert by_service.json()["data"]["attributes"]["status"] == "succeeded"


def test_a_refund_to_the_wallet_credits_the_wallet(game: PricedGame) -> None:
    player = Player()
    payment_id = bought(player, game)
    response = refund(player.token, payment_id, None, destination="wallet")
    assert response.status_code == 201, response.text
    attributes = response.json()["data"]["attributes"]
    assert attributes["status"] == "succeeded" and attributes["destination"] == "wallet"
    assert attributes["amount"]["amount_minor"] == 99900
    assert wallet_balance(player) == 99900
    assert [kind for kind, _ in refund_events(payment_id)] == ["payment.refund.succeeded.v1"]
    assert_ledger_ok()


def test_an_old_purchase_waits_for_an_admin(game: PricedGame) -> None:
    player = Player()
    payment_id = bought(player, game)
    # 15 days later (the automatic window is 14): back-date the purchase.
    with psycopg.connect(DATABASES["payment"]) as connection:
        connection.execute(
            "UPDATE payments SET created_at = created_at - interval '15 days', "
            "succeeded_at = succeeded_at - interval '15 days' WHERE id = %s",
            (payment_id,),
        )
    to_reject = refund(player.token, payment_id, 40000)
    assert to_reject.status_code == 201, to_reject.text
    assert to_reject.json()["data"]["attributes"]["status"] == "requires_review"
    to_approve = refund(player.token, payment_id, None, destination="wallet")
    assert to_approve.json()["data"]["attributes"]["amount"]["amount_minor"] == 59900

    rejected_id, approved_id = to_reject.json()["data"]["id"], to_approve.json()["data"]["id"]
    assert decide(player.token, approved_id, "approve").status_code == 403  # not an admin

    admin = user_token(str(uuid.uuid4()), roles=("admin",))
    rejected = decide(admin, rejected_id, "reject")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["data"]["attributes"]["status"] == "failed"
    assert wallet_balance(player) == 0
    approved = decide(admin, approved_id, "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["data"]["attributes"]["status"] == "succeeded"
    assert wallet_balance(player) == 59900
    assert decide(admin, approved_id, "reject").status_code == 422  # already decided
    assert [kind for kind, _ in refund_events(payment_id)] == [
        "payment.refund.failed.v1",
        "payment.refund.succeeded.v1",
    ]
    assert scalar("SELECT refunded_amount_minor FROM payments WHERE id = %s", payment_id) == 59900
    assert_ledger_ok()


def test_a_refund_the_provider_finishes_later_completes_by_its_notification(
    game: PricedGame,
) -> None:
    player = Player()
    payment_id = bought(player, game)
    provider_id = scalar("SELECT provider_payment_id FROM payments WHERE id = %s", payment_id)
    held = httpx.post(
        f"{SANDBOX}/payments/yookassa/{provider_id}/outcome",
        json={"refund_outcome": "pending"},
    )
    assert held.status_code == 200, held.text

    asked = refund(player.token, payment_id, 40000)
    assert asked.status_code == 201, asked.text
    refund_id = asked.json()["data"]["id"]
    assert asked.json()["data"]["attributes"]["status"] == "pending"
    assert refund_events(payment_id) == []

    # The bank finishes it: the sandbox sends `refund.succeeded` to payment's webhook.
    provider_refund = scalar("SELECT provider_refund_id FROM refunds WHERE id = %s", refund_id)
    done = httpx.post(
        f"{SANDBOX}/refunds/yookassa/{provider_refund}/outcome",
        json={"outcome": "succeed"},
    )
    assert done.status_code == 200, done.text

    def settled() -> bool:
        listed = httpx.get(f"{PAYMENTS}/{payment_id}/refunds", headers=auth(player.token))
        return listed.json()["data"][0]["attributes"]["status"] == "succeeded"

    wait_until(settled, timeout=15)
    assert [kind for kind, _ in refund_events(payment_id)] == ["payment.refund.succeeded.v1"]
    assert scalar("SELECT refunded_amount_minor FROM payments WHERE id = %s", payment_id) == 40000
    assert_ledger_ok()
