"""T-Bank acquiring v2: Token on each request; Init, GetState, Cancel, Confirm, Charge; notices."""

from __future__ import annotations

import time
import uuid
from typing import Any

from standin_provider_sandbox.signing import tbank_token

HOOK = "/webhooks/tbank"
DOC_EXAMPLE = {
    "TerminalKey": "MerchantTerminalKey",
    "Amount": 19200,
    "Description": "Подарочная карта на 1000 рублей",
    "DATA": {"Phone": "+71234567890", "Email": "a@test.com"},
    "Receipt": {"Email": "a@test.com", "Items": [{"Name": "x", "Amount": 19200}]},
}


def test_token_matches_the_official_examples() -> None:
    # Both vectors are from T-Bank's "Токен" page (two editions, two passwords and OrderIds).
    assert (
        tbank_token(DOC_EXAMPLE | {"OrderId": "00000"}, "11111111111111")
        == "72dd466f8ace0a37a1f740ce5fb78101712bc0665d91a8108c7c8a0ccd426db2"
    )
    assert (
        tbank_token(DOC_EXAMPLE | {"OrderId": "21090"}, "usaf8fw8fsw21g")
        == "0024a00af7c350a3a67ca168ce06502aa72772456662e38696d48b56ee9c97d9"
    )


def test_token_writes_booleans_in_lower_case_and_skips_token_and_nulls() -> None:
    params = {"Success": True, "Amount": 1, "Token": "x", "RebillId": None}

    assert tbank_token(params, "p") == tbank_token({"Amount": 1, "Success": "true"}, "p")


def init(tbank, amount: int = 10000, **extra: Any) -> dict[str, Any]:
    answer = tbank.call(
        "Init", {"Amount": amount, "OrderId": str(uuid.uuid4()), "Description": "Game"} | extra
    )
    assert answer["Success"] is True, answer
    return answer


def test_init_get_state_cancel_with_valid_tokens(tbank) -> None:
    created = init(tbank)

    assert created["ErrorCode"] == "0" and created["Status"] == "NEW"
    assert created["PaymentId"].isdigit() and created["Amount"] == 10000
    assert "/sandbox/payments/tbank/" in created["PaymentURL"]
    state = tbank.call("GetState", {"PaymentId": created["PaymentId"]})
    assert state["Success"] is True and state["Status"] == "NEW"
    assert state["OrderId"] == created["OrderId"]

    canceled = tbank.call("Cancel", {"PaymentId": created["PaymentId"]})

    assert canceled["Success"] is True and canceled["Status"] == "CANCELED"
    assert canceled["OriginalAmount"] == 10000 and canceled["NewAmount"] == 0


def test_wrong_token_or_terminal_is_refused(tbank, sandbox) -> None:
    params = {"Amount": 100, "OrderId": "order-wrong-token"}

    wrong_token = tbank.call("Init", params, token="0" * 64)
    no_token = sandbox.post("/v2/Init", json={"TerminalKey": "TestTerminal", **params}).json()
    wrong_terminal = sandbox.post(
        "/v2/GetState", json={"TerminalKey": "Other", "PaymentId": "1", "Token": "x"}
    ).json()

    for answer in (wrong_token, no_token):
        assert answer["Success"] is False and answer["ErrorCode"] == "204"
        assert "Неверный токен" in answer["Details"]
    assert wrong_terminal["Success"] is False and wrong_terminal["ErrorCode"] == "501"
    check = tbank.call("CheckOrder", {"OrderId": "order-wrong-token"})
    assert check["Success"] is False


def test_paying_sends_signed_authorized_and_confirmed_notifications(
    tbank, sandbox, receiver, token_of, credentials
) -> None:
    created = init(tbank, SuccessURL="https://store.example/ok")

    visit = sandbox.get(created["PaymentURL"])

    assert visit.status_code == 303 and visit.headers["location"] == "https://store.example/ok"
    got = receiver.wait_for(HOOK, lambda items: len(items) == 2)
    statuses = [item.json()["Status"] for item in got]
    assert statuses == ["AUTHORIZED", "CONFIRMED"]
    for item in got:
        body = item.json()
        assert body["Token"] == token_of(body, credentials["password"])
        assert body["Success"] is True and body["ErrorCode"] == "0"
        assert body["PaymentId"] == int(created["PaymentId"]) and body["Amount"] == 10000
        assert body["Pan"].startswith("220220******") and len(body["Pan"]) == 16
        assert "RebillId" not in body
    forged = got[0].json() | {"Amount": 1}
    assert forged["Token"] != token_of(forged, credentials["password"])
    state = tbank.call("GetState", {"PaymentId": created["PaymentId"]})
    assert state["Status"] == "CONFIRMED"


def test_fail_outcome_rejects_with_the_decline_code(tbank, sandbox, receiver) -> None:
    created = init(tbank, FailURL="https://store.example/fail")
    sandbox.post(
        f"/sandbox/payments/tbank/{created['PaymentId']}/outcome",
        json={"outcome": "fail", "code": "insufficient_funds"},
    )

    visit = sandbox.get(created["PaymentURL"])

    assert visit.headers["location"] == "https://store.example/fail"
    [notification] = receiver.wait_for(HOOK, lambda items: len(items) == 1)
    body = notification.json()
    assert body["Status"] == "REJECTED" and body["Success"] is False
    assert body["ErrorCode"] == "1051"


