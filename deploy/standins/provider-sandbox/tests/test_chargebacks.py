"""Disputes end: won (the money comes back to the shop) or lost, each notified once, signed."""

from __future__ import annotations

from typing import Any

from standin_provider_sandbox.signing import tbank_token_valid

HOOK = "/webhooks/yookassa"
TBANK_HOOK = "/webhooks/tbank"
PASSWORD = "test-password"  # the test T-Bank terminal's (conftest)


def paid(yookassa, sandbox) -> dict[str, Any]:
    payment = yookassa.post(
        "/payments",
        {"amount": {"value": "100.00", "currency": "RUB"}, "capture": True,
         "confirmation": {"type": "redirect", "return_url": "https://store.example/r"}},
    ).json()  # fmt: skip
    sandbox.get(payment["confirmation"]["confirmation_url"])
    return payment


def open_dispute(sandbox, provider: str, payment_id: str, minor: int, reason: str) -> dict:
    answer = sandbox.post(
        f"/sandbox/payments/{provider}/{payment_id}/chargeback",
        json={"amount_minor": minor, "reason": reason},
    )
    return answer.json()


def end_dispute(sandbox, provider: str, chargeback_id: str, outcome: str):
    return sandbox.post(
        f"/sandbox/chargebacks/{provider}/{chargeback_id}/outcome", json={"outcome": outcome}
    )


def test_a_yookassa_dispute_ends_won_with_a_notification(yookassa, sandbox, receiver) -> None:
    payment = paid(yookassa, sandbox)
    opened = open_dispute(sandbox, "yookassa", payment["id"], 4000, "fraud")

    won = end_dispute(sandbox, "yookassa", opened["id"], "won")

    assert won.status_code == 200, won.text
    assert won.json()["status"] == "won"
    got = receiver.wait_for(HOOK, lambda items: len(items) == 3)
    notification = got[-1].json()
    assert notification["event"] == "chargeback.won"
    assert notification["object"]["id"] == opened["id"]
    assert notification["object"]["payment_id"] == payment["id"]
    assert notification["object"]["status"] == "won"
    assert notification["object"]["amount"] == {"value": "40.00", "currency": "RUB"}
    assert "x-sandbox-signature" in got[-1].headers
    view = sandbox.get(f"/sandbox/payments/yookassa/{payment['id']}").json()
    assert [c["status"] for c in view["chargebacks"]] == ["won"]

    # Only an open dispute ends; an unknown one is not found.
    again = end_dispute(sandbox, "yookassa", opened["id"], "lost")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "CHARGEBACK_ALREADY_RESOLVED"
    unknown = end_dispute(sandbox, "yookassa", "cb-nope", "won")
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["code"] == "CHARGEBACK_NOT_FOUND"
    bad = end_dispute(sandbox, "yookassa", opened["id"], "draw")
    assert bad.status_code == 400
    assert len(receiver.on(HOOK)) == 3  # nothing more was sent


def test_a_tbank_dispute_ends_lost_with_a_signed_notification(sandbox, receiver, tbank) -> None:
    created = tbank.call("Init", {"Amount": 900, "OrderId": "cb-lost-order"})
    sandbox.get(created["PaymentURL"])
    opened = open_dispute(sandbox, "tbank", created["PaymentId"], 600, "not_received")

    lost = end_dispute(sandbox, "tbank", opened["ChargebackId"], "lost")

    assert lost.status_code == 200, lost.text
    got = receiver.wait_for(
        TBANK_HOOK, lambda items: any(i.json()["Status"] == "CHARGEBACK_LOST" for i in items)
    )
    body = got[-1].json()
    assert body["Status"] == "CHARGEBACK_LOST"
    assert body["ChargebackId"] == opened["ChargebackId"]
    assert (body["Amount"], body["Reason"]) == (600, "not_received")
    assert body["PaymentId"] == int(created["PaymentId"])
    assert body["OrderId"] == "cb-lost-order"
    assert tbank_token_valid(body, PASSWORD)
    won_too = end_dispute(sandbox, "tbank", opened["ChargebackId"], "won")
    assert won_too.status_code == 409
