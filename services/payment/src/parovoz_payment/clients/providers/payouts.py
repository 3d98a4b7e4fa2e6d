"""YooKassa Payouts API (``POST /v3/payouts``, ``GET /v3/payouts/{id}``) for developer payouts
(to a bank account) and streamer payouts (to a YooMoney wallet).

The ``Idempotence-Key`` is our payout id: a runner that crashed between the call and its commit
sends the same request again and YooKassa answers with the payout it already made. Payouts to a
company's settlement account use the sandbox's ``bank_account`` destination (real YooKassa pays
to cards, YooMoney and SBP; a bank transfer goes through the bank's own API — the adapter is
where that would change). Bank details travel in the request body only: never logged, never in
an error message (the transport logs the provider's error code and parameter name, not values).

Notifications (``payout.succeeded`` / ``payout.canceled``) come to the YooKassa webhook, signed
like payment notifications and verified by the payment adapter (subject ``payout``); they only
say *which* payout changed — the status is read back with :meth:`YooKassaPayouts.get_payout`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import httpx
from parovoz_kit.infrastructure import Infrastructure

from parovoz_payment.clients.providers import transport
from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.clients.providers.yookassa import (
    amount_from_json,
    amount_json,
)
from parovoz_payment.clients.providers.yookassa_http import (
    YooKassaRefused,
    yookassa_call,
    yookassa_http_client,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payouts import (
    BankDetails,
    PayoutFailure,
    ProviderPayout,
    ProviderPayoutStatus,
)
from parovoz_payment.domain.streamer_payouts import WalletDestination

NAME = "YooKassa payouts"
PROVIDER = "yookassa"
METADATA_PAYOUT_ID = "payout_id"


class YooKassaPayouts:
    name = PROVIDER

    def __init__(self, config: ProviderConfig, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or yookassa_http_client(config)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def create_payout(
        self,
        payout_id: uuid.UUID,
        amount: Money,
        details: BankDetails | WalletDestination,
        description: str,
        metadata: Mapping[str, str],
    ) -> ProviderPayout:
        body = {
            "amount": amount_json(amount),
            "payout_destination_data": _destination(details),
            "description": description[:128],
            "metadata": {**metadata, METADATA_PAYOUT_ID: str(payout_id)},
        }
        return _payout(await self._call("POST", "/payouts", body, key=str(payout_id)))

    async def get_payout(self, provider_payout_id: str) -> ProviderPayout:
        if not transport.safe(provider_payout_id):
            raise transport.not_found(NAME)
        return _payout(await self._call("GET", f"/payouts/{provider_payout_id}"))

    async def _call(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        return await yookassa_call(
            self._client, NAME, method, path, body, key, refused="the payout"
        )


def _destination(details: BankDetails | WalletDestination) -> dict[str, Any]:
    if isinstance(details, WalletDestination):  # a streamer's YooMoney wallet
        return {"type": "yoo_money", "account_number": details.account_number}
    destination: dict[str, Any] = {
        "type": "bank_account",
        "bik": details.bik,
        "account_number": details.account_number,
        "recipient_name": details.recipient_name,
        "inn": details.inn,
    }
    if details.kpp:
        destination["kpp"] = details.kpp
    return destination


def refusal_failure(refused: YooKassaRefused) -> PayoutFailure:
    """What a refused payout request fails with: the destination's fault, or the provider's."""
    if (refused.parameter or "").startswith("payout_destination_data"):
        return PayoutFailure.PAYOUT_METHOD_UNAVAILABLE
    return PayoutFailure.PROVIDER_REJECTED


_STATUSES = {status.value: status for status in ProviderPayoutStatus}


def _payout(body: dict[str, Any]) -> ProviderPayout:
    status = _STATUSES.get(transport.field(body, "status", str, NAME))
    if status is None:
        raise transport.provider_unavailable(NAME, "unknown payout status", "PROVIDER_BAD_RESPONSE")
    details = body.get("cancellation_details")
    reason = details.get("reason") if isinstance(details, dict) else None
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    try:
        payout_id = uuid.UUID(str(metadata.get(METADATA_PAYOUT_ID)))
    except ValueError:
        payout_id = None
    return ProviderPayout(
        provider_payout_id=transport.field(body, "id", str, NAME),
        status=status,
        amount=amount_from_json(body.get("amount")),
        payout_id=payout_id,
        cancellation_reason=transport.safe(reason),
    )


def payouts_client(infrastructure: Infrastructure) -> YooKassaPayouts:
    """The process's one payouts client, closed with the infrastructure."""
    settings = infrastructure.settings
    return infrastructure.shared(
        "payment-payouts",
        lambda: YooKassaPayouts(settings.providers),  # type: ignore[attr-defined]
    )
