"""Provider notifications: `POST /webhooks/yookassa`, `POST /webhooks/tbank` (no API prefix).

A bad signature → 401 in the kit's error format (the provider retries, a forger gets nothing).
A notification about a payment we do not know is answered as taken (200) and logged: its id
came from us, so no retry can ever make it apply, and a 404 would only make the provider
retry for days.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from parovoz_kit.infrastructure import Infrastructure

from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.clients.providers.webhooks import webhook_answer
from parovoz_payment.domain.methods import Provider
from parovoz_payment.use_cases.payment_flow import settle_from_provider


def webhooks_router(infrastructure: Infrastructure, providers: ProviderRegistry) -> APIRouter:
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])

    async def take(provider: Provider, request: Request) -> Response:
        body = await request.body()
        await settle_from_provider(
            infrastructure.unit_of_work,
            providers,
            infrastructure.clock,
            provider,
            dict(request.headers),
            body,
        )
        answer = webhook_answer(provider)
        return Response(answer.body, status_code=answer.status_code, media_type=answer.media_type)

    @router.post("/yookassa", summary="YooKassa notifications", include_in_schema=True)
    async def yookassa(request: Request) -> Response:
        return await take(Provider.YOOKASSA, request)

    @router.post("/tbank", summary="T-Bank notifications")
    async def tbank(request: Request) -> Response:
        return await take(Provider.TBANK, request)

    return router
