"""Donations to streamers (seed 004 task 6, PRODUCT.md "Donations"): a user pays a streamer;
the platform keeps a commission (5 % by default), the rest is the streamer's balance, paid out
by the streamer-payout job.

The commission is in integer basis points and rounded so that the streamer is never credited
more than ``amount * (1 - rate)``: the platform takes the rounding remainder, and
``streamer + commission == amount`` always holds (no kopeck lost or invented).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.money import Money

BASIS_POINTS = 10_000
MESSAGE_MAX_LENGTH = 300
MESSAGE_POINTER = "/data/attributes/message"
AMOUNT_POINTER = "/data/attributes/amount"
#: Streamer balances and their payouts are kept in roubles only (PRODUCT.md's minimum is RUB).
DONATION_CURRENCY = "RUB"
#: The payment's ``reference`` of a donation: ``donation:<donation id>``.
REFERENCE_PREFIX = "donation:"


@dataclass(frozen=True, slots=True)
class DonationSplit:
    streamer: Money
    commission: Money


def split_donation(amount: Money, commission_bp: int) -> DonationSplit:
    """``amount`` into the streamer's part and the platform's commission (rounded up)."""
    if not 0 <= commission_bp <= BASIS_POINTS:
        raise ValueError("a commission is 0..10000 basis points")
    if not amount.is_positive:
        raise ValueError("a donation is a positive amount")
    # Ceiling division: the platform's share is rounded up, the streamer's down.
    commission = -(-amount.amount_minor * commission_bp // BASIS_POINTS)
    return DonationSplit(
        streamer=Money(amount.amount_minor - commission, amount.currency),
        commission=Money(commission, amount.currency),
    )


@dataclass(frozen=True, slots=True)
class DonationTakeBack:
    """A refunded part of a donation: the streamer's part (from their balance as far as it
    goes, the rest owed) and the commission (from platform revenue)."""

    from_balance: Money
    owed: Money
    commission: Money


def take_back_donation(
    streamer_share: Money,
    captured: Money,
    refunded_before: Money,
    amount: Money,
    balance: Money,
) -> DonationTakeBack:
    """``amount`` refunded of a donation that credited ``streamer_share`` of ``captured``,
    after ``refunded_before`` was refunded already: split in the donation's proportion, on the
    running total (``floor(share * refunded / captured)``), so partial refunds add up to the
    settlement's split exactly, to the kopeck, and a full refund takes back exactly the share.
    The streamer gives back what their ``balance`` still holds; the rest they owe."""
    if not amount.is_positive or refunded_before + amount > captured:
        raise ValueError("a refund is positive and at most what is left of the payment")
    if streamer_share > captured or streamer_share.amount_minor < 0:
        raise ValueError("the streamer's share is part of the payment")

    def streamer_by(refunded: Money) -> int:
        return streamer_share.amount_minor * refunded.amount_minor // captured.amount_minor

    streamer = streamer_by(refunded_before + amount) - streamer_by(refunded_before)
    from_balance = min(streamer, max(balance.amount_minor, 0))
    currency = amount.currency
    return DonationTakeBack(
        from_balance=Money(from_balance, currency),
        owed=Money(streamer - from_balance, currency),
        commission=Money(amount.amount_minor - streamer, currency),
    )


def repay_owed(streamer_part: Money, owed: Money) -> tuple[Money, Money]:
    """A new donation's streamer part: (what repays the streamer's debt, what reaches the
    balance)."""
    repays = min(streamer_part.amount_minor, max(owed.amount_minor, 0))
    return Money(repays, streamer_part.currency), streamer_part - Money(
        repays, streamer_part.currency
    )


@dataclass(frozen=True, slots=True)
class Donation:
    id: uuid.UUID
    user_id: uuid.UUID
    streamer_id: uuid.UUID
    amount: Money
    message: str | None
    created_at: datetime

    @property
    def payment_reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.id}"


def new_donation(
    *,
    user_id: uuid.UUID,
    streamer_id: uuid.UUID,
    amount: Money,
    message: str | None,
    now: datetime,
) -> Donation:
    """A donation as asked for; refuses a self-donation, a foreign currency, a long message."""
    if amount.currency != DONATION_CURRENCY:
        raise BusinessRuleViolation(
            f"Donations are taken in {DONATION_CURRENCY} only.",
            code="DONATION_CURRENCY_NOT_SUPPORTED",
            pointer=f"{AMOUNT_POINTER}/currency",
        )
    if not amount.is_positive:
        raise ValidationFailed(
            "A donation is a positive amount.",
            code="DONATION_AMOUNT_NOT_POSITIVE",
            pointer=f"{AMOUNT_POINTER}/amount_minor",
        )
    if user_id == streamer_id:
        raise BusinessRuleViolation(
            "A streamer cannot donate to themself.",
            code="DONATION_TO_SELF",
            pointer="/data/attributes/streamer_id",
        )
    text = (message or "").strip() or None
    if text is not None and len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationFailed(
            f"A donation message has at most {MESSAGE_MAX_LENGTH} characters.",
            code="DONATION_MESSAGE_TOO_LONG",
            pointer=MESSAGE_POINTER,
        )
    return Donation(uuid.uuid4(), user_id, streamer_id, amount, text, now)
