"""Developer payouts: table and repository (the caller's session; the caller commits).

``next_attempt_at`` is both the schedule and the row lease of the ``payouts-execute`` job
(``db/payout_sending.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    String,
    Table,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db import payout_sending
from parovoz_payment.db.metadata import metadata
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payouts import (
    MaskedDestination,
    Payout,
    PayoutFailure,
    PayoutRequest,
    PayoutStatus,
)

developer_payouts = Table(
    "developer_payouts",
    metadata,
    #: payment's id of the payout: ``payment_service_transaction_id`` in events and the
    #: provider's Idempotence-Key.
    Column("id", UUID(as_uuid=True), primary_key=True),
    #: developer-portal's request: one payout per request, however often the event comes.
    Column("payout_request_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("developer_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("payout_method_id", UUID(as_uuid=True), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("trigger", String(24), nullable=False),
    Column("requested_by_user_id", UUID(as_uuid=True), nullable=True),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    #: ``destination``: a masked snapshot of the bank details (never the account number or ИНН).
    *payout_sending.provider_columns(),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("status IN ('processing', 'completed', 'failed')", name="status"),
    CheckConstraint(
        "(status = 'failed') = (failure_reason_code IS NOT NULL)", name="failure_when_failed"
    ),
    Index("ix_developer_payouts_due", "status", "next_attempt_at"),
)


def _values(payout: Payout) -> dict[str, Any]:
    request = payout.request
    return {
        "payout_request_id": request.payout_request_id,
        "developer_id": request.developer_id,
        "payout_method_id": request.payout_method_id,
        "currency": request.amount.currency,
        "amount_minor": request.amount.amount_minor,
        "trigger": request.trigger,
        "requested_by_user_id": request.requested_by_user_id,
        "requested_at": request.requested_at,
        "status": payout.status.value,
        "failure_reason_code": payout.failure.value if payout.failure else None,
        "failure_reason_message": payout.failure_message,
        "provider": payout.provider,
        "provider_payout_id": payout.provider_payout_id,
        "destination": payout.destination.as_json() if payout.destination else None,
        "sent_at": payout.sent_at,
        "finished_at": payout.finished_at,
        "created_at": payout.created_at,
        "updated_at": payout.updated_at,
    }


def _payout(row: Row[Any]) -> Payout:
    destination = row.destination or None
    return Payout(
        id=row.id,
        request=PayoutRequest(
            payout_request_id=row.payout_request_id,
            developer_id=row.developer_id,
            payout_method_id=row.payout_method_id,
            amount=Money(row.amount_minor, row.currency),
            trigger=row.trigger,
            requested_at=row.requested_at,
            requested_by_user_id=row.requested_by_user_id,
        ),
        status=PayoutStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        failure=PayoutFailure(row.failure_reason_code) if row.failure_reason_code else None,
        failure_message=row.failure_reason_message,
        provider=row.provider,
        provider_payout_id=row.provider_payout_id,
        destination=MaskedDestination(
            destination["bank_name"], destination["bik"], destination["account_last4"]
        )
        if destination
        else None,
        sent_at=row.sent_at,
        finished_at=row.finished_at,
    )


class SqlPayouts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_new(self, payout: Payout) -> bool:
        """Insert; False (nothing written) when its payout request already has a payout."""
        inserted = await self._session.execute(
            insert(developer_payouts)
            .values(_values(payout) | {"id": payout.id, "next_attempt_at": payout.created_at})
            .on_conflict_do_nothing(index_elements=["payout_request_id"])
            .returning(developer_payouts.c.id)
        )
        return inserted.first() is not None

    async def save(self, payout: Payout, *, next_attempt_at: datetime | None = None) -> None:
        values = _values(payout)
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        await self._session.execute(
            update(developer_payouts).where(developer_payouts.c.id == payout.id).values(values)
        )

    async def get(self, payout_id: uuid.UUID, *, for_update: bool = False) -> Payout | None:
        row = await payout_sending.payout_row(
            self._session, developer_payouts, payout_id, for_update=for_update
        )
        return None if row is None else _payout(row)

    async def of_request(self, payout_request_id: uuid.UUID) -> Payout | None:
        query = select(developer_payouts).where(
            developer_payouts.c.payout_request_id == payout_request_id
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else _payout(row)

    async def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[Payout]:
        """Due processing payouts, oldest first, leased to the caller until ``now + lease``."""
        rows = await payout_sending.claim_due(self._session, developer_payouts, now, lease, limit)
        return [_payout(row) for row in rows]
