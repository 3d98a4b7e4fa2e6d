"""Delivery like a real provider: retried until 200, bounded, duplicated, replayed in any order."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

HOOK = "/webhooks/yookassa"


def paid(yookassa, sandbox, value: str = "100.00") -> dict[str, Any]:
    payment = yookassa.post(
        "/payments",
        {"amount": {"value": value, "currency": "RUB"}, "capture": True,
         "confirmation": {"type": "redirect", "return_url": "https://store.example/r"}},
    ).json()  # fmt: skip
    sandbox.get(payment["confirmation"]["confirmation_url"])
    return payment


def sent(sandbox, payment_id: str, provider: str = "yookassa") -> list[dict[str, Any]]:
    return sandbox.get(
        "/sandbox/notifications", params={"provider": provider, "payment_id": payment_id}
    ).json()["notifications"]


def test_retried_with_backoff_until_the_receiver_answers_200(yookassa, sandbox, receiver) -> None:
    receiver.fail_next(HOOK, 2)

    payment = paid(yookassa, sandbox)

    got = receiver.wait_for(HOOK, lambda items: len(items) == 3)
    assert len({item.body for item in got}) == 1  # the same bytes every time
    assert [item.headers["x-sandbox-delivery-attempt"] for item in got] == ["1", "2", "3"]
    time.sleep(0.3)
    assert len(receiver.on(HOOK)) == 3  # no more once accepted
    [notification] = sent(sandbox, payment["id"])
    assert notification["delivered"] is True
    assert [d["status_code"] for d in notification["deliveries"]] == [503, 503, 200]


def test_retries_are_bounded(yookassa, sandbox, receiver, credentials) -> None:
    receiver.fail_next(HOOK, 100)

    payment = paid(yookassa, sandbox)

    attempts = int(credentials["attempts"])
    receiver.wait_for(HOOK, lambda items: len(items) == attempts)
    time.sleep(0.5)
    assert len(receiver.on(HOOK)) == attempts
    assert sent(sandbox, payment["id"])[0]["delivered"] is False


def test_duplicates_are_delivered(yookassa, sandbox, receiver, credentials) -> None:
    payment = yookassa.post(
        "/payments",
        {"amount": {"value": "10.00", "currency": "RUB"}, "capture": True,
         "confirmation": {"type": "redirect", "return_url": "https://store.example/r"}},
    ).json()  # fmt: skip
    sandbox.post(
        f"/sandbox/payments/yookassa/{payment['id']}/outcome",
        json={"outcome": "succeed", "apply": True, "duplicate": 3},
    )

    got = receiver.wait_for(HOOK, lambda items: len(items) == 3)

    assert len({item.body for item in got}) == 1
    for item in got:
        signature = hmac.new(credentials["webhook_secret"].encode(), item.body, hashlib.sha256)
        assert item.headers["x-sandbox-signature"] == "sha256=" + signature.hexdigest()


def test_duplicates_setting_applies_to_every_notification(serve_sandbox, receiver) -> None:
    import httpx

    with serve_sandbox(notification_duplicates=2) as url:
        with httpx.Client(base_url=url, auth=("test-shop", "test-secret-key")) as client:
            payment = client.post(
                "/v3/payments",
                headers={"Idempotence-Key": "dup-setting"},
                json={"amount": {"value": "1.00", "currency": "RUB"},
                      "confirmation": {"type": "redirect", "return_url": "https://s.example"}},
            ).json()  # fmt: skip
            client.get(payment["confirmation"]["confirmation_url"])

            got = receiver.wait_for(HOOK, lambda items: len(items) == 2)

    assert got[0].json()["event"] == got[1].json()["event"] == "payment.waiting_for_capture"


def test_replay_resends_in_the_asked_order(yookassa, sandbox, receiver) -> None:
    payment = paid(yookassa, sandbox)
    for value in ("10.00", "20.00"):
        yookassa.post(
            "/refunds",
            {"payment_id": payment["id"], "amount": {"value": value, "currency": "RUB"}},
        )
    receiver.wait_for(HOOK, lambda items: len(items) == 3)
    originals = sent(sandbox, payment["id"])

    replayed = sandbox.post(
        "/sandbox/notifications/replay",
        json={"provider": "yookassa", "payment_id": payment["id"], "order": "reversed",
              "repeat": 2},
    )  # fmt: skip

    assert replayed.status_code == 200
    deliveries = replayed.json()["deliveries"]
    expected_ids = [n["id"] for n in reversed(originals)] * 2
    assert [d["notification_id"] for d in deliveries] == expected_ids
    assert all(d["ok"] for d in deliveries)
    got = receiver.on(HOOK)[3:]
    assert [item.json()["event"] for item in got] == [
        "refund.succeeded", "refund.succeeded", "payment.succeeded",
    ] * 2  # fmt: skip


def test_replay_in_an_explicit_order(yookassa, sandbox, receiver) -> None:
    payment = paid(yookassa, sandbox)
    yookassa.post(
        "/refunds", {"payment_id": payment["id"], "amount": {"value": "1.00", "currency": "RUB"}}
    )
    receiver.wait_for(HOOK, lambda items: len(items) == 2)
    first, second = (n["id"] for n in sent(sandbox, payment["id"]))

    sandbox.post(
        "/sandbox/notifications/replay",
        json={"provider": "yookassa", "payment_id": payment["id"],
              "order": [second, first, second]},
    )  # fmt: skip
    unknown = sandbox.post(
        "/sandbox/notifications/replay",
        json={"provider": "yookassa", "payment_id": payment["id"], "order": ["nope"]},
    )

    events = [item.json()["event"] for item in receiver.on(HOOK)[2:]]
    assert events == ["refund.succeeded", "payment.succeeded", "refund.succeeded"]
    assert unknown.status_code == 422


def test_chargeback_notifies_both_providers(yookassa, sandbox, receiver, tbank) -> None:
    payment = paid(yookassa, sandbox)

    opened = sandbox.post(
        f"/sandbox/payments/yookassa/{payment['id']}/chargeback",
        json={"amount_minor": 5000, "reason": "fraud"},
    )

    assert opened.status_code == 200
    got = receiver.wait_for(HOOK, lambda items: len(items) == 2)
    assert got[1].json()["event"] == "chargeback.opened"
    assert got[1].json()["object"]["amount"] == {"value": "50.00", "currency": "RUB"}

    created = tbank.call("Init", {"Amount": 700, "OrderId": "cb-order"})
    refused = sandbox.post(f"/sandbox/payments/tbank/{created['PaymentId']}/chargeback", json={})
    assert refused.status_code == 409
    sandbox.get(created["PaymentURL"])
    sandbox.post(f"/sandbox/payments/tbank/{created['PaymentId']}/chargeback", json={})
    tbank_got = receiver.wait_for("/webhooks/tbank", lambda items: len(items) == 3)
    assert tbank_got[-1].json()["Status"] == "CHARGEBACK"


def test_outcome_of_a_completed_payment_cannot_change(yookassa, sandbox) -> None:
    payment = paid(yookassa, sandbox)

    response = sandbox.post(
        f"/sandbox/payments/yookassa/{payment['id']}/outcome", json={"outcome": "fail"}
    )
    unknown_code = sandbox.post(
        f"/sandbox/payments/yookassa/{payment['id']}/outcome",
        json={"refund_outcome": "fail", "refund_code": "nope"},
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "PAYMENT_ALREADY_COMPLETED"
    assert unknown_code.status_code == 422
    assert unknown_code.json()["errors"][0]["source"] == {"pointer": "/refund_code"}
