"""Referral payouts, executed on behalf of the (external) social service: the reward goes to
the user's wallet, or the payout fails with a reason. Either way the outcome is stored and
announced (``payment.referral_payout.completed.v1`` / ``.failed.v1``) in one transaction.

The ledger: the platform's marketing expense (a referral reward is what a promotion costs)
is debited, the user's wallet credited. A reference is paid at most once: its requests are
serialised on an advisory lock, a completed row answers any later request for it, and the
posting's key is the reference.
"""

from __future__ import annotations

import uuid

from parovoz_events.money import Money as EventMoney
from parovoz_events.payment import ReferralPayoutCompleted, ReferralPayoutFailed
from parovoz_kit.clock import Clock
from parovoz_kit.errors import Conflict
from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.clients.user_service import UserServiceClient
from parovoz_payment.db.ledger import account_for, locked_account, post
from parovoz_payment.db.referral_payouts import SqlReferralPayouts
from parovoz_payment.domain.fraud import UserFacts
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.referral_payouts import (
    ReferralFailure,
    ReferralPayout,
    ReferralPayoutRequest,
    ReferralPayoutStatus,
    cap_failure,
    check_request,
)
from parovoz_payment.domain.wallet import Wallet, WalletRules


async def execute_referral_payout(
    unit_of_work: UnitOfWorkFactory,
    users: UserServiceClient,
    clock: Clock,
    rules: WalletRules,
    request: ReferralPayoutRequest,
) -> ReferralPayout:
    """Pay ``request`` into the user's wallet, or record why it could not be paid."""
    check_request(request, rules)
    # Before the transaction: an HTTP call holds no database locks.
    facts = await users.facts(request.user_id)
    async with unit_of_work() as uow:
        session = uow.session
        await session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(_lock_name(request))))
        )
        payouts = SqlReferralPayouts(session)
        paid = await payouts.completed_for(request.reference)
        if paid is not None:
            if (paid.request.user_id, paid.request.amount) != (request.user_id, request.amount):
                raise Conflict(
                    "This reference was already paid with another user or amount.",
                    code="REFERRAL_REFERENCE_REUSED",
                    pointer="/data/attributes/reference",
                )
            return paid  # already paid: the same answer, no second event
        now = clock.now()
        failure = _user_failure(facts)
        if failure is None:
            failure = await _credit_wallet(session, request, rules)
        payout = ReferralPayout(
            id=uuid.uuid4(),
            request=request,
            status=ReferralPayoutStatus.COMPLETED
            if failure is None
            else ReferralPayoutStatus.FAILED,
            failure=failure[0] if failure else None,
            failure_message=failure[1] if failure else None,
            created_at=now,
        )
        await payouts.add(payout)
        uow.emit(outcome_event(payout))
        await uow.commit()
    return payout


def referral_users(infrastructure: Infrastructure) -> UserServiceClient:
    """The process's user-service client for referral payouts (closed at stop)."""
    settings = infrastructure.settings

    def build() -> UserServiceClient:
        return UserServiceClient(
            settings.user_service_url,  # type: ignore[attr-defined]
            timeout_seconds=settings.user_service_timeout_seconds,  # type: ignore[attr-defined]
        )

    return infrastructure.shared("referral_users", build)


def _lock_name(request: ReferralPayoutRequest) -> str:
    return f"referral-payout:{request.reference}"


def _user_failure(facts: UserFacts | None) -> tuple[ReferralFailure, str] | None:
    if facts is None:
        # Fail closed: an unknown state is not paid; the social service may ask again.
        return ReferralFailure.DESTINATION_UNAVAILABLE, "The user service could not be asked."
    if facts.blocked:
        return ReferralFailure.USER_BLOCKED, "The user is blocked."
    return None


async def _credit_wallet(
    session: AsyncSession, request: ReferralPayoutRequest, rules: WalletRules
) -> tuple[ReferralFailure, str] | None:
    """Credit the wallet within its cap (the wallet row locked first, as settlements do)."""
    currency = request.amount.currency
    wallet = await locked_account(
        session, OwnerType.USER, request.user_id, AccountPurpose.USER_WALLET, currency
    )
    over = cap_failure(Wallet(request.user_id, wallet.credit_balance, rules), request.amount)
    if over is not None:
        return ReferralFailure.LIMIT_EXCEEDED, over
    expense = await account_for(
        session, OwnerType.PLATFORM, None, AccountPurpose.MARKETING_EXPENSE, currency
    )
    await post(
        session,
        _lock_name(request),
        "referral_payout",
        [debit(expense, request.amount), credit(wallet, request.amount)],
        reference=request.reference,
    )
    return None


def outcome_event(payout: ReferralPayout) -> ReferralPayoutCompleted | ReferralPayoutFailed:
    request = payout.request
    facts = {
        "referral_payout_id": payout.id,
        "reference": request.reference,
        "user_id": request.user_id,
        "amount": EventMoney(
            amount_minor=request.amount.amount_minor, currency=request.amount.currency
        ),
        "destination": request.destination,
    }
    if payout.status is ReferralPayoutStatus.COMPLETED:
        return ReferralPayoutCompleted(**facts, completed_at=payout.created_at)
    assert payout.failure is not None
    return ReferralPayoutFailed(
        **facts,
        failure_reason_code=payout.failure.value,
        failure_reason_message=payout.failure_message,
        failed_at=payout.created_at,
    )
