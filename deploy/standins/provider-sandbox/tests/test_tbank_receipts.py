"""T-Bank's 54-FZ receipts: sent with Init and Cancel (with ``Payments`` when part was paid
in advance) and by ``SendClosingReceipt``; the cash register's answer comes as a signed
``RECEIPT`` notification (Type Income / IncomeReturn)."""

from __future__ import annotations

import uuid
from typing import Any

HOOK = "/webhooks/tbank"


def receipt(amount: int, email: str = "player@example.com", **extra: Any) -> dict[str, Any]:
    return {"Email": email, "Taxation": "usn_income",
            "Items": [{"Name": "Игра", "Price": amount, "Quantity": 1, "Amount": amount,
                       "Tax": "none", "PaymentMethod": "full_payment",
                       "PaymentObject": "service"}]} | extra  # fmt: skip


def paid_with(tbank, sandbox, amount: int, with_receipt: dict[str, Any]) -> str:
    created = tbank.call(
        "Init", {"Amount": amount, "OrderId": str(uuid.uuid4()), "Receipt": with_receipt}
    )
    assert created["Success"] is True, created
    sandbox.get(created["PaymentURL"])
    return created["PaymentId"]


def receipts_of(receiver, payment_id: str, count: int) -> list[dict[str, Any]]:
    got = receiver.wait_for(
        HOOK,
        lambda items: len([i for i in items if i.json().get("Status") == "RECEIPT"
                           and str(i.json()["PaymentId"]) == payment_id]) >= count,
    )  # fmt: skip
    return [
        item.json()
        for item in got
        if item.json().get("Status") == "RECEIPT" and str(item.json()["PaymentId"]) == payment_id
    ]


def test_a_paid_payment_fiscalises_its_receipt(tbank, sandbox, receiver, token_of, credentials):
    payment_id = paid_with(tbank, sandbox, 59900, receipt(59900))

    [fiscal] = receipts_of(receiver, payment_id, 1)

    assert fiscal["Type"] == "Income" and fiscal["Success"] is True
    assert fiscal["Amount"] == 59900 and fiscal["FnNumber"] and fiscal["FiscalDocumentNumber"]
    assert fiscal["Token"] == token_of(fiscal, credentials["password"])


def test_a_split_payment_tells_the_advance_in_payments(tbank, sandbox, receiver) -> None:
    # 600.00 on the receipt: 400.00 by card now, 200.00 from the wallet (an advance).
    split = receipt(60000, Payments={"Electronic": 40000, "AdvancePayment": 20000})
    payment_id = paid_with(tbank, sandbox, 40000, split)

    [fiscal] = receipts_of(receiver, payment_id, 1)
    assert fiscal["Amount"] == 60000

    untold = receipt(60000, Payments={"Electronic": 40000})
    wrong = tbank.call("Init", {"Amount": 40000, "OrderId": "x-1", "Receipt": untold})
    assert wrong["Success"] is False and wrong["ErrorCode"] == "308"


def test_a_refund_with_a_receipt_fiscalises_income_return(tbank, sandbox, receiver) -> None:
    payment_id = paid_with(tbank, sandbox, 50000, receipt(50000))
    receipts_of(receiver, payment_id, 1)

    refunded = tbank.call(
        "Cancel", {"PaymentId": payment_id, "Amount": 20000, "Receipt": receipt(20000)}
    )

    assert refunded["Success"] is True and refunded["Status"] == "PARTIAL_REFUNDED"
    income, back = receipts_of(receiver, payment_id, 2)
    assert (income["Type"], back["Type"]) == ("Income", "IncomeReturn")
    assert back["Amount"] == 20000
    assert back["FiscalDocumentNumber"] != income["FiscalDocumentNumber"]


def test_a_closing_receipt_against_an_advance(tbank, sandbox, receiver) -> None:
    top_up = paid_with(tbank, sandbox, 100000, receipt(100000))
    receipts_of(receiver, top_up, 1)
    closing = receipt(30000, Payments={"Electronic": 0, "AdvancePayment": 30000})

    answer = tbank.call("SendClosingReceipt", {"PaymentId": top_up, "Receipt": closing})

    assert answer["Success"] is True
    _, fiscal = receipts_of(receiver, top_up, 2)
    assert fiscal["Type"] == "Income" and fiscal["Amount"] == 30000
    unpaid = tbank.call("Init", {"Amount": 100, "OrderId": str(uuid.uuid4())})
    refused = tbank.call(
        "SendClosingReceipt", {"PaymentId": unpaid["PaymentId"], "Receipt": closing}
    )
    assert refused["Success"] is False


def test_a_refused_fiscalisation_is_notified_as_failed(tbank, sandbox, receiver) -> None:
    payment_id = paid_with(tbank, sandbox, 1000, receipt(1000, email="fiscal-fail@example.com"))

    [fiscal] = receipts_of(receiver, payment_id, 1)

    assert fiscal["Success"] is False and fiscal["ErrorCode"] == "1111"
    assert "FiscalDocumentNumber" not in fiscal
