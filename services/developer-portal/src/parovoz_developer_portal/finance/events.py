"""developer-portal's consumer of ``payment.events.v1`` (group
``developer-portal.payment.events.v1``): payout statuses and the sales analytics read model.

Each handler runs in the consumer's inbox transaction, so an event has its effect once; the
effects are idempotent on their own too (a status never moves back, a sale id adds once)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from parovoz_events.payment import PayoutStatusChanged, SaleRecorded
from parovoz_kit.events import Event, Handler
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.finance.domain.payouts import PayoutStatus, PayoutStatusReport
from parovoz_developer_portal.finance.domain.sales import RecordedSale
from parovoz_developer_portal.finance.payout_requests_repository import SqlPayoutRequests
from parovoz_developer_portal.finance.sales_repository import SqlSales
from parovoz_developer_portal.finance.service.payouts import record_payout_status

log = logging.getLogger(__name__)


def payment_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock = infrastructure.clock

    async def on_payout_status_changed(
        session: AsyncSession, data: PayoutStatusChanged, event: Event
    ) -> None:
        report = PayoutStatusReport(
            new_status=PayoutStatus(data.new_status),
            payment_transaction_id=data.payment_service_transaction_id,
            processed_at=data.processed_at,
            failure_reason_code=data.failure_reason_code,
            failure_reason_message=data.failure_reason_message,
        )
        requests = SqlPayoutRequests(session)
        changed = await record_payout_status(
            requests, data.developer_id, data.payout_request_id, report, clock.now()
        )
        log.info(
            "payout status applied" if changed else "payout status changes nothing",
            extra={
                "payout_request_id": str(data.payout_request_id),
                "new_status": data.new_status,
                "event_id": str(event.id),
            },
        )

    async def on_sale_recorded(session: AsyncSession, data: SaleRecorded, event: Event) -> None:
        sale = RecordedSale(
            sale_id=data.sale_id,
            kind=data.kind,
            developer_id=data.developer_id,
            game_id=data.game_id,
            region=data.region,
            currency=data.gross_amount.currency,
            gross_minor=data.gross_amount.amount_minor,
            net_minor=data.net_amount.amount_minor,
            recorded_at=data.recorded_at,
        )
        if not await SqlSales(session).record(sale):
            log.info("sale already counted", extra={"sale_id": str(data.sale_id)})

    return {
        PayoutStatusChanged.event_type: on_payout_status_changed,
        SaleRecorded.event_type: on_sale_recorded,
    }
