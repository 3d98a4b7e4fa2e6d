"""Every answer is labelled as the stand-in's; the control API speaks the platform error format."""

from __future__ import annotations

import uuid


def test_every_kind_of_answer_carries_the_server_label(sandbox, yookassa, tbank) -> None:
    label = "parovoz-standin-provider-sandbox"
    answers = [
        sandbox.get("/health"),
        sandbox.get("/nowhere"),
        sandbox.get(f"/sandbox/payments/yookassa/{uuid.uuid4()}"),
        sandbox.get(f"/sandbox/payments/tbank/{uuid.uuid4()}/confirm"),
        sandbox.post("/v2/Init", content=b"not json"),
        yookassa.get(f"/payments/{uuid.uuid4()}"),
    ]

    for response in answers:
        assert response.headers["server"] == label, response.url


def test_control_api_errors_use_the_platform_format(sandbox) -> None:
    missing = sandbox.get(f"/sandbox/payments/yookassa/{uuid.uuid4()}")
    invalid = sandbox.post(
        f"/sandbox/payments/elsewhere/{uuid.uuid4()}/outcome", json={"outcome": "succeed"}
    )

    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "PAYMENT_NOT_FOUND"
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["code"] == "VALIDATION_ERROR"
    assert invalid.json()["errors"][0]["source"] == {"parameter": "provider"}


def test_default_outcome_can_be_switched(sandbox, yookassa) -> None:
    switched = sandbox.put(
        "/sandbox/default-outcome", json={"outcome": "fail", "code": "call_issuer"}
    )
    payment = yookassa.post(
        "/payments",
        {"amount": {"value": "7.00", "currency": "RUB"}, "capture": True,
         "confirmation": {"type": "redirect", "return_url": "https://store.example/r"}},
    ).json()  # fmt: skip

    sandbox.get(payment["confirmation"]["confirmation_url"])

    assert switched.json() == {"outcome": "fail", "code": "call_issuer"}
    fetched = yookassa.get(f"/payments/{payment['id']}").json()
    assert fetched["cancellation_details"]["reason"] == "call_issuer"


def test_webhook_url_can_be_pointed_elsewhere(sandbox, receiver, yookassa) -> None:
    sandbox.put("/sandbox/yookassa/webhook-url", json={"url": f"{receiver.url}/elsewhere"})
    payment = yookassa.post(
        "/payments",
        {"amount": {"value": "7.00", "currency": "RUB"}, "capture": True,
         "confirmation": {"type": "redirect", "return_url": "https://store.example/r"}},
    ).json()  # fmt: skip

    sandbox.get(payment["confirmation"]["confirmation_url"])

    receiver.wait_for("/elsewhere", lambda items: len(items) == 1)
