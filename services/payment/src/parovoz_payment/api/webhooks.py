"""Provider notifications: `POST /webhooks/yookassa`, `POST /webhooks/tbank` (no API prefix).

A bad signature → 401 in the kit's error format (the provider retries, a forger gets nothing).
A notification about a payment we do not know is answered as taken (200) and logged: its id
came from us, so no retry can ever make it apply, and a 404 would only make the provider
retry for days. So is one the settlement cross-checks refuse (the provider's payment is not
the one stored for ours, another amount or currency, a reference the payer may not pay): it
moves nothing, is audited and counted (``use_cases.settlement_checks``), and a retry would be
refused again.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from parovoz_kit.infrastructure import Infrastructure

from parovoz_payment.api.documented_errors import WEBHOOK, documented
from parovoz_payment.clients.providers.payouts import payouts_client
from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.clients.providers.webhooks import webhook_answer
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.providers import NotificationSubject
from parovoz_payment.use_cases.chargebacks import settle_chargeback_notification
from parovoz_payment.use_cases.fraud import fraud_screen
from parovoz_payment.use_cases.payment_confirmation import settle_payment_notification
from parovoz_payment.use_cases.payout_execution import settle_payout_notification
from parovoz_payment.use_cases.receipt_notifications import settle_receipt_notification
from parovoz_payment.use_cases.refund_follow_up import settle_refund_notification
from parovoz_payment.use_cases.refunds import RefundService
from parovoz_payment.use_cases.sales import sales_ports_with_catalogue

log = logging.getLogger(__name__)


def webhooks_router(infrastructure: Infrastructure, providers: ProviderRegistry) -> APIRouter:
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])
    wallet_rules = infrastructure.settings.wallet_rules()  # type: ignore[attr-defined]
    refunds = RefundService(
        infrastructure.unit_of_work, providers, infrastructure.clock, wallet_rules
    )

    async def take(provider: Provider, request: Request) -> Response:
        # Verified first (a bad signature raises → 401), then routed by what it is about.
        notification = providers.get(provider).verify_notification(
            dict(request.headers), await request.body()
        )
        if notification.subject is NotificationSubject.PAYMENT:
            await settle_payment_notification(
                infrastructure.unit_of_work,
                providers,
                infrastructure.clock,
                notification,
                fraud=fraud_screen(infrastructure),
                # A game whose events have not arrived is asked from developer-portal.
                sales=sales_ports_with_catalogue(infrastructure),
            )
        elif notification.subject is NotificationSubject.REFUND:
            await settle_refund_notification(refunds, notification)
        elif notification.subject is NotificationSubject.RECEIPT:
            await settle_receipt_notification(
                infrastructure.unit_of_work, infrastructure.clock, notification
            )
        elif notification.subject is NotificationSubject.PAYOUT:
            await settle_payout_notification(
                infrastructure.unit_of_work,
                infrastructure.clock,
                payouts_client(infrastructure),
                notification,
            )
        elif notification.subject is NotificationSubject.CHARGEBACK:
            await settle_chargeback_notification(
                infrastructure.unit_of_work, infrastructure.clock, notification
            )
        else:
            log.info("ignoring %s notification %s", provider.value, notification.event)
        answer = webhook_answer(provider)
        return Response(answer.body, status_code=answer.status_code, media_type=answer.media_type)

    @router.post(
        "/yookassa",
        responses=documented(WEBHOOK),
        summary="YooKassa notifications",
        description=(
            "YooKassa's HTTP notifications (payments, refunds, chargebacks, payouts), signed "
            "with `X-Sandbox-Signature: sha256=<HMAC of the body>`. A bad signature is 401; "
            "a body that is not a notification we understand is 400 WEBHOOK_BODY_INVALID; a "
            "notification about a payment we do not know, or one whose provider payment, "
            "amount, currency or reference does not match ours, is taken (200), moves nothing "
            "and is logged (a mismatch is audited)."
        ),
    )
    async def yookassa(request: Request) -> Response:
        return await take(Provider.YOOKASSA, request)

    @router.post(
        "/tbank",
        responses=documented(WEBHOOK),
        summary="T-Bank notifications",
        description=(
            "T-Bank acquiring notifications (payments, receipts, chargebacks), authenticated "
            "by their `Token` (and `X-Sandbox-Signature` when present). A bad token is 401; a "
            "body that is not a notification we understand is 400 WEBHOOK_BODY_INVALID; the "
            "answer is `OK`, as T-Bank expects."
        ),
    )
    async def tbank(request: Request) -> Response:
        return await take(Provider.TBANK, request)

    return router
