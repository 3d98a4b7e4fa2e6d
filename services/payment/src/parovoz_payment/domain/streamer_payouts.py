"""Streamer payouts (seed 004 task 7, PRODUCT.md "Donations"): weekly or monthly, a streamer's
whole balance is set aside for a payout when it reaches the minimum (500.00 RUB); a smaller
balance waits for the next period. One payout per streamer and period, whoever runs the job.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from parovoz_payment.domain.money import Money

StreamerPayoutPeriod = Literal["weekly", "monthly"]

#: Namespace of payout ids: id = uuid5(namespace, "<streamer>:<period key>"), so a second run
#: for the same period names the same payout. Never change it.
STREAMER_PAYOUT_NAMESPACE = uuid.UUID("0b7f3c4e-9d52-4a7e-8c1b-5e2f6a9d3c71")


def period_key(period: StreamerPayoutPeriod, now: datetime) -> str:
    """``2026-W48`` (ISO week) or ``2026-11`` (month), in UTC."""
    now = now.astimezone(UTC)
    return now.strftime("%G-W%V") if period == "weekly" else now.strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class StreamerPayout:
    id: uuid.UUID
    streamer_id: uuid.UUID
    period_key: str
    amount: Money
    created_at: datetime


def payout_for(
    streamer_id: uuid.UUID, balance: Money, minimum: Money, key: str, now: datetime
) -> StreamerPayout | None:
    """The period's payout of the whole balance, or None below the minimum."""
    if balance.currency != minimum.currency or balance.amount_minor < minimum.amount_minor:
        return None
    payout_id = uuid.uuid5(STREAMER_PAYOUT_NAMESPACE, f"{streamer_id}:{key}")
    return StreamerPayout(payout_id, streamer_id, key, balance, now)
