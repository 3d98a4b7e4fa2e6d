"""YooKassa-shaped payouts: bank-account destinations, Idempotence-Key, outcomes decided by
amount or the control API, signed notifications, and bank details never echoed or logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from standin_provider_sandbox.signing import body_signature

HOOK = "/webhooks/yookassa"
ACCOUNT = "40702810900000000001"
INN = "7707083893"
BANK_ACCOUNT = {
    "type": "bank_account",
    "bik": "044525225",
    "account_number": ACCOUNT,
    "recipient_name": "ООО Студия",
    "inn": INN,
    "kpp": "773601001",
}


def payout(value: str, **extra: Any) -> dict[str, Any]:
    return {
        "amount": {"value": value, "currency": "RUB"},
        "payout_destination_data": BANK_ACCOUNT,
        "description": "Выплата разработчику",
        "metadata": {"payout_id": "our-payout-1"},
        **extra,
    }


def test_a_payout_to_a_bank_account_succeeds_and_notifies_signed(
    yookassa, receiver, credentials, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = yookassa.post("/payouts", payout("1500.00"))

    assert created.status_code == 200, created.text
    body = created.json()
    assert body["id"].startswith("po-") and body["status"] == "succeeded"
    assert body["payout_destination"] == {
        "type": "bank_account",
        "bik": "044525225",
        "account_last4": "0001",
        "recipient_name": "ООО Студия",
    }
    [notification] = receiver.wait_for(HOOK, lambda items: len(items) == 1)
    assert notification.json()["event"] == "payout.succeeded"
    assert notification.json()["object"]["id"] == body["id"]
    signature = body_signature(notification.body, credentials["webhook_secret"])
    assert notification.headers["x-sandbox-signature"] == signature
    # Neither the account number nor the ИНН leave the sandbox, in answers, notifications or logs.
    for text in (created.text, notification.body.decode(), caplog.text):
        assert ACCOUNT not in text and INN not in text
    assert yookassa.get(f"/payouts/{body['id']}").json()["status"] == "succeeded"


def test_the_same_idempotence_key_is_the_same_payout(yookassa, sandbox) -> None:
    first = yookassa.post("/payouts", payout("2000.00"), key="payout-key-1")
    again = yookassa.post("/payouts", payout("2000.00"), key="payout-key-1")
    other_body = yookassa.post("/payouts", payout("2000.01"), key="payout-key-1")

    assert first.json() == again.json()
    assert other_body.status_code == 400
    assert other_body.json()["parameter"] == "Idempotence-Key"
    listed = sandbox.get("/sandbox/payouts", params={"reference": "our-payout-1"}).json()
    assert [item["id"] for item in listed["payouts"]] == [first.json()["id"]]


def test_magic_kopecks_cancel_with_a_payout_reason(yookassa, receiver) -> None:
    created = yookassa.post("/payouts", payout("1500.14")).json()

    assert created["status"] == "canceled"
    assert created["cancellation_details"] == {
        "party": "payout_network",
        "reason": "recipient_not_found",
    }
    [notification] = receiver.wait_for(HOOK, lambda items: len(items) == 1)
    assert notification.json()["event"] == "payout.canceled"


def test_a_pending_payout_is_decided_by_the_control_api(yookassa, sandbox, receiver) -> None:
    created = yookassa.post("/payouts", payout("1500.18")).json()
    assert created["status"] == "pending"

    decided = sandbox.post(
        f"/sandbox/payouts/{created['id']}/outcome",
        json={"outcome": "fail", "code": "rejected_by_payee", "duplicate": 2},
    )

    assert decided.status_code == 200, decided.text
    assert decided.json()["provider_object"]["cancellation_details"] == {
        "party": "payout_network",
        "reason": "rejected_by_payee",
    }
    copies = receiver.wait_for(HOOK, lambda items: len(items) == 2)
    assert {copy.body for copy in copies} == {copies[0].body}  # duplicates are the same bytes
    again = sandbox.post(f"/sandbox/payouts/{created['id']}/outcome", json={"outcome": "succeed"})
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "PAYOUT_ALREADY_COMPLETED"


def test_an_unknown_reason_is_refused_with_a_pointer(yookassa, sandbox) -> None:
    created = yookassa.post("/payouts", payout("1500.18")).json()

    answer = sandbox.post(
        f"/sandbox/payouts/{created['id']}/outcome", json={"outcome": "fail", "code": "nope"}
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["source"]["pointer"] == "/code"


@pytest.mark.parametrize(
    ("field", "value"),
    [("bik", "04452522"), ("account_number", "4070281090000000000"), ("inn", "77070838")],
)
def test_malformed_bank_details_are_refused_without_echo(yookassa, field, value) -> None:
    answer = yookassa.post(
        "/payouts", payout("10.00", payout_destination_data={**BANK_ACCOUNT, field: value})
    )

    assert answer.status_code == 400
    assert answer.json()["parameter"] == f"payout_destination_data.{field}"
    assert value not in answer.text


def test_a_card_payout_never_echoes_the_number(yookassa) -> None:
    created = yookassa.post(
        "/payouts",
        {"amount": {"value": "10.00", "currency": "RUB"},
         "payout_destination_data": {"type": "bank_card", "card": {"number": "2202200000001234"}}},
    )  # fmt: skip

    assert created.json()["payout_destination"]["card"] == {"first6": "220220", "last4": "1234"}
    assert "2202200000001234" not in created.text
