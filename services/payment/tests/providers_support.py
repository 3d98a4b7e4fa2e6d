"""The provider adapters' tests (against the running provider sandbox): a payment request,
a fresh idempotency key, the buyer paying at the sandbox's confirmation page."""

from __future__ import annotations

import uuid

import httpx
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.providers import ProviderPayment, ProviderPaymentRequest

RETURN_URL = "http://127.0.0.1:9/return"


def payment_request(amount_minor: int = 10_000, **overrides: object) -> ProviderPaymentRequest:
    fields: dict[str, object] = {
        "payment_id": uuid.uuid4(),
        "amount": Money(amount_minor, "RUB"),
        "description": "Parovoz test purchase",
        "return_url": RETURN_URL,
    }
    return ProviderPaymentRequest(**(fields | overrides))  # type: ignore[arg-type]


def key() -> str:
    return str(uuid.uuid4())


async def pay(payment: ProviderPayment) -> None:
    """The buyer opens the confirmation URL (the sandbox applies the decided outcome)."""
    assert payment.confirmation_url is not None
    async with httpx.AsyncClient() as client:
        response = await client.get(payment.confirmation_url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(RETURN_URL)
