"""Use cases of the payout schedule: choose it (finance side of the team), and the monthly run
that asks for the automatic payouts.

The monthly request goes through the same checks and the same ``place_payout_request`` as one
a member asks for; its id is derived from (account, month), so two runners or a rerun of the
month make one request at most. payment unreachable: the account is left untouched and the
run reports it, to be tried again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from parovoz_kit.errors import BusinessRuleViolation, Conflict, NotFound, Unavailable

from parovoz_developer_portal.accounts.domain import DeveloperStatus
from parovoz_developer_portal.finance.domain.balances import DeveloperMoney
from parovoz_developer_portal.finance.domain.payout_schedule import (
    PayoutSchedule,
    PayoutScheduleMode,
    automatic_payout_amount,
    automatic_request_id,
    on_request_schedule,
)
from parovoz_developer_portal.finance.domain.payouts import (
    PayoutMethod,
    PayoutRequest,
    PayoutTrigger,
    request_payout,
)
from parovoz_developer_portal.finance.domain.ports import FinanceUnitOfWork
from parovoz_developer_portal.finance.service.payouts import (
    finance_membership,
    place_payout_request,
)

log = logging.getLogger(__name__)

_METHOD_POINTER = "/data/attributes/payout_method_id"


async def payout_schedule_of_member(uow: FinanceUnitOfWork, user_id: uuid.UUID) -> PayoutSchedule:
    membership = await finance_membership(uow, user_id)
    developer_id = membership.account.id
    return await uow.payout_schedules.get(developer_id) or on_request_schedule(developer_id)


async def choose_payout_schedule(
    uow: FinanceUnitOfWork,
    user_id: uuid.UUID,
    mode: PayoutScheduleMode,
    method_id: uuid.UUID | None,
    now: datetime,
) -> PayoutSchedule:
    """``monthly`` pays to the named method of the account (its default when none is named);
    ``on_request`` names none."""
    membership = await finance_membership(uow, user_id)
    developer_id = membership.account.id
    await uow.payout_methods.lock_account(developer_id)  # a method deleted meanwhile waits
    chosen: uuid.UUID | None = None
    if mode is PayoutScheduleMode.MONTHLY:
        chosen = (await _method_to_schedule(uow, developer_id, method_id)).id
    schedule = PayoutSchedule(developer_id, mode, chosen, user_id, now)
    await uow.payout_schedules.save(schedule)
    await uow.commit()
    return schedule


async def _method_to_schedule(
    uow: FinanceUnitOfWork, developer_id: uuid.UUID, method_id: uuid.UUID | None
) -> PayoutMethod:
    if method_id is None:
        method = await uow.payout_methods.default_of(developer_id)
        if method is None:
            raise BusinessRuleViolation(
                "Add a payout method first.", code="PAYOUT_METHOD_REQUIRED", pointer=_METHOD_POINTER
            )
        return method
    method = await uow.payout_methods.get(developer_id, method_id)
    if method is None:
        raise NotFound(
            f"Payout method {method_id} was not found.",
            code="PAYOUT_METHOD_NOT_FOUND",
            pointer=_METHOD_POINTER,
        )
    return method


# --- the monthly run -------------------------------------------------------------------------
@dataclass
class MonthlyPayoutRun:
    requested: list[PayoutRequest] = field(default_factory=list)
    #: Accounts whose balance payment could not tell: nothing was asked for them yet.
    unreachable: list[uuid.UUID] = field(default_factory=list)


async def request_monthly_payouts(
    unit_of_work: Callable[[], FinanceUnitOfWork],
    money: DeveloperMoney,
    period_key: str,
    *,
    minimum_minor: int,
    now: datetime,
) -> MonthlyPayoutRun:
    """One transaction per account, so one account's trouble never holds back the others."""
    async with unit_of_work() as uow:
        accounts = await uow.payout_schedules.monthly_accounts()
    run = MonthlyPayoutRun()
    for developer_id in accounts:
        try:
            request = await request_monthly_payout(
                unit_of_work(),
                money,
                developer_id,
                period_key,
                minimum_minor=minimum_minor,
                now=now,
            )
        except Unavailable:
            run.unreachable.append(developer_id)
            continue
        except Conflict:
            continue  # another runner asked first, or the member just did
        if request is not None:
            run.requested.append(request)
    return run


async def request_monthly_payout(
    uow: FinanceUnitOfWork,
    money: DeveloperMoney,
    developer_id: uuid.UUID,
    period_key: str,
    *,
    minimum_minor: int,
    now: datetime,
) -> PayoutRequest | None:
    """The account's automatic request of ``period_key``, or None: not monthly (any more),
    suspended, asked already this month, a payout still in progress (the next month's run
    pays what is left), no method, or less than the minimum available."""
    request_id = automatic_request_id(developer_id, period_key)
    async with uow:
        schedule = await uow.payout_schedules.get(developer_id)
        if schedule is None or schedule.mode is not PayoutScheduleMode.MONTHLY:
            return None
        account = await uow.accounts.get(developer_id)
        if account is None or account.status is DeveloperStatus.SUSPENDED:
            return None
        requests = uow.payout_requests
        if await requests.get(developer_id, request_id) is not None:
            return None
        if await requests.open_request_of(developer_id) is not None:
            return None
        method = await _scheduled_method(uow, schedule)
        if method is None:
            log.warning("monthly payout skipped: the account has no payout method")
            return None
        amount = automatic_payout_amount(await money.balance(developer_id), minimum_minor)
        if amount is None:
            return None
        request = request_payout(
            developer_id,
            amount,
            method,
            minimum_minor=minimum_minor,
            trigger=PayoutTrigger.MONTHLY_AUTOMATIC,
            user_id=None,
            now=now,
            request_id=request_id,
        )
        return await place_payout_request(uow, request)


async def _scheduled_method(
    uow: FinanceUnitOfWork, schedule: PayoutSchedule
) -> PayoutMethod | None:
    """The chosen method; once deleted, the account's default (deleting never breaks a
    schedule)."""
    assert schedule.payout_method_id is not None
    method = await uow.payout_methods.get(schedule.developer_id, schedule.payout_method_id)
    return method or await uow.payout_methods.default_of(schedule.developer_id)
