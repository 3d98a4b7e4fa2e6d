"""The payment flow end to end through the gateway and the provider sandbox: a developer prices
a game, a player pays for it at the sandbox's page, the sandbox notifies payment's webhook,
payment confirms the status at the provider and books it once (ledger, outbox, audit)."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from e2e_payments import (
    PAYMENTS,
    SANDBOX,
    WEBHOOK,
    Player,
    PricedGame,
    assert_ledger_ok,
    auth,
    events_of,
    game_purchase,
    ledger_transactions,
    provider_payment_id,
    scalar,
)
from parovoz_testing.tokens import user_token


@pytest.fixture(scope="module")
def game() -> PricedGame:
    return PricedGame(99900)


def test_a_player_buys_a_game_and_it_is_booked_once(game: PricedGame) -> None:
    player = Player()
    created = player.pay(game_purchase(game))
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

    events = events_of(payment["id"])
    assert [kind for kind, _ in events] == ["payment.payment.succeeded.v1"]
    data = events[0][1]
    assert data["game_id"] == game.game_id and data["amount"]["amount_minor"] == 99900
    assert ledger_transactions(payment["id"]) == 1
    actions = scalar(
        "SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE subject_id = %s",
        payment["id"],
    )
    assert actions == "payment.created,payment.succeeded"
    assert_ledger_ok()

    # The payer and services see it; anybody else gets 404.
    assert (
        httpx.get(
            f"{PAYMENTS}/{payment['id']}", headers=auth(user_token(str(uuid.uuid4())))
        ).status_code
        == 404
    )
    service = httpx.get(
        f"{PAYMENTS}/{payment['id']}", headers=auth(user_token("service:greenlight"))
    )
    assert service.status_code == 200, service.text

    # The same notification 10 times, shuffled: still one transaction and one event.
    replay = httpx.post(
        f"{SANDBOX}/notifications/replay",
        json={
            "provider": "yookassa",
            "payment_id": provider_payment_id(attributes["confirmation_url"]),
            "order": "shuffled",
            "repeat": 10,
        },
        timeout=60,
    )
    assert replay.status_code == 200, replay.text
    deliveries = replay.json()["deliveries"]
    assert len(deliveries) >= 10 and all(d["status_code"] == 200 for d in deliveries)
    assert ledger_transactions(payment["id"]) == 1
    assert len(events_of(payment["id"])) == 1
    assert_ledger_ok()


def test_a_wrong_amount_or_an_unpublished_game_is_refused(game: PricedGame) -> None:
    player = Player()
    wrong = player.pay(game_purchase(game, amount=100))
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["code"] == "AMOUNT_MISMATCH"
    unknown = player.pay(
        {
            "purpose": "game_purchase",
            "game_id": str(uuid.uuid4()),
            "amount": {"amount_minor": 100, "currency": "RUB"},
        }
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["code"] == "GAME_NOT_PUBLISHED"
    # Priced at developer-portal but never reviewed nor published: not for sale either.
    unpublished = PricedGame(99900, published=False)
    refused = player.pay(game_purchase(unpublished))
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["code"] == "GAME_NOT_PUBLISHED"
    assert scalar("SELECT count(*) FROM payments WHERE user_id = %s", player.id) == 0


def test_a_retry_with_the_same_key_returns_the_same_payment(game: PricedGame) -> None:
    player = Player()
    key = str(uuid.uuid4())
    first = player.pay(game_purchase(game), key=key)
    second = player.pay(game_purchase(game), key=key)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.json()["data"]["id"] == first.json()["data"]["id"]
    assert scalar("SELECT count(*) FROM payments WHERE user_id = %s", player.id) == 1
    missing = httpx.post(PAYMENTS, json={}, headers=auth(player.token))
    assert missing.status_code == 400
    sources = {tuple(error.get("source", {}).items()) for error in missing.json()["errors"]}
    assert (("parameter", "Idempotency-Key"),) in sources  # the key is required, said so


def test_a_forged_notification_is_refused_and_changes_nothing(game: PricedGame) -> None:
    player = Player()
    payment = player.pay(game_purchase(game)).json()["data"]
    provider_id = provider_payment_id(payment["attributes"]["confirmation_url"])
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
    assert ledger_transactions(payment["id"]) == 0
    assert events_of(payment["id"]) == []


def test_a_player_starts_no_service_purpose_and_no_preorder_payment() -> None:
    player = Player()
    for purpose in ("subscription", "greenlight_fee", "preorder"):
        refused = player.pay(
            {
                "purpose": purpose,
                "amount": {"amount_minor": 1, "currency": "RUB"},
                "reference": str(uuid.uuid4()),
                **({"game_id": str(uuid.uuid4())} if purpose == "preorder" else {}),
            }
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["code"] == "PAYMENT_PURPOSE_NOT_ALLOWED"
    assert scalar("SELECT count(*) FROM payments WHERE user_id = %s", player.id) == 0


def test_insufficient_funds_cancel_the_payment_with_the_reason() -> None:
    player = Player()
    created = player.top_up(50013)
    assert created.status_code == 201, created.text
    payment = created.json()["data"]
    httpx.get(payment["attributes"]["confirmation_url"], follow_redirects=False)
    cancelled = player.wait_for(payment["id"], "cancelled")
    assert cancelled["cancellation_reason"] == "insufficient_funds"
    events = events_of(payment["id"])
    assert [kind for kind, _ in events] == ["payment.payment.cancelled.v1"]
    assert events[0][1]["cancellation_reason"] == "insufficient_funds"
    assert ledger_transactions(payment["id"]) == 0
