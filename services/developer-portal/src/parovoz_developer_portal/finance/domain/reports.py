"""Use cases of the finance pages: balance and ledger (payment's numbers), sales analytics (our
read model). Readable by MANAGE_FINANCE roles only (owner, admin, finance)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from parovoz_developer_portal.finance.domain.balances import (
    DeveloperBalance,
    DeveloperMoney,
    LedgerPage,
)
from parovoz_developer_portal.finance.domain.ports import FinanceUnitOfWork
from parovoz_developer_portal.finance.domain.sales import ReportPeriod, SalesDay, report_period
from parovoz_developer_portal.finance.service.payouts import finance_membership


async def balance_of_member(
    uow: FinanceUnitOfWork, money: DeveloperMoney, user_id: uuid.UUID
) -> DeveloperBalance:
    membership = await finance_membership(uow, user_id)
    return await money.balance(membership.account.id)


async def ledger_of_member(
    uow: FinanceUnitOfWork,
    money: DeveloperMoney,
    user_id: uuid.UUID,
    page_size: int,
    cursor: str | None,
) -> LedgerPage:
    membership = await finance_membership(uow, user_id)
    return await money.ledger(membership.account.id, page_size, cursor)


async def sales_of_member(
    uow: FinanceUnitOfWork,
    user_id: uuid.UUID,
    first: date | None,
    last: date | None,
    game_id: uuid.UUID | None,
    today: date,
) -> tuple[ReportPeriod, Sequence[SalesDay]]:
    period = report_period(first, last, today)
    membership = await finance_membership(uow, user_id)
    return period, await uow.sales.days(membership.account.id, period, game_id)
