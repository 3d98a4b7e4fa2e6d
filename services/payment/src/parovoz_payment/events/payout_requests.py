"""payment's handler of ``developer.payout.requested.v1`` (on ``developer.events.v1``)."""

from __future__ import annotations

from collections.abc import Mapping

from parovoz_events.developer import PayoutRequested
from parovoz_kit.events import Event, Handler
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.use_cases.payouts import accept_payout_request, payout_request


def payout_request_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    minimum = infrastructure.settings.payout_minimum_minor  # type: ignore[attr-defined]

    async def on_payout_requested(
        session: AsyncSession, data: PayoutRequested, _event: Event
    ) -> None:
        await accept_payout_request(
            session, infrastructure.clock, infrastructure.source, payout_request(data), minimum
        )

    return {PayoutRequested.event_type: on_payout_requested}
