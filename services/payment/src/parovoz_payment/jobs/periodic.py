"""payment's leased periodic jobs (one run per period across replicas)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_payment.use_cases.receipts import resend_pending_receipts


def payment_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    async def resend_receipts(_: JobContext) -> None:
        await resend_pending_receipts(
            infrastructure.unit_of_work,
            infrastructure.clock,
            infrastructure.settings.providers,  # type: ignore[attr-defined]
        )

    return [PeriodicJob("receipts-resend", timedelta(minutes=10), resend_receipts)]
