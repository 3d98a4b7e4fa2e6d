"""What the finance use cases need from storage, as plain protocols (db/ implements them)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self

from parovoz_developer_portal.accounts.ports import PortalUnitOfWork
from parovoz_developer_portal.finance.domain.payout_schedule import PayoutSchedule
from parovoz_developer_portal.finance.domain.payouts import PayoutMethod, PayoutRequest
from parovoz_developer_portal.finance.domain.sales import RecordedSale, ReportPeriod, SalesDay


class PayoutMethods(Protocol):
    async def add(self, method: PayoutMethod) -> None: ...

    async def get(self, developer_id: uuid.UUID, method_id: uuid.UUID) -> PayoutMethod | None:
        """A live (not deleted) method of this developer, decrypted; None otherwise."""
        ...

    async def list(self, developer_id: uuid.UUID) -> Sequence[PayoutMethod]: ...

    async def default_of(self, developer_id: uuid.UUID) -> PayoutMethod | None: ...

    async def lock_account(self, developer_id: uuid.UUID) -> None:
        """Serialise changes of one account's methods and payout requests until commit."""
        ...

    async def make_default(self, developer_id: uuid.UUID, method_id: uuid.UUID) -> None: ...

    async def delete(self, method: PayoutMethod) -> None: ...


class PayoutRequests(Protocol):
    async def add(self, request: PayoutRequest) -> None:
        """Raises Conflict when the account already has an open request."""
        ...

    async def get(self, developer_id: uuid.UUID, request_id: uuid.UUID) -> PayoutRequest | None: ...

    async def get_for_update(self, request_id: uuid.UUID) -> PayoutRequest | None: ...

    async def list(self, developer_id: uuid.UUID, limit: int) -> Sequence[PayoutRequest]: ...

    async def open_request_of(self, developer_id: uuid.UUID) -> PayoutRequest | None: ...

    async def uses_method(self, method_id: uuid.UUID) -> bool:
        """True while an open request pays to this method."""
        ...

    async def save(self, request: PayoutRequest) -> None: ...


class SalesReadModel(Protocol):
    async def record(self, sale: RecordedSale) -> bool:
        """Add the sale to its day; False (and nothing added) if it was recorded before."""
        ...

    async def days(
        self, developer_id: uuid.UUID, period: ReportPeriod, game_id: uuid.UUID | None
    ) -> Sequence[SalesDay]: ...


class PayoutSchedules(Protocol):
    async def get(self, developer_id: uuid.UUID) -> PayoutSchedule | None: ...

    async def save(self, schedule: PayoutSchedule) -> None:
        """Insert or replace the account's schedule."""
        ...

    async def monthly_accounts(self) -> Sequence[uuid.UUID]:
        """Accounts paid out monthly, in a stable order."""
        ...


class FinanceUnitOfWork(PortalUnitOfWork, Protocol):
    payout_methods: PayoutMethods
    payout_requests: PayoutRequests
    payout_schedules: PayoutSchedules
    sales: SalesReadModel

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...
