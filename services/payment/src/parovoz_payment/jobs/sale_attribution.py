"""The ``sales-attribution`` job (leased, every 5 minutes): sales held in suspense while
developer-portal was unreachable are split once it answers (``use_cases.sale_attribution``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_payment.use_cases.sale_attribution import AttributionRun, attribute_waiting_sales
from parovoz_payment.use_cases.sales import sales_ports_with_catalogue

log = logging.getLogger(__name__)


def sale_attribution_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    async def run(_: JobContext) -> AttributionRun:
        ports = sales_ports_with_catalogue(infrastructure)
        assert ports.catalogue is not None
        result = await attribute_waiting_sales(infrastructure.unit_of_work, ports.catalogue, ports)
        if result.attributed or result.to_platform or result.waiting:
            log.info(
                "held sales: %d attributed, %d to platform revenue, %d still waiting",
                result.attributed,
                result.to_platform,
                result.waiting,
            )
        return result

    return [PeriodicJob("sales-attribution", timedelta(minutes=5), run)]
