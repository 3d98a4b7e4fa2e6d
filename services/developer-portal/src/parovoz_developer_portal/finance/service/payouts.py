"""Use cases of payouts: manage payout methods, ask for a payout, follow payment's answer.

Who may: the finance side of a developer account is MANAGE_FINANCE (owner, admin, finance per
PRODUCT.md); editor and viewer get PERMISSION_DENIED, outsiders have no account to look into.
A method or request of another account is NOT_FOUND, never its data.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

from parovoz_events.developer import PayoutRequested
from parovoz_events.money import Money
from parovoz_kit.errors import BusinessRuleViolation, Conflict, NotFound, Unavailable

from parovoz_developer_portal.accounts.domain import DeveloperStatus
from parovoz_developer_portal.accounts.ports import Membership
from parovoz_developer_portal.accounts.service import my_membership
from parovoz_developer_portal.finance.domain.balances import DeveloperMoney
from parovoz_developer_portal.finance.domain.bank_details import BankDetails, validate_bank_details
from parovoz_developer_portal.finance.domain.payouts import (
    PayoutAmount,
    PayoutMethod,
    PayoutRequest,
    PayoutStatusReport,
    PayoutTrigger,
    apply_status_report,
    new_payout_method,
    request_payout,
)
from parovoz_developer_portal.finance.domain.ports import FinanceUnitOfWork, PayoutRequests
from parovoz_developer_portal.team.domain import Permission, require_permission

log = logging.getLogger(__name__)


async def finance_membership(uow: FinanceUnitOfWork, user_id: uuid.UUID) -> Membership:
    membership = await my_membership(uow, user_id)
    require_permission(membership.role, Permission.MANAGE_FINANCE)
    return membership


def _method_not_found(method_id: uuid.UUID) -> NotFound:
    return NotFound(f"Payout method {method_id} was not found.", code="PAYOUT_METHOD_NOT_FOUND")


# --- payout methods --------------------------------------------------------------------------
async def add_payout_method(
    uow: FinanceUnitOfWork,
    user_id: uuid.UUID,
    details: BankDetails,
    currency: str,
    now: datetime,
) -> PayoutMethod:
    membership = await finance_membership(uow, user_id)
    developer_id = membership.account.id
    checked = validate_bank_details(details)
    await uow.payout_methods.lock_account(developer_id)
    first = await uow.payout_methods.default_of(developer_id) is None
    method = new_payout_method(
        developer_id, checked, currency, user_id, first_of_account=first, now=now
    )
    await uow.payout_methods.add(method)
    await uow.commit()
    return method


async def payout_methods_of_member(
    uow: FinanceUnitOfWork, user_id: uuid.UUID
) -> Sequence[PayoutMethod]:
    membership = await finance_membership(uow, user_id)
    return await uow.payout_methods.list(membership.account.id)


async def payout_method_of_member(
    uow: FinanceUnitOfWork, user_id: uuid.UUID, method_id: uuid.UUID
) -> PayoutMethod:
    membership = await finance_membership(uow, user_id)
    method = await uow.payout_methods.get(membership.account.id, method_id)
    if method is None:
        raise _method_not_found(method_id)
    return method


async def make_default_payout_method(
    uow: FinanceUnitOfWork, user_id: uuid.UUID, method_id: uuid.UUID
) -> PayoutMethod:
    membership = await finance_membership(uow, user_id)
    developer_id = membership.account.id
    await uow.payout_methods.lock_account(developer_id)
    if await uow.payout_methods.get(developer_id, method_id) is None:
        raise _method_not_found(method_id)
    await uow.payout_methods.make_default(developer_id, method_id)
    method = await uow.payout_methods.get(developer_id, method_id)
    await uow.commit()
    assert method is not None
    return method


async def delete_payout_method(
    uow: FinanceUnitOfWork, user_id: uuid.UUID, method_id: uuid.UUID
) -> None:
    """A method an open payout pays to stays until that payout ends; deleting the default makes
    the newest remaining method the default."""
    membership = await finance_membership(uow, user_id)
    developer_id = membership.account.id
    await uow.payout_methods.lock_account(developer_id)
    method = await uow.payout_methods.get(developer_id, method_id)
    if method is None:
        raise _method_not_found(method_id)
    if await uow.payout_requests.uses_method(method_id):
        raise Conflict(
            "A payout in progress pays to this method; delete it once the payout has ended.",
            code="PAYOUT_METHOD_IN_USE",
        )
    await uow.payout_methods.delete(method)
    if method.is_default:
        remaining = await uow.payout_methods.list(developer_id)
        if remaining:
            await uow.payout_methods.make_default(developer_id, remaining[0].id)
    await uow.commit()


async def payout_method_for_payment(
    uow: FinanceUnitOfWork, developer_id: uuid.UUID, method_id: uuid.UUID
) -> PayoutMethod:
    """For payment at payout time (gRPC, service token): another account's or a deleted method
    is NOT_FOUND."""
    method = await uow.payout_methods.get(developer_id, method_id)
    if method is None:
        raise _method_not_found(method_id)
    return method


# --- payout requests -------------------------------------------------------------------------
async def _check_available_balance(
    money: DeveloperMoney, developer_id: uuid.UUID, amount: PayoutAmount
) -> None:
    """A quick check so an impossible payout is refused at once; payment re-checks (and may
    still fail the payout) when it holds the money. payment down: leave the check to it."""
    try:
        balance = await money.balance(developer_id)
    except Unavailable:
        log.warning("balance pre-check skipped: payment unavailable")
        return
    if balance.available_in(amount.currency) < amount.amount_minor:
        raise BusinessRuleViolation(
            "The amount is more than the balance available for payout.",
            code="PAYOUT_EXCEEDS_AVAILABLE_BALANCE",
            pointer="/data/attributes/amount/amount_minor",
        )


async def request_payout_by_member(
    uow: FinanceUnitOfWork,
    user_id: uuid.UUID,
    amount: PayoutAmount,
    method_id: uuid.UUID | None,
    *,
    minimum_minor: int,
    money: DeveloperMoney | None,
    now: datetime,
) -> PayoutRequest:
    """Store the request (``requested``) and emit ``developer.payout.requested.v1`` in the same
    transaction; at most one open request per account (409 otherwise)."""
    membership = await finance_membership(uow, user_id)
    account = membership.account
    if account.status is DeveloperStatus.SUSPENDED:
        raise BusinessRuleViolation(
            "A suspended developer account cannot be paid out.", code="ACCOUNT_SUSPENDED"
        )
    if method_id is None:
        method = await uow.payout_methods.default_of(account.id)
        if method is None:
            raise BusinessRuleViolation(
                "Add a payout method first.",
                code="PAYOUT_METHOD_REQUIRED",
                pointer="/data/attributes/payout_method_id",
            )
    else:
        method = await uow.payout_methods.get(account.id, method_id)
        if method is None:
            raise NotFound(
                f"Payout method {method_id} was not found.",
                code="PAYOUT_METHOD_NOT_FOUND",
                pointer="/data/attributes/payout_method_id",
            )
    request = request_payout(
        account.id,
        amount,
        method,
        minimum_minor=minimum_minor,
        trigger=PayoutTrigger.ON_REQUEST,
        user_id=user_id,
        now=now,
    )
    await _refuse_second_open_request(uow.payout_requests, account.id)
    if money is not None:
        await _check_available_balance(money, account.id, amount)
    return await place_payout_request(uow, request)


async def place_payout_request(uow: FinanceUnitOfWork, request: PayoutRequest) -> PayoutRequest:
    """Store a checked request and emit ``developer.payout.requested.v1`` in one transaction;
    the one way in for asked and automatic payouts alike."""
    await uow.payout_methods.lock_account(request.developer_id)
    await _refuse_second_open_request(uow.payout_requests, request.developer_id)
    await uow.payout_requests.add(request)  # the unique index catches any race left
    uow.emit(payout_requested_event(request))
    await uow.commit()
    return request


async def _refuse_second_open_request(requests: PayoutRequests, developer_id: uuid.UUID) -> None:
    if await requests.open_request_of(developer_id) is not None:
        raise Conflict(
            "A payout of this account is already in progress; ask again once it has ended.",
            code="PAYOUT_ALREADY_IN_PROGRESS",
        )


def payout_requested_event(request: PayoutRequest) -> PayoutRequested:
    return PayoutRequested(
        developer_id=request.developer_id,
        payout_request_id=request.id,
        amount=Money(
            amount_minor=request.amount.amount_minor,
            currency=request.amount.currency,  # type: ignore[arg-type]
        ),
        payout_method_id=request.payout_method_id,
        trigger=request.trigger.value,
        requested_at=request.requested_at,
        requested_by_user_id=request.requested_by_user_id,
    )


async def payout_requests_of_member(
    uow: FinanceUnitOfWork, user_id: uuid.UUID, limit: int
) -> Sequence[PayoutRequest]:
    membership = await finance_membership(uow, user_id)
    return await uow.payout_requests.list(membership.account.id, limit)


async def payout_request_of_member(
    uow: FinanceUnitOfWork, user_id: uuid.UUID, request_id: uuid.UUID
) -> PayoutRequest:
    membership = await finance_membership(uow, user_id)
    request = await uow.payout_requests.get(membership.account.id, request_id)
    if request is None:
        raise NotFound(
            f"Payout request {request_id} was not found.", code="PAYOUT_REQUEST_NOT_FOUND"
        )
    return request


async def record_payout_status(
    requests: PayoutRequests,
    developer_id: uuid.UUID,
    request_id: uuid.UUID,
    report: PayoutStatusReport,
    now: datetime,
) -> PayoutRequest | None:
    """payment's word on a payout (run in the consumer's transaction). Returns the changed
    request, or None for a repeat, a late earlier step, or a request that is not ours."""
    request = await requests.get_for_update(request_id)
    if request is None or request.developer_id != developer_id:
        log.warning("payout status for an unknown payout request ignored")
        return None
    changed = apply_status_report(request, report, now)
    if changed is not None:
        await requests.save(changed)
    return changed
