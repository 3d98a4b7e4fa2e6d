"""YooKassa API v3: create, confirm, capture, cancel, saved methods, idempotency, auth."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

import httpx

HOOK = "/webhooks/yookassa"


def payment_body(value: str = "100.00", **extra: Any) -> dict[str, Any]:
    return {
        "amount": {"value": value, "currency": "RUB"},
        "capture": True,
        "confirmation": {"type": "redirect", "return_url": "https://store.example/return"},
        "payment_method_data": {"type": "bank_card"},
        "description": "Order 1",
        "metadata": {"order_id": "o-1"},
    } | extra


def events(receiver, count: int) -> list[dict[str, Any]]:
    got = receiver.wait_for(HOOK, lambda items: len(items) >= count)
    return [item.json() for item in got]


def test_create_confirm_succeeds_and_notifies_with_a_valid_hmac(
    yookassa, sandbox, receiver, credentials
) -> None:
    created = yookassa.post("/payments", payment_body())

    assert created.status_code == 200
    payment = created.json()
    assert payment["status"] == "pending" and payment["paid"] is False and payment["test"] is True
    assert payment["amount"] == {"value": "100.00", "currency": "RUB"}
    assert payment["confirmation"]["type"] == "redirect"
    assert created.headers["server"] == "parovoz-standin-provider-sandbox"

    visit = sandbox.get(payment["confirmation"]["confirmation_url"])

    assert visit.status_code == 303
    assert visit.headers["location"] == "https://store.example/return"
    [notification] = receiver.wait_for(HOOK, lambda items: len(items) == 1)
    expected = hmac.new(
        credentials["webhook_secret"].encode(), notification.body, hashlib.sha256
    ).hexdigest()
    assert notification.headers["x-sandbox-signature"] == f"sha256={expected}"
    body = notification.json()
    assert body["type"] == "notification" and body["event"] == "payment.succeeded"
    assert body["object"]["id"] == payment["id"] and body["object"]["status"] == "succeeded"
    fetched = yookassa.get(f"/payments/{payment['id']}").json()
    assert fetched["status"] == "succeeded" and fetched["paid"] is True
    assert fetched["refundable"] is True and "confirmation" not in fetched
    card = fetched["payment_method"]["card"]
    assert len(card["last4"]) == 4 and fetched["payment_method"]["saved"] is False
    assert "number" not in card


def test_capture_false_waits_for_capture_then_captures(yookassa, sandbox, receiver) -> None:
    payment = yookassa.post("/payments", payment_body("250.00", capture=False)).json()
    sandbox.get(payment["confirmation"]["confirmation_url"])
    waiting = yookassa.get(f"/payments/{payment['id']}").json()
    assert waiting["status"] == "waiting_for_capture" and waiting["paid"] is True
    assert "expires_at" in waiting

    captured = yookassa.post(
        f"/payments/{payment['id']}/capture", {"amount": {"value": "200.00", "currency": "RUB"}}
    )

    assert captured.status_code == 200
    assert captured.json()["status"] == "succeeded"
    assert captured.json()["amount"]["value"] == "200.00"
    assert [e["event"] for e in events(receiver, 2)] == [
        "payment.waiting_for_capture",
        "payment.succeeded",
    ]


def test_capture_more_than_authorized_is_refused(yookassa, sandbox) -> None:
    payment = yookassa.post("/payments", payment_body("10.00", capture=False)).json()
    sandbox.get(payment["confirmation"]["confirmation_url"])

    response = yookassa.post(
        f"/payments/{payment['id']}/capture", {"amount": {"value": "10.01", "currency": "RUB"}}
    )

    assert response.status_code == 400
    assert response.json()["type"] == "error" and response.json()["code"] == "invalid_request"


def test_cancel_a_waiting_payment_and_not_a_pending_one(yookassa, sandbox, receiver) -> None:
    pending = yookassa.post("/payments", payment_body(capture=False)).json()
    refused = yookassa.post(f"/payments/{pending['id']}/cancel", {})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_request"

    sandbox.get(pending["confirmation"]["confirmation_url"])
    canceled = yookassa.post(f"/payments/{pending['id']}/cancel", {})

    assert canceled.status_code == 200
    assert canceled.json()["status"] == "canceled"
    assert canceled.json()["cancellation_details"] == {
        "party": "merchant",
        "reason": "canceled_by_merchant",
    }
    assert events(receiver, 2)[-1]["event"] == "payment.canceled"


def test_fail_outcome_cancels_with_the_reason(yookassa, sandbox, receiver) -> None:
    payment = yookassa.post("/payments", payment_body()).json()
    decided = sandbox.post(
        f"/sandbox/payments/yookassa/{payment['id']}/outcome",
        json={"outcome": "fail", "code": "insufficient_funds"},
    )
    assert decided.status_code == 200 and decided.json()["status"] == "pending"

    sandbox.get(payment["confirmation"]["confirmation_url"])

    fetched = yookassa.get(f"/payments/{payment['id']}").json()
    assert fetched["status"] == "canceled" and fetched["paid"] is False
    assert fetched["cancellation_details"] == {
        "party": "payment_network",
        "reason": "insufficient_funds",
    }
    [notification] = events(receiver, 1)
    assert notification["event"] == "payment.canceled"


def test_magic_amount_ending_in_13_kopecks_fails(yookassa, sandbox) -> None:
    payment = yookassa.post("/payments", payment_body("99.13")).json()

    sandbox.get(payment["confirmation"]["confirmation_url"])

    fetched = yookassa.get(f"/payments/{payment['id']}").json()
    assert fetched["cancellation_details"]["reason"] == "insufficient_funds"


def test_pending_outcome_waits_for_a_later_decision(yookassa, sandbox, receiver) -> None:
    payment = yookassa.post("/payments", payment_body("5.00", description="sandbox:pending")).json()
    page = sandbox.get(payment["confirmation"]["confirmation_url"])
    assert page.status_code == 200 and "STAND-IN" in page.text
    assert yookassa.get(f"/payments/{payment['id']}").json()["status"] == "pending"

    sandbox.post(f"/sandbox/payments/yookassa/{payment['id']}/outcome", json={"outcome": "succeed"})

    assert yookassa.get(f"/payments/{payment['id']}").json()["status"] == "succeeded"
    assert events(receiver, 1)[0]["event"] == "payment.succeeded"


def test_saved_method_charges_off_session_without_confirmation(yookassa, sandbox) -> None:
    first = yookassa.post("/payments", payment_body(save_payment_method=True)).json()
    sandbox.get(first["confirmation"]["confirmation_url"])
    method = yookassa.get(f"/payments/{first['id']}").json()["payment_method"]
    assert method["saved"] is True

    renewal = yookassa.post(
        "/payments",
        {"amount": {"value": "299.00", "currency": "RUB"}, "capture": True,
         "payment_method_id": method["id"], "description": "Renewal"},
    )  # fmt: skip

    assert renewal.status_code == 200
    body = renewal.json()
    assert body["status"] == "succeeded" and "confirmation" not in body
    assert body["payment_method"]["id"] == method["id"]
    assert body["payment_method"]["card"]["last4"] == method["card"]["last4"]


def test_unknown_saved_method_is_refused(yookassa) -> None:
    response = yookassa.post(
        "/payments",
        {"amount": {"value": "1.00", "currency": "RUB"}, "payment_method_id": str(uuid.uuid4())},
    )

    assert response.status_code == 400 and response.json()["parameter"] == "payment_method_id"


def test_off_session_decline_uses_the_decided_outcome(yookassa, sandbox) -> None:
    first = yookassa.post("/payments", payment_body(save_payment_method=True)).json()
    sandbox.get(first["confirmation"]["confirmation_url"])
    method_id = yookassa.get(f"/payments/{first['id']}").json()["payment_method"]["id"]

    renewal = yookassa.post(
        "/payments",
        {"amount": {"value": "299.00", "currency": "RUB"}, "capture": True,
         "payment_method_id": method_id, "description": "Renewal sandbox:fail:card_expired"},
    ).json()  # fmt: skip

    assert renewal["status"] == "canceled"
    assert renewal["cancellation_details"]["reason"] == "card_expired"


def test_idempotence_key_replays_the_same_payment(yookassa, sandbox) -> None:
    key = str(uuid.uuid4())
    first = yookassa.post("/payments", payment_body(), key=key)
    again = yookassa.post("/payments", payment_body(), key=key)
    other = yookassa.post("/payments", payment_body("1.00"), key=key)
    missing = yookassa.client.post("/payments", json=payment_body())

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert other.status_code == 400 and other.json()["parameter"] == "Idempotence-Key"
    assert missing.status_code == 400 and missing.json()["parameter"] == "Idempotence-Key"
    found = sandbox.get("/sandbox/payments", params={"provider": "yookassa", "reference": "o-1"})
    assert [p["id"] for p in found.json()["payments"]] == [first.json()["id"]]


def test_missing_or_wrong_basic_auth_is_401(sandbox_url, credentials) -> None:
    body = payment_body()
    headers = {"Idempotence-Key": str(uuid.uuid4())}
    with httpx.Client(base_url=f"{sandbox_url}/v3") as client:
        anonymous = client.post("/payments", json=body, headers=headers)
        wrong = client.post(
            "/payments", json=body, headers=headers, auth=(credentials["shop_id"], "nope")
        )
        get = client.get(f"/payments/{uuid.uuid4()}")

    for response in (anonymous, wrong, get):
        assert response.status_code == 401
        assert response.json()["type"] == "error"
        assert response.json()["code"] == "invalid_credentials"
        assert response.headers["server"] == "parovoz-standin-provider-sandbox"


def test_invalid_amounts_are_refused_with_the_parameter(yookassa) -> None:
    for value in ("100.001", "-1.00", "abc", None):
        response = yookassa.post("/payments", payment_body(value))
        assert response.status_code == 400, value
        assert response.json()["parameter"] == "amount.value"


def test_unknown_payment_is_404(yookassa) -> None:
    response = yookassa.get(f"/payments/{uuid.uuid4()}")

    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_declined_card_is_reported_like_yookassa_does(yookassa, sandbox, receiver) -> None:
    """`payment_method.card` (first6, last4, expiry, type) of the card entered on the page,
    on a canceled payment too: the shop counts a card's failures by it. Never the number."""
    reported = []
    for _ in range(2):
        payment = yookassa.post("/payments", payment_body()).json()
        url = payment["confirmation"]["confirmation_url"]
        visit = sandbox.get(
            f"{url}?outcome=fail&code=card_expired&card=4111111111111111&expiry=0729"
        )
        assert visit.status_code == 303
        fetched = yookassa.get(f"/payments/{payment['id']}").json()
        assert fetched["status"] == "canceled"
        assert fetched["cancellation_details"]["reason"] == "card_expired"
        reported.append(fetched["payment_method"]["card"])
    expected = {
        "first6": "411111",
        "last4": "1111",
        "expiry_month": "07",
        "expiry_year": "2029",
        "card_type": "Visa",
    }
    assert all(card.items() >= expected.items() for card in reported)
    notified = [item["object"] for item in events(receiver, 2)]
    assert [item["payment_method"]["card"]["last4"] for item in notified] == ["1111", "1111"]
    assert "4111111111111111" not in str(notified) + str(reported)


def test_a_payment_without_a_named_card_reports_a_made_up_one(yookassa, sandbox) -> None:
    payment = yookassa.post("/payments", payment_body()).json()
    sandbox.get(f"{payment['confirmation']['confirmation_url']}?outcome=fail")
    card = yookassa.get(f"/payments/{payment['id']}").json()["payment_method"]["card"]
    assert card["first6"] == "220220" and len(card["last4"]) == 4
    assert (card["expiry_month"], card["expiry_year"], card["card_type"]) == ("12", "2030", "Mir")


def test_a_malformed_card_is_refused_on_the_page(yookassa, sandbox) -> None:
    payment = yookassa.post("/payments", payment_body()).json()
    url = payment["confirmation"]["confirmation_url"]
    assert sandbox.get(f"{url}?card=12ab").status_code == 422
    assert sandbox.get(f"{url}?card=4111111111111111&expiry=1330").status_code == 422
    assert yookassa.get(f"/payments/{payment['id']}").json()["status"] == "pending"
