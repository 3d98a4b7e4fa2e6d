"""payment's leased periodic jobs (one run per period across replicas)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.use_cases.expiry import expire_pending_payments
from parovoz_payment.use_cases.receipts import resend_pending_receipts


def payment_jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    async def resend_receipts(_: JobContext) -> None:
        await resend_pending_receipts(
            infrastructure.unit_of_work,
            infrastructure.clock,
            infrastructure.settings.providers,  # type: ignore[attr-defined]
        )

    async def expire_payments(_: JobContext) -> None:
        # Pending payments live one hour (PRODUCT.md); a few minutes late is harmless.
        await expire_pending_payments(
            infrastructure.unit_of_work, provider_registry(infrastructure), infrastructure.clock
        )

    return [
        PeriodicJob("receipts-resend", timedelta(minutes=10), resend_receipts),
        PeriodicJob("payments-expire", timedelta(minutes=5), expire_payments),
    ]
