"""The portal's unit of work with the finance repositories (payout methods are sealed with the
service's bank details cipher)."""

from __future__ import annotations

from typing import Self

from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.finance.bank_details_cipher import BankDetailsCipher
from parovoz_developer_portal.finance.payout_methods_repository import SqlPayoutMethods
from parovoz_developer_portal.finance.payout_requests_repository import SqlPayoutRequests
from parovoz_developer_portal.finance.payout_schedule_repository import SqlPayoutSchedules
from parovoz_developer_portal.finance.sales_repository import SqlSales
from parovoz_developer_portal.unit_of_work import SqlPortalUnitOfWork


class SqlFinanceUnitOfWork(SqlPortalUnitOfWork):
    payout_methods: SqlPayoutMethods
    payout_requests: SqlPayoutRequests
    payout_schedules: SqlPayoutSchedules
    sales: SqlSales

    def __init__(self, infrastructure: Infrastructure, cipher: BankDetailsCipher) -> None:
        super().__init__(
            infrastructure.session_factory, infrastructure.source, clock=infrastructure.clock
        )
        self._cipher = cipher
        self._now = infrastructure.clock.now

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.payout_methods = SqlPayoutMethods(self.session, self._cipher, self._now())
        self.payout_requests = SqlPayoutRequests(self.session)
        self.payout_schedules = SqlPayoutSchedules(self.session)
        self.sales = SqlSales(self.session)
        return self


def bank_details_cipher(infrastructure: Infrastructure) -> BankDetailsCipher:
    """One cipher per process, built from the settings (keys decoded once)."""
    settings = infrastructure.settings
    return infrastructure.shared(
        "bank-details-cipher",
        settings.payout_details_cipher,  # type: ignore[attr-defined]
    )


def finance_unit_of_work(infrastructure: Infrastructure) -> SqlFinanceUnitOfWork:
    return SqlFinanceUnitOfWork(infrastructure, bank_details_cipher(infrastructure))
