"""YooKassa refunds (full, partial, over the amount), 54-FZ receipts (payouts: test_payouts)."""

from __future__ import annotations

import time
from typing import Any

HOOK = "/webhooks/yookassa"
RECEIPT = {
    "customer": {"email": "player@example.test"},
    "items": [
        {
            "description": "Game",
            "quantity": "1.00",
            "amount": {"value": "100.00", "currency": "RUB"},
            "vat_code": 1,
            "payment_mode": "full_payment",
            "payment_subject": "service",
        },
    ],
}


def paid_payment(yookassa, sandbox, value: str = "100.00", **extra: Any) -> dict[str, Any]:
    payment = yookassa.post(
        "/payments",
        {"amount": {"value": value, "currency": "RUB"}, "capture": True,
         "confirmation": {"type": "redirect", "return_url": "https://store.example/r"}} | extra,
    ).json()  # fmt: skip
    sandbox.get(payment["confirmation"]["confirmation_url"])
    return yookassa.get(f"/payments/{payment['id']}").json()


def refund(yookassa, payment_id: str, value: str) -> Any:
    return yookassa.post(
        "/refunds", {"payment_id": payment_id, "amount": {"value": value, "currency": "RUB"}}
    )


def test_partial_refunds_up_to_the_amount_then_refused(yookassa, sandbox, receiver) -> None:
    payment = paid_payment(yookassa, sandbox)

    first = refund(yookassa, payment["id"], "30.00")
    second = refund(yookassa, payment["id"], "70.00")
    third = refund(yookassa, payment["id"], "0.01")

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == second.json()["status"] == "succeeded"
    assert first.json()["payment_id"] == payment["id"]
    assert third.status_code == 400 and third.json()["code"] == "invalid_request"
    after = yookassa.get(f"/payments/{payment['id']}").json()
    assert after["refunded_amount"] == {"value": "100.00", "currency": "RUB"}
    assert after["refundable"] is False
    fetched = yookassa.get(f"/refunds/{first.json()['id']}").json()
    assert fetched == first.json()
    got = receiver.wait_for(HOOK, lambda items: len(items) >= 3)
    assert [item.json()["event"] for item in got] == [
        "payment.succeeded", "refund.succeeded", "refund.succeeded",
    ]  # fmt: skip


def test_full_refund_in_one_go_and_more_is_refused(yookassa, sandbox) -> None:
    payment = paid_payment(yookassa, sandbox, "50.00")

    over = refund(yookassa, payment["id"], "50.01")
    full = refund(yookassa, payment["id"], "50.00")

    assert over.status_code == 400 and over.json()["parameter"] == "amount.value"
    assert full.status_code == 200 and full.json()["status"] == "succeeded"


def test_refund_of_an_unpaid_payment_is_refused(yookassa) -> None:
    payment = yookassa.post(
        "/payments",
        {"amount": {"value": "10.00", "currency": "RUB"},
         "confirmation": {"type": "redirect", "return_url": "https://store.example/r"}},
    ).json()  # fmt: skip

    assert refund(yookassa, payment["id"], "10.00").status_code == 400


def test_refund_outcome_fail_cancels_it_and_frees_the_amount(yookassa, sandbox) -> None:
    payment = paid_payment(yookassa, sandbox)
    sandbox.post(
        f"/sandbox/payments/yookassa/{payment['id']}/outcome",
        json={"refund_outcome": "fail", "refund_code": "general_decline"},
    )

    failed = refund(yookassa, payment["id"], "100.00").json()

    assert failed["status"] == "canceled"
    assert failed["cancellation_details"]["reason"] == "general_decline"
    assert "refunded_amount" not in yookassa.get(f"/payments/{payment['id']}").json()


def test_pending_refund_is_settled_by_the_control_api(yookassa, sandbox) -> None:
    payment = paid_payment(yookassa, sandbox)
    sandbox.post(
        f"/sandbox/payments/yookassa/{payment['id']}/outcome", json={"refund_outcome": "pending"}
    )
    pending = refund(yookassa, payment["id"], "60.00").json()
    assert pending["status"] == "pending"
    assert refund(yookassa, payment["id"], "40.01").status_code == 400

    settled = sandbox.post(f"/sandbox/refunds/yookassa/{pending['id']}/outcome",
                           json={"outcome": "succeed"})  # fmt: skip

    assert settled.json()["status"] == "succeeded"
    assert yookassa.get(f"/refunds/{pending['id']}").json()["status"] == "succeeded"


def test_receipt_items_must_add_up_to_the_amount(yookassa) -> None:
    body = {
        "amount": {"value": "150.00", "currency": "RUB"},
        "confirmation": {"type": "redirect", "return_url": "https://store.example/r"},
        "receipt": RECEIPT,
    }

    response = yookassa.post("/payments", body)

    assert response.status_code == 400 and response.json()["parameter"] == "receipt.items"


def test_payment_with_a_receipt_registers_it(yookassa, sandbox) -> None:
    payment = paid_payment(yookassa, sandbox, receipt=RECEIPT)

    assert payment["receipt_registration"] == "succeeded"


def test_receipt_goes_from_pending_to_succeeded(yookassa, sandbox) -> None:
    payment = paid_payment(yookassa, sandbox)
    body = {"type": "payment", "payment_id": payment["id"], "send": True,
            "settlements": [{"type": "cashless", "amount": {"value": "100.00", "currency": "RUB"}}],
            **RECEIPT}  # fmt: skip

    created = yookassa.post("/receipts", body)

    assert created.status_code == 200 and created.json()["status"] == "pending"
    assert created.json()["id"].startswith("rt-")
    time.sleep(0.25)
    settled = yookassa.get(f"/receipts/{created.json()['id']}").json()
    assert settled["status"] == "succeeded" and settled["fiscal_document_number"]


def test_receipt_for_an_unknown_payment_is_refused(yookassa) -> None:
    response = yookassa.post(
        "/receipts",
        {"type": "payment", "payment_id": "nope", **RECEIPT,
         "settlements": [{"type": "cashless", "amount": {"value": "1.00", "currency": "RUB"}}]},
    )  # fmt: skip

    assert response.status_code == 400 and response.json()["parameter"] == "payment_id"