def test_two_stage_confirm_then_partial_and_full_refunds(tbank, sandbox, receiver) -> None:
    created = init(tbank, 30000, PayType="T")
    sandbox.post(
        f"/sandbox/payments/tbank/{created['PaymentId']}/outcome",
        json={"outcome": "succeed", "apply": True},
    )
    payment_id = created["PaymentId"]
    assert tbank.call("GetState", {"PaymentId": payment_id})["Status"] == "AUTHORIZED"

    confirmed = tbank.call("Confirm", {"PaymentId": payment_id})
    partial = tbank.call("Cancel", {"PaymentId": payment_id, "Amount": 10000})
    too_much = tbank.call("Cancel", {"PaymentId": payment_id, "Amount": 20001})
    rest = tbank.call("Cancel", {"PaymentId": payment_id, "Amount": 20000})

    assert confirmed["Status"] == "CONFIRMED"
    assert partial["Status"] == "PARTIAL_REFUNDED" and partial["NewAmount"] == 20000
    assert too_much["Success"] is False and too_much["ErrorCode"] == "330"
    assert rest["Status"] == "REFUNDED" and rest["NewAmount"] == 0
    got = receiver.wait_for(HOOK, lambda items: len(items) == 4)
    assert sorted(item.json()["Status"] for item in got) == sorted(
        ["AUTHORIZED", "CONFIRMED", "PARTIAL_REFUNDED", "REFUNDED"]
    )


def test_recurrent_payment_saves_a_card_for_charge(tbank, sandbox, receiver, token_of) -> None:
    parent = init(tbank, Recurrent="Y", CustomerKey="user-42")
    sandbox.get(parent["PaymentURL"])
    authorized = receiver.wait_for(HOOK, lambda items: len(items) == 2)[0].json()
    rebill_id = authorized["RebillId"]
    assert isinstance(rebill_id, int)

    renewal = init(tbank, 29900)
    charged = tbank.call("Charge", {"PaymentId": renewal["PaymentId"], "RebillId": str(rebill_id)})

    assert charged["Success"] is True and charged["Status"] == "CONFIRMED"
    got = receiver.wait_for(HOOK, lambda items: len(items) == 4)
    renewal_events = [i.json() for i in got if i.json()["PaymentId"] == int(renewal["PaymentId"])]
    assert {event["Status"] for event in renewal_events} == {"AUTHORIZED", "CONFIRMED"}
    assert renewal_events[0]["Pan"] == authorized["Pan"]


def test_charge_with_an_unknown_rebill_or_a_decline(tbank) -> None:
    renewal = init(tbank, 29913)  # 13 kopecks: insufficient funds
    unknown = tbank.call("Charge", {"PaymentId": renewal["PaymentId"], "RebillId": "123"})
    assert unknown["Success"] is False and unknown["ErrorCode"] == "104"

    parent = init(tbank, Recurrent="Y", CustomerKey="user-43")
    tbank.client.get(parent["PaymentURL"])
    rebill = tbank.client.get(f"/sandbox/payments/tbank/{parent['PaymentId']}").json()
    assert rebill["status"] == "CONFIRMED"
    notifications = tbank.client.get(
        "/sandbox/notifications", params={"provider": "tbank", "payment_id": parent["PaymentId"]}
    ).json()["notifications"]
    rebill_id = str(notifications[0]["body"]["RebillId"])

    declined = tbank.call("Charge", {"PaymentId": renewal["PaymentId"], "RebillId": rebill_id})

    assert declined["Success"] is False and declined["Status"] == "REJECTED"
    assert declined["ErrorCode"] == "1051"


def test_receipt_must_add_up(tbank) -> None:
    answer = tbank.call(
        "Init",
        {"Amount": 1000, "OrderId": "r-1",
         "Receipt": {"Email": "a@b.test", "Taxation": "osn",
                     "Items": [{"Name": "Game", "Price": 900, "Quantity": 1, "Amount": 900,
                                "Tax": "vat20"}]}},
    )  # fmt: skip

    assert answer["Success"] is False and answer["ErrorCode"] == "308"


def test_receiver_must_answer_ok_not_just_200(tbank, sandbox, receiver, credentials) -> None:
    receiver.ok_body = b"fine"
    created = init(tbank, 500)

    sandbox.get(created["PaymentURL"])

    attempts = int(credentials["attempts"])
    receiver.wait_for(HOOK, lambda items: len(items) == 2 * attempts)

    def sent() -> list[dict]:
        query = {"provider": "tbank", "payment_id": created["PaymentId"]}
        return sandbox.get("/sandbox/notifications", params=query).json()["notifications"]

    # The sandbox records an attempt once the receiver's answer is back: a moment after the
    # receiver saw it.
    deadline = time.monotonic() + 5
    while any(len(n["deliveries"]) < attempts for n in sent()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [n["event"] for n in sent()] == ["AUTHORIZED", "CONFIRMED"]
    assert all(not n["delivered"] and len(n["deliveries"]) == attempts for n in sent())


def test_the_card_entered_on_the_page_is_reported_masked(tbank, sandbox, receiver) -> None:
    created = init(tbank, FailURL="https://store.example/fail")
    visit = sandbox.get(
        f"{created['PaymentURL']}?outcome=fail&code=card_expired&card=5555555555554477&expiry=03/28"
    )
    assert visit.headers["location"] == "https://store.example/fail"
    [notification] = receiver.wait_for(HOOK, lambda items: len(items) == 1)
    body = notification.json()
    assert body["Status"] == "REJECTED"
    assert (body["Pan"], body["ExpDate"]) == ("555555******4477", "0328")
    assert "5555555555554477" not in notification.body.decode()
