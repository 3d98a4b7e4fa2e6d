"""Notifications captured from the running sandbox verify; tampered or unsigned ones do not.

The sandbox replays a payment's recorded notifications to a tiny local receiver (the replay's
``url``), so the sandbox's own webhook URLs are never changed.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from notifications_support import Captured, Receiver
from parovoz_kit.errors import Unauthenticated
from parovoz_payment.clients.providers import ProviderConfig, TBankProvider, YooKassaProvider
from parovoz_payment.clients.providers.signatures import tbank_token
from parovoz_payment.domain.methods import PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.providers import NotificationSubject, ProviderPaymentRequest

SANDBOX = "http://127.0.0.1:8091"


async def replay_to(receiver: Receiver, provider: str, provider_payment_id: str) -> list[Captured]:
    async with httpx.AsyncClient(base_url=SANDBOX) as client:
        answer = await client.post(
            "/sandbox/notifications/replay",
            json={"provider": provider, "payment_id": provider_payment_id, "url": receiver.url},
        )
    assert answer.status_code == 200, answer.text
    assert all(delivery["ok"] for delivery in answer.json()["deliveries"])
    return list(receiver.received)


async def paid(adapter: YooKassaProvider | TBankProvider, **extra: object) -> tuple[uuid.UUID, str]:
    payment_id = uuid.uuid4()
    created = await adapter.create_payment(
        ProviderPaymentRequest(
            payment_id=payment_id,
            amount=Money(10_000, "RUB"),
            description="notification test",
            return_url="http://127.0.0.1:9/return",
            method=PaymentMethod.BANK_CARD,
            **extra,  # type: ignore[arg-type]
        ),
        str(uuid.uuid4()),
    )
    async with httpx.AsyncClient() as client:
        response = await client.get(created.confirmation_url or "", follow_redirects=False)
    assert response.status_code == 303  # paid, back to the return URL
    return payment_id, created.provider_payment_id


def tampered(body: bytes) -> bytes:
    document = json.loads(body)
    document["object" if "object" in document else "Amount"] = (
        {**document["object"], "status": "succeeded", "id": "someone-else"}
        if "object" in document
        else 1
    )
    return json.dumps(document).encode()


async def test_yookassa_notification_verifies_and_forgeries_do_not(receiver: Receiver) -> None:
    adapter = YooKassaProvider(ProviderConfig())
    try:
        payment_id, provider_payment_id = await paid(adapter)
    finally:
        await adapter.aclose()
    captured = await replay_to(receiver, "yookassa", provider_payment_id)
    assert captured
    notification = adapter.verify_notification(captured[0].headers, captured[0].body)
    assert notification.provider is Provider.YOOKASSA
    assert notification.subject is NotificationSubject.PAYMENT
    assert notification.provider_object_id == provider_payment_id
    assert notification.payment_id == payment_id
    assert notification.event == "payment.succeeded"

    with pytest.raises(Unauthenticated) as caught:
        adapter.verify_notification(captured[0].headers, tampered(captured[0].body))
    assert caught.value.code == "WEBHOOK_SIGNATURE_INVALID"
    unsigned = {k: v for k, v in captured[0].headers.items() if k.lower() != "x-sandbox-signature"}
    with pytest.raises(Unauthenticated):
        adapter.verify_notification(unsigned, captured[0].body)
    with pytest.raises(Unauthenticated):
        adapter.verify_notification({"X-Sandbox-Signature": "sha256=" + "0" * 64}, captured[0].body)


async def test_tbank_notification_verifies_and_forgeries_do_not(receiver: Receiver) -> None:
    adapter = TBankProvider(ProviderConfig())
    try:
        payment_id, provider_payment_id = await paid(adapter, save_method=True)
    finally:
        await adapter.aclose()
    captured = await replay_to(receiver, "tbank", provider_payment_id)
    events = [adapter.verify_notification(c.headers, c.body) for c in captured]
    assert [n.event for n in events] == ["AUTHORIZED", "CONFIRMED"]
    confirmed = events[-1]
    assert confirmed.payment_id == payment_id
    assert confirmed.provider_object_id == provider_payment_id
    assert confirmed.saved_method_token is not None and confirmed.saved_method_token.isdigit()

    body = captured[-1].body
    # The Token alone authenticates a T-Bank notification: without the sandbox HMAC it still passes.
    assert adapter.verify_notification({}, body).event == "CONFIRMED"
    with pytest.raises(Unauthenticated) as caught:
        adapter.verify_notification({}, tampered(body))  # Amount changed, Token not
    assert caught.value.code == "WEBHOOK_SIGNATURE_INVALID"
    with pytest.raises(Unauthenticated):
        adapter.verify_notification(captured[-1].headers, tampered(body))
    unsigned = {k: v for k, v in json.loads(body).items() if k != "Token"}
    with pytest.raises(Unauthenticated):
        adapter.verify_notification({}, json.dumps(unsigned).encode())
    forged = unsigned | {"Token": tbank_token(unsigned, "a-guessed-password")}
    with pytest.raises(Unauthenticated):
        adapter.verify_notification({}, json.dumps(forged).encode())
    with pytest.raises(Unauthenticated):
        adapter.verify_notification({}, b"not json")
