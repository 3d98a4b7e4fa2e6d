"""A payout's money in the ledger, its status event and its audit rows.

available --hold--> payout hold --completed--> payout clearing (the money left through the
provider) or --released--> back to available. Each posting is keyed by the payout id, so a
retried step posts once; the hold account's limit means nothing leaves it twice.
"""

from __future__ import annotations

from parovoz_events.money import Money as EventMoney
from parovoz_events.payment import PayoutStatusChanged
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.clients.providers.payouts import PROVIDER
from parovoz_payment.db.audit import record
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.ledger import Account, AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.payouts import Payout, PayoutStatus

HOLD_KIND, COMPLETED_KIND, RELEASED_KIND = "payout_hold", "payout_completed", "payout_released"


async def _developer_account(
    session: AsyncSession, payout: Payout, purpose: AccountPurpose
) -> Account:
    return await account_for(
        session, OwnerType.DEVELOPER, payout.developer_id, purpose, payout.amount.currency
    )


def _metadata(payout: Payout, description: str) -> dict[str, object]:
    return {
        "payout_id": str(payout.id),
        "payout_request_id": str(payout.request.payout_request_id),
        "description": description,
    }


async def hold_payout(session: AsyncSession, payout: Payout) -> None:
    """available → hold; ``INSUFFICIENT_FUNDS`` (nothing written) when the balance is short."""
    available = await _developer_account(
        session, payout, AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE
    )
    hold = await _developer_account(session, payout, AccountPurpose.DEVELOPER_PAYOUT_HOLD)
    await post(
        session,
        f"payout:{payout.id}:hold",
        HOLD_KIND,
        [debit(available, payout.amount), credit(hold, payout.amount)],
        reference=str(payout.id),
        metadata=_metadata(payout, "Payout requested: held"),
    )


async def clear_payout(session: AsyncSession, payout: Payout) -> None:
    """hold → payout clearing: the provider paid the developer."""
    hold = await _developer_account(session, payout, AccountPurpose.DEVELOPER_PAYOUT_HOLD)
    clearing = await account_for(
        session, OwnerType.PROVIDER, PROVIDER, AccountPurpose.PAYOUT_CLEARING,
        payout.amount.currency,
    )  # fmt: skip
    await post(
        session,
        f"payout:{payout.id}:completed",
        COMPLETED_KIND,
        [debit(hold, payout.amount), credit(clearing, payout.amount)],
        reference=str(payout.id),
        metadata=_metadata(payout, "Payout paid"),
    )


async def release_payout(session: AsyncSession, payout: Payout) -> None:
    """hold → available: the payout failed, the developer keeps the money."""
    hold = await _developer_account(session, payout, AccountPurpose.DEVELOPER_PAYOUT_HOLD)
    available = await _developer_account(
        session, payout, AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE
    )
    await post(
        session,
        f"payout:{payout.id}:released",
        RELEASED_KIND,
        [debit(hold, payout.amount), credit(available, payout.amount)],
        reference=str(payout.id),
        metadata=_metadata(payout, "Payout failed: returned"),
    )


def status_event(payout: Payout) -> PayoutStatusChanged:
    failed = payout.status is PayoutStatus.FAILED
    return PayoutStatusChanged(
        developer_id=payout.developer_id,
        payout_request_id=payout.request.payout_request_id,
        payment_service_transaction_id=payout.id,
        amount=EventMoney(
            amount_minor=payout.amount.amount_minor,
            currency=payout.amount.currency,  # type: ignore[arg-type]
        ),
        new_status=payout.status.value,
        failure_reason_code=payout.failure.value if failed and payout.failure else None,
        failure_reason_message=payout.failure_message if failed else None,
        processed_at=payout.updated_at,
    )


async def audit_payout(
    session: AsyncSession, actor: str, action: str, before: Payout | None, after: Payout
) -> None:
    await record(
        session,
        AuditRecord(
            actor=actor,
            action=action,
            subject_type="payout",
            subject_id=str(after.id),
            before=None if before is None else _audit_state(before),
            after=_audit_state(after),
        ),
    )


def _audit_state(payout: Payout) -> dict[str, object]:
    return {
        "status": payout.status.value,
        "developer_id": str(payout.developer_id),
        "payout_request_id": str(payout.request.payout_request_id),
        "amount_minor": payout.amount.amount_minor,
        "currency": payout.amount.currency,
        "failure_reason_code": payout.failure.value if payout.failure else None,
        "provider_payout_id": payout.provider_payout_id,
        "destination": payout.destination.as_json() if payout.destination else None,
    }
