"""Referral payouts: table and repository (the caller's session; the caller commits).

One row per executed request, completed or failed. A reference is paid at most once: a
partial unique index admits one ``completed`` row per reference (a failed one may be asked
again), and the ledger posting is keyed by the reference too.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    String,
    Table,
    Text,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.referral_payouts import (
    REFERENCE_MAX_LENGTH,
    ReferralFailure,
    ReferralPayout,
    ReferralPayoutRequest,
    ReferralPayoutStatus,
)

referral_payouts = Table(
    "referral_payouts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    #: The social service's id of its payout request.
    Column("reference", String(REFERENCE_MAX_LENGTH), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("destination", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("failure_reason_code", String(32), nullable=True),
    Column("failure_reason_message", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("status IN ('completed', 'failed')", name="status"),
    Index(
        "uq_referral_payouts_completed_reference",
        "reference",
        unique=True,
        postgresql_where=text("status = 'completed'"),
    ),
)


class SqlReferralPayouts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, payout: ReferralPayout) -> None:
        request = payout.request
        await self._session.execute(
            referral_payouts.insert().values(
                id=payout.id,
                reference=request.reference,
                user_id=request.user_id,
                currency=request.amount.currency,
                amount_minor=request.amount.amount_minor,
                destination=request.destination,
                status=payout.status.value,
                failure_reason_code=payout.failure.value if payout.failure else None,
                failure_reason_message=payout.failure_message,
                created_at=payout.created_at,
            )
        )

    async def completed_for(self, reference: str) -> ReferralPayout | None:
        query = select(referral_payouts).where(
            referral_payouts.c.reference == reference,
            referral_payouts.c.status == ReferralPayoutStatus.COMPLETED.value,
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else _payout(row)

    async def get(self, payout_id: uuid.UUID) -> ReferralPayout | None:
        query = select(referral_payouts).where(referral_payouts.c.id == payout_id)
        row = (await self._session.execute(query)).first()
        return None if row is None else _payout(row)


def _payout(row: Row[Any]) -> ReferralPayout:
    return ReferralPayout(
        id=row.id,
        request=ReferralPayoutRequest(
            user_id=row.user_id,
            amount=Money(row.amount_minor, row.currency),
            destination=row.destination,
            reference=row.reference,
        ),
        status=ReferralPayoutStatus(row.status),
        failure=ReferralFailure(row.failure_reason_code) if row.failure_reason_code else None,
        failure_message=row.failure_reason_message,
        created_at=row.created_at,
    )
