"""Payout requests in storage."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from parovoz_kit.errors import Conflict
from sqlalchemy import exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.finance.domain.payouts import (
    OPEN_STATUSES,
    PayoutAmount,
    PayoutRequest,
    PayoutStatus,
    PayoutTrigger,
)
from parovoz_developer_portal.finance.tables import payout_requests


def _request(row: Any) -> PayoutRequest:
    return PayoutRequest(
        id=row.id,
        developer_id=row.developer_id,
        amount=PayoutAmount(row.amount_minor, row.currency),
        payout_method_id=row.payout_method_id,
        payout_method_label=row.payout_method_label,
        status=PayoutStatus(row.status),
        trigger=PayoutTrigger(row.trigger),
        requested_by_user_id=row.requested_by_user_id,
        requested_at=row.requested_at,
        updated_at=row.updated_at,
        payment_transaction_id=row.payment_transaction_id,
        failure_reason_code=row.failure_reason_code,
        failure_reason_message=row.failure_reason_message,
        processed_at=row.processed_at,
    )


def _values(request: PayoutRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "developer_id": request.developer_id,
        "amount_minor": request.amount.amount_minor,
        "currency": request.amount.currency,
        "payout_method_id": request.payout_method_id,
        "payout_method_label": request.payout_method_label,
        "status": request.status.value,
        "trigger": request.trigger.value,
        "requested_by_user_id": request.requested_by_user_id,
        "requested_at": request.requested_at,
        "updated_at": request.updated_at,
        "payment_transaction_id": request.payment_transaction_id,
        "failure_reason_code": request.failure_reason_code,
        "failure_reason_message": request.failure_reason_message,
        "processed_at": request.processed_at,
    }


class SqlPayoutRequests:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: PayoutRequest) -> None:
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(payout_requests).values(_values(request)))
        except IntegrityError:
            # uq_payout_requests_one_open: a concurrent request of the account came first.
            raise Conflict(
                "A payout of this account is already in progress; ask again once it has ended.",
                code="PAYOUT_ALREADY_IN_PROGRESS",
            ) from None

    async def get(self, developer_id: uuid.UUID, request_id: uuid.UUID) -> PayoutRequest | None:
        query = select(payout_requests).where(
            payout_requests.c.id == request_id, payout_requests.c.developer_id == developer_id
        )
        row = (await self._session.execute(query)).first()
        return _request(row) if row else None

    async def get_for_update(self, request_id: uuid.UUID) -> PayoutRequest | None:
        query = select(payout_requests).where(payout_requests.c.id == request_id).with_for_update()
        row = (await self._session.execute(query)).first()
        return _request(row) if row else None

    async def list(self, developer_id: uuid.UUID, limit: int) -> Sequence[PayoutRequest]:
        query = (
            select(payout_requests)
            .where(payout_requests.c.developer_id == developer_id)
            .order_by(payout_requests.c.requested_at.desc(), payout_requests.c.id.desc())
            .limit(limit)
        )
        return [_request(row) for row in await self._session.execute(query)]

    async def open_request_of(self, developer_id: uuid.UUID) -> PayoutRequest | None:
        query = select(payout_requests).where(
            payout_requests.c.developer_id == developer_id,
            payout_requests.c.status.in_(OPEN_STATUSES),
        )
        row = (await self._session.execute(query)).first()
        return _request(row) if row else None

    async def uses_method(self, method_id: uuid.UUID) -> bool:
        query = select(
            exists().where(
                payout_requests.c.payout_method_id == method_id,
                payout_requests.c.status.in_(OPEN_STATUSES),
            )
        )
        return bool((await self._session.execute(query)).scalar())

    async def save(self, request: PayoutRequest) -> None:
        values = _values(request)
        await self._session.execute(
            update(payout_requests).where(payout_requests.c.id == request.id).values(values)
        )
