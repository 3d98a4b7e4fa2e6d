"""Preorders, bought gift cards, chargebacks and the payout schedule end to end, through the
gateway and the provider sandbox only: a fully prepaid preorder becomes a sale when the game is
first published (developer-portal's event on the broker, then payment's ``preorders-release``
job), a gift card bought by card is revealed once and pays another player's game, a disputed
card purchase locks its buyer's wallet until the dispute ends and leaves the developer a
negative sale when lost, and a studio chooses monthly automatic payouts."""

from __future__ import annotations

import uuid

import httpx
from e2e_payments import (
    PAYMENTS,
    PORTAL,
    SANDBOX,
    Player,
    PricedGame,
    assert_ledger_ok,
    auth,
    events_of,
    game_purchase,
    open_developer_account,
    provider_payment_id,
    publish_game,
    scalar,
)
from parovoz_testing.platform import AUTH, wait_until
from parovoz_testing.tokens import user_token

PREORDERS = f"{PAYMENTS}/preorders"
GIFT_CARD_PURCHASES = f"{PAYMENTS}/gift-cards/purchases"
FINANCE = f"{PORTAL}/finance"
PAYMENT_ROOT = "http://127.0.0.1:8084"


def _service_token() -> str:
    answer = httpx.post(
        f"{AUTH}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "payment",
            "client_secret": "payment-dev-secret",
        },
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def _run_payment_job(name: str) -> None:
    """The leased job, now, in a period of its own (so this run is ours, not already done)."""
    answer = httpx.post(
        f"{PAYMENT_ROOT}/internal/jobs/{name}/run",
        params={"period": f"e2e-{uuid.uuid4().hex}"},
        headers=auth(_service_token()),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["attributes"]["outcome"] == "ran"


def _confirm(confirmation_url: str) -> None:
    """The buyer pays at the sandbox's page (the default outcome: success)."""
    answer = httpx.get(confirmation_url, follow_redirects=False)
    assert answer.status_code == 303, answer.text


def _sales_days(game: PricedGame) -> list[dict]:
    answer = httpx.get(
        f"{FINANCE}/sales", params={"filter[game_id]": game.game_id}, headers=auth(game.token)
    )
    assert answer.status_code == 200, answer.text
    return [day["attributes"] for day in answer.json()["data"]]


# -- 1. a preorder becomes a sale at the release -----------------------------------------
def _preorder(player: Player, game: PricedGame, key: str | None = None) -> httpx.Response:
    body = {
        "data": {
            "type": "preorderCreation",
            "attributes": {
                "game_id": game.game_id,
                "region": "RU",
                "currency": "RUB",
                "prepayment": "full",
                "method": "bank_card",
                "return_url": "https://store.example/preorders",
                "customer_email": "preorder@example.com",
            },
        }
    }
    headers = {**auth(player.token), "Idempotency-Key": key or str(uuid.uuid4())}
    return httpx.post(PREORDERS, json=body, headers=headers)


def _preorder_status(player: Player, preorder_id: str) -> dict:
    answer = httpx.get(f"{PREORDERS}/{preorder_id}", headers=auth(player.token))
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["attributes"]


def _publish(game: PricedGame) -> None:
    """developer-portal's publication of the game (its event on the broker): the release."""
    publish_game(game.developer_id, game.game_id)


def test_a_fully_prepaid_preorder_becomes_a_sale_when_the_game_is_released() -> None:
    game = PricedGame(99_900, published=False)  # not released yet
    player = Player()
    key = str(uuid.uuid4())
    created = _preorder(player, game, key)
    assert created.status_code == 201, created.text
    preorder = created.json()["data"]
    attributes = preorder["attributes"]
    assert attributes["status"] == "awaiting_prepayment"
    assert attributes["prepayment_amount"] == {"amount_minor": 99_900, "currency": "RUB"}
    assert attributes["remainder_amount"]["amount_minor"] == 0
    replay = _preorder(player, game, key)
    assert replay.status_code == 201 and replay.json()["data"]["id"] == preorder["id"]

    _confirm(attributes["confirmation_url"])
    prepaid = wait_until(
        lambda: (a := _preorder_status(player, preorder["id"]))["status"] == "prepaid" and a
    )
    assert prepaid, _preorder_status(player, preorder["id"])
    payment_id = prepaid["prepayment_payment_id"]
    # An advance until the release: no sale for the developer yet.
    assert scalar("SELECT count(*) FROM game_sales WHERE payment_id = %s", payment_id) == 0
    listing = httpx.get(PREORDERS, headers=auth(player.token)).json()["data"]
    assert [p["id"] for p in listing] == [preorder["id"]]

    _publish(game)
    assert wait_until(
        lambda: scalar("SELECT 1 FROM game_releases WHERE game_id = %s", game.game_id)
    ), "payment never heard of the release"
    late = _preorder(Player(), game)
    assert late.status_code == 422, late.text
    assert late.json()["errors"][0]["code"] == "GAME_ALREADY_RELEASED"

    _run_payment_job("preorders-release")
    completed = wait_until(
        lambda: (a := _preorder_status(player, preorder["id"]))["status"] == "completed" and a
    )
    assert completed, _preorder_status(player, preorder["id"])
    assert completed["completed_at"] and completed["remainder_payment_id"] is None
    assert scalar("SELECT count(*) FROM game_sales WHERE payment_id = %s", payment_id) == 1
    days = wait_until(lambda: _sales_days(game))
    assert [(d["units_sold"], d["units_refunded"], d["gross"]["amount_minor"]) for d in days] == [
        (1, 0, 99_900)
    ]
    # Released: the preorder can no longer be cancelled.
    cancel = httpx.post(f"{PREORDERS}/{preorder['id']}/cancel", headers=auth(player.token))
    assert cancel.status_code == 422, cancel.text
    assert cancel.json()["errors"][0]["code"] == "PREORDER_NOT_CANCELLABLE"
    assert_ledger_ok()


# -- 2. a gift card bought by card pays somebody else's game -----------------------------
def _buy_gift_card(player: Player, amount_minor: int) -> dict:
    body = {
        "data": {
            "type": "giftCardPurchase",
            "attributes": {
                "amount": {"amount_minor": amount_minor, "currency": "RUB"},
                "method": "bank_card",
                "return_url": "https://store.example/gift-cards",
                "customer_email": "gift@example.com",
                "recipient_email": "friend@example.com",
                "message": "С днём рождения!",
            },
        }
    }
    headers = {**auth(player.token), "Idempotency-Key": str(uuid.uuid4())}
    answer = httpx.post(GIFT_CARD_PURCHASES, json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]


def test_a_bought_gift_card_is_revealed_once_and_pays_another_players_game() -> None:
    buyer, friend = Player(), Player()
    purchase = _buy_gift_card(buyer, 100_000)
    assert purchase["attributes"]["purpose"] == "gift_card"
    _confirm(purchase["attributes"]["confirmation_url"])
    buyer.wait_for(purchase["id"], "succeeded")

    reveal_url = f"{GIFT_CARD_PURCHASES}/{purchase['id']}/reveal"
    assert httpx.post(reveal_url, headers=auth(friend.token)).status_code == 404
    # The card is issued by the settlement, a moment after the payment reads succeeded.
    revealed = wait_until(
        lambda: (r := httpx.post(reveal_url, headers=auth(buyer.token))).status_code == 200 and r
    )
    assert revealed, httpx.post(reveal_url, headers=auth(buyer.token)).text
    assert revealed.headers["cache-control"] == "no-store"
    card = revealed.json()["data"]["attributes"]
    assert card["value"] == {"amount_minor": 100_000, "currency": "RUB"}
    again = httpx.post(reveal_url, headers=auth(buyer.token))
    assert again.status_code == 409, again.text
    assert again.json()["errors"][0]["code"] == "GIFT_CARD_ALREADY_REVEALED"
    assert card["code"] not in again.text

    game = PricedGame(59_900)
    bought = friend.pay({**game_purchase(game, 59_900), "gift_card_codes": [card["code"]]})
    assert bought.status_code == 201, bought.text
    paid = bought.json()["data"]["attributes"]
    # Wholly paid by the card: no provider, done at once.
    assert paid["status"] == "succeeded" and paid["confirmation_url"] is None
    assert paid["gift_card_amount"] == {"amount_minor": 59_900, "currency": "RUB"}
    left = httpx.post(
        f"{PAYMENTS}/gift-cards/balance-check",
        headers=auth(friend.token),
        json={"data": {"type": "giftCardBalanceCheck", "attributes": {"code": card["code"]}}},
    )
    assert left.status_code == 200, left.text
    assert left.json()["data"]["attributes"]["available"]["amount_minor"] == 40_100
    assert_ledger_ok()


# -- 3. a disputed card purchase ---------------------------------------------------------
def _wallet(player: Player) -> dict:
    answer = httpx.get(f"{PAYMENTS}/wallet", headers=auth(player.token))
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["attributes"]


def _pay_from_wallet(player: Player, game: PricedGame, amount_minor: int) -> httpx.Response:
    return player.pay({**game_purchase(game, amount_minor), "method": "wallet", "use_wallet": True})


def _sale_events(game: PricedGame, payment_id: str) -> list[dict]:
    """payment's sale events of the payment (keyed by the game), in the order posted."""
    return [
        payload
        for kind, payload in events_of(game.game_id)
        if kind == "payment.sale.recorded.v1" and payload["payment_id"] == payment_id
    ]


def test_a_lost_dispute_locks_the_wallet_meanwhile_and_reverses_the_sale() -> None:
    game, other_game = PricedGame(64_900), PricedGame(19_900)
    buyer = Player()
    buyer.paid(buyer.top_up(100_000))
    assert wait_until(lambda: _wallet(buyer)["balance"]["amount_minor"] == 100_000)

    created = buyer.pay(game_purchase(game, 64_900))
    assert created.status_code == 201, created.text
    payment = created.json()["data"]
    _confirm(payment["attributes"]["confirmation_url"])
    buyer.wait_for(payment["id"], "succeeded")
    assert wait_until(lambda: _sales_days(game)), "the sale never reached developer-portal"

    at_provider = provider_payment_id(payment["attributes"]["confirmation_url"])
    opened = httpx.post(
        f"{SANDBOX}/payments/yookassa/{at_provider}/chargeback", json={"reason": "fraud"}
    )
    assert opened.status_code == 200, opened.text
    chargeback_id = opened.json()["id"]
    assert wait_until(lambda: _wallet(buyer)["locked"]), "the dispute never locked the wallet"

    refused = _pay_from_wallet(buyer, other_game, 19_900)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["code"] == "WALLET_LOCKED"
    assert _wallet(buyer)["balance"]["amount_minor"] == 100_000

    lost = httpx.post(
        f"{SANDBOX}/chargebacks/yookassa/{chargeback_id}/outcome", json={"outcome": "lost"}
    )
    assert lost.status_code == 200, lost.text
    assert wait_until(lambda: not _wallet(buyer)["locked"]), "the wallet stayed locked"

    [purchase, reversal] = _sale_events(game, payment["id"])
    assert purchase["kind"] == "purchase" and reversal["kind"] == "chargeback"
    assert reversal["gross_amount"] == {"amount_minor": -64_900, "currency": "RUB"}
    assert reversal["net_amount"]["amount_minor"] == -purchase["net_amount"]["amount_minor"]
    days = wait_until(lambda: (d := _sales_days(game)) and d[0]["units_refunded"] == 1 and d)
    assert days, _sales_days(game)
    [day] = days
    assert (day["units_sold"], day["gross"]["amount_minor"], day["net"]["amount_minor"]) == (
        1,
        0,
        0,
    )
    ledger = httpx.get(f"{FINANCE}/ledger", headers=auth(game.token))
    assert ledger.status_code == 200, ledger.text
    kinds = {e["attributes"]["kind"]: e["attributes"]["amount"] for e in ledger.json()["data"]}
    assert kinds["chargeback"]["amount_minor"] == -purchase["net_amount"]["amount_minor"]

    # Unlocked: the wallet pays again.
    again = _pay_from_wallet(buyer, other_game, 19_900)
    assert again.status_code == 201, again.text
    assert again.json()["data"]["attributes"]["status"] == "succeeded"
    assert wait_until(lambda: _wallet(buyer)["balance"]["amount_minor"] == 80_100)
    assert_ledger_ok()


# -- 4. the payout schedule --------------------------------------------------------------
PAYOUT_DETAILS = {
    "recipient_name": "ООО «Студия Оплата»",
    "inn": "7707083893",
    "kpp": "773601001",
    "bik": "044525225",
    "account_number": "40702810938000000001",
    "correspondent_account": "30101810400000000225",
    "bank_name": "ПАО Сбербанк",
}


def _schedule(mode: str, method_id: str | None = None) -> dict:
    attributes = {"mode": mode, **({"payout_method_id": method_id} if method_id else {})}
    return {"data": {"type": "payoutSchedules", "attributes": attributes}}


def test_a_studio_chooses_monthly_payouts_to_its_method() -> None:
    token = user_token(str(uuid.uuid4()))
    developer_id = open_developer_account(token)
    url = f"{FINANCE}/payout-schedule"
    initial = httpx.get(url, headers=auth(token))
    assert initial.status_code == 200, initial.text
    assert initial.json()["data"]["attributes"]["mode"] == "on_request"

    no_method = httpx.put(url, json=_schedule("monthly"), headers=auth(token))
    assert no_method.status_code == 422, no_method.text
    error = no_method.json()["errors"][0]
    assert error["code"] == "PAYOUT_METHOD_REQUIRED"
    assert error["source"]["pointer"] == "/data/attributes/payout_method_id"

    method = httpx.post(
        f"{FINANCE}/payout-methods",
        headers=auth(token),
        json={"data": {"type": "payoutMethods", "attributes": PAYOUT_DETAILS}},
    )
    assert method.status_code == 201, method.text
    method_id = method.json()["data"]["id"]
    chosen = httpx.put(url, json=_schedule("monthly", method_id), headers=auth(token))
    assert chosen.status_code == 200, chosen.text

    shown = httpx.get(url, headers=auth(token))
    assert shown.status_code == 200
    data = shown.json()["data"]
    assert data["id"] == developer_id
    assert data["attributes"]["mode"] == "monthly"
    assert data["attributes"]["payout_method_id"] == method_id
    assert data["attributes"]["day_of_month"] == 1
    assert PAYOUT_DETAILS["account_number"] not in shown.text
    # Somebody with no developer account has no schedule to see.
    stranger = httpx.get(url, headers=auth(user_token(str(uuid.uuid4()))))
    assert stranger.status_code == 404, stranger.text
    assert method_id not in stranger.text
