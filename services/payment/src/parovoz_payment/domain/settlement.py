"""Settlement cross-checks (issue #12): what a provider confirmed may settle a payment only if it
is that payment, for that money, for something the payer may still pay.

Every path that applies a provider's answer (a notification's confirming GET, the expiry job's
polling, an off-session charge's immediate answer) goes through :func:`settlement_mismatch`
before anything moves. A mismatch moves nothing: no ledger posting, no change of the payment or
of what its reference names; the caller audits it, counts it and answers the provider as taken
(a retry could never make it apply).

- **identity**: the provider's payment is the one stored for our payment at creation (its
  provider and id); before that id is stored (a notification racing the creation's answer)
  the provider must echo our payment's id (YooKassa's metadata, T-Bank's ``OrderId``);
- **money** (only when money moves: ``succeeded`` / ``waiting_for_capture``): the provider's
  amount and currency are the card part we asked for;
- **reference**: what the payment's reference names (a preorder, a donation, a gift-card
  purchase) exists, belongs to the payer and still accepts this payment.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from parovoz_payment.domain.payment_vocabulary import PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.preorders import (
    PART_METADATA,
    REMAINDER_PART,
    Preorder,
    PreorderStatus,
)
from parovoz_payment.domain.providers import ProviderPayment

#: Provider states in which the provider holds or took the payer's money.
MONEY_MOVING = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.WAITING_FOR_CAPTURE})


class MismatchReason(StrEnum):
    """Why a provider's answer may not settle the payment (the metric's ``reason`` label)."""

    PROVIDER = "provider"
    PROVIDER_PAYMENT_ID = "provider_payment_id"
    AMOUNT = "amount"
    CURRENCY = "currency"
    REFERENCE_UNKNOWN = "reference_unknown"
    REFERENCE_OWNER = "reference_owner"
    REFERENCE_STATE = "reference_state"


@dataclass(frozen=True)
class ReferenceFacts:
    """What the payment's reference names, as read for its settlement (under its row lock).

    ``owner_id`` None: the reference names nothing that exists. ``accepts``: whether its state
    takes this payment (e.g. a preorder still awaiting this prepayment, of this amount)."""

    kind: str
    owner_id: uuid.UUID | None
    accepts: bool


@dataclass(frozen=True)
class SettlementMismatch:
    reason: MismatchReason
    #: What we expected and what the provider (or the reference) said, for the audit log.
    expected: str
    reported: str


def settlement_mismatch(
    payment: Payment, confirmed: ProviderPayment, reference: ReferenceFacts | None
) -> SettlementMismatch | None:
    """None when ``confirmed`` may be applied to ``payment``; else the first failed check.

    ``reference`` is None for a payment whose reference names nothing we keep (a top-up, a
    game purchase, a service's own reference)."""
    if payment.provider is not None and payment.provider is not confirmed.provider:
        return SettlementMismatch(
            MismatchReason.PROVIDER, payment.provider.value, confirmed.provider.value
        )
    if payment.provider_payment_id is not None:
        if confirmed.provider_payment_id != payment.provider_payment_id:
            return SettlementMismatch(
                MismatchReason.PROVIDER_PAYMENT_ID,
                payment.provider_payment_id,
                confirmed.provider_payment_id,
            )
    elif confirmed.order_id != payment.id:
        # Not stored yet: only the provider's own echo of our id proves it is this payment.
        return SettlementMismatch(
            MismatchReason.PROVIDER_PAYMENT_ID,
            str(payment.id),
            str(confirmed.order_id) if confirmed.order_id else "none",
        )
    if confirmed.status not in MONEY_MOVING or payment.is_final:
        # Nothing can move: a cancellation of this very payment is its own business, and a
        # final payment takes no report but its own duplicates (its state machine refuses).
        return None
    expected = payment.card_amount
    if confirmed.amount.currency != expected.currency:
        return SettlementMismatch(
            MismatchReason.CURRENCY, expected.currency, confirmed.amount.currency
        )
    if confirmed.amount.amount_minor != expected.amount_minor:
        return SettlementMismatch(
            MismatchReason.AMOUNT,
            str(expected.amount_minor),
            str(confirmed.amount.amount_minor),
        )
    return reference_mismatch(payment, reference)


def reference_mismatch(
    payment: Payment, reference: ReferenceFacts | None
) -> SettlementMismatch | None:
    """The reference part of the checks (a wallet-only settlement has no provider to check)."""
    if reference is None:
        return None
    if reference.owner_id is None:
        return SettlementMismatch(
            MismatchReason.REFERENCE_UNKNOWN, reference.kind, payment.reference or "none"
        )
    if reference.owner_id != payment.user_id:
        return SettlementMismatch(
            MismatchReason.REFERENCE_OWNER, str(payment.user_id), str(reference.owner_id)
        )
    if not reference.accepts:
        return SettlementMismatch(
            MismatchReason.REFERENCE_STATE, f"{reference.kind} accepting this payment", "refused"
        )
    return None


def preorder_facts(preorder: Preorder | None, payment: Payment) -> ReferenceFacts:
    """A preorder accepts its own payments only, each of its own amount: the prepayment it was
    created with (or, before the preorder is linked to it, one while it awaits its prepayment)
    and the remainder payments the release job charges (ids derived from the preorder)."""
    if preorder is None:
        return ReferenceFacts("preorder", None, accepts=False)
    if payment.metadata.get(PART_METADATA) == REMAINDER_PART:
        attempts = range(1, max(preorder.remainder_attempts, 1) + 1)
        ours = payment.id == preorder.remainder_payment_id or payment.id in {
            preorder.remainder_payment_id_for(attempt) for attempt in attempts
        }
        accepts = ours and payment.amount == preorder.remainder
    else:
        linked = preorder.prepayment_payment_id
        ours = linked == payment.id or (
            linked is None
            and preorder.status in (PreorderStatus.AWAITING_PREPAYMENT, PreorderStatus.CANCELLED)
        )
        accepts = ours and payment.amount == preorder.prepayment
    return ReferenceFacts("preorder", preorder.user_id, accepts=accepts)


__all__ = [
    "MONEY_MOVING",
    "MismatchReason",
    "ReferenceFacts",
    "SettlementMismatch",
    "preorder_facts",
    "reference_mismatch",
    "settlement_mismatch",
]
