"""payment's leased periodic jobs (one run per period across replicas)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import JobContext, PeriodicJob

from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.jobs.payouts import payout_jobs
from parovoz_payment.jobs.preorders import preorder_jobs
from parovoz_payment.jobs.revenue import revenue_jobs
from parovoz_payment.jobs.sale_attribution import sale_attribution_jobs
from parovoz_payment.jobs.streamer_payouts import streamer_payout_jobs
from parovoz_payment.use_cases.expiry import expire_pending_payments
from parovoz_payment.use_cases.gift_cards import break_expired_gift_cards
from parovoz_payment.use_cases.receipt_delivery import resend_pending_receipts
from parovoz_payment.use_cases.refund_follow_up import (
    follow_up_pending_refunds,
    release_stale_verifications,
    sweep_cap_overflow_debts,
)
from parovoz_payment.use_cases.refunds import RefundService


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

    async def follow_up_refunds(_: JobContext) -> None:
        # Refunds a provider finishes later, forgotten cap overflows, unreleased card holds.
        service = RefundService(
            infrastructure.unit_of_work,
            provider_registry(infrastructure),
            infrastructure.clock,
            infrastructure.settings.wallet_rules(),  # type: ignore[attr-defined]
        )
        await follow_up_pending_refunds(service)
        await sweep_cap_overflow_debts(service)
        await release_stale_verifications(infrastructure.unit_of_work, service)

    async def gift_card_breakage(_: JobContext) -> None:
        # Expired gift-card balances become platform revenue; an hour late is harmless.
        await break_expired_gift_cards(infrastructure.unit_of_work, infrastructure.clock)

    return [
        PeriodicJob("receipts-resend", timedelta(minutes=10), resend_receipts),
        PeriodicJob("payments-expire", timedelta(minutes=5), expire_payments),
        PeriodicJob("gift-cards-breakage", timedelta(hours=1), gift_card_breakage),
        PeriodicJob("refunds-follow-up", timedelta(minutes=5), follow_up_refunds),
        *payout_jobs(infrastructure),
        *revenue_jobs(infrastructure),
        *sale_attribution_jobs(infrastructure),
        *streamer_payout_jobs(infrastructure),
        *preorder_jobs(infrastructure),
    ]
