"""Referral payouts (seed 004 task 8): the (external) social service asks payment to pay a
referrer their reward. Payment executes it and answers with the outcome; the social service
keeps the reward's own state. Only the ``wallet`` destination is executed for now: the reward
is credited to the user's Parovoz wallet, within the wallet's 161-FZ cap.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.money import Money
from parovoz_payment.domain.wallet import Wallet, WalletRules, format_amount

REFERENCE_MAX_LENGTH = 128


class ReferralPayoutStatus(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"


class ReferralFailure(StrEnum):
    """The failure codes of ``payment.referral_payout.failed.v1``."""

    USER_BLOCKED = "user_blocked"
    DESTINATION_UNAVAILABLE = "destination_unavailable"
    LIMIT_EXCEEDED = "limit_exceeded"
    PROVIDER_ERROR = "provider_error"


@dataclass(frozen=True, slots=True)
class ReferralPayoutRequest:
    user_id: uuid.UUID
    amount: Money
    destination: str
    reference: str


@dataclass(frozen=True, slots=True)
class ReferralPayout:
    id: uuid.UUID
    request: ReferralPayoutRequest
    status: ReferralPayoutStatus
    failure: ReferralFailure | None
    failure_message: str | None
    created_at: datetime


def check_request(request: ReferralPayoutRequest, rules: WalletRules) -> None:
    """Refuse what is not a payout at all (400/422); a payout that merely cannot be made
    (blocked user, cap) is a ``failed`` outcome instead, answered and announced."""
    if request.destination != "wallet":
        raise BusinessRuleViolation(
            "Only the wallet destination is supported for referral payouts.",
            code="REFERRAL_DESTINATION_NOT_SUPPORTED",
            pointer="/data/attributes/destination",
        )
    if not request.amount.is_positive:
        raise ValidationFailed(
            "A referral payout is a positive amount.",
            code="REFERRAL_AMOUNT_NOT_POSITIVE",
            pointer="/data/attributes/amount/amount_minor",
        )
    if request.amount.currency != rules.currency:
        raise BusinessRuleViolation(
            f"The wallet holds {rules.currency} only.",
            code="REFERRAL_CURRENCY_NOT_SUPPORTED",
            pointer="/data/attributes/amount/currency",
        )
    if not request.reference.strip() or len(request.reference) > REFERENCE_MAX_LENGTH:
        raise ValidationFailed(
            f"A reference has 1 to {REFERENCE_MAX_LENGTH} characters.",
            code="REFERRAL_INVALID_REFERENCE",
            pointer="/data/attributes/reference",
        )


def cap_failure(wallet: Wallet, amount: Money) -> str | None:
    """Why crediting ``amount`` would pass the wallet's cap (None when it fits)."""
    if wallet.can_receive(amount):
        return None
    cap = Money(wallet.rules.balance_cap, wallet.rules.currency)
    return (
        f"Wallet balance cap of {format_amount(cap)} would be passed "
        f"({format_amount(wallet.balance)} + {format_amount(amount)})"
    )
