"""A gift card a user buys (PRODUCT.md "Payment"): a ``gift_card`` payment of the card's value;
when it settles the card is issued and its code shown to the buyer once.

Refunds (decided here, enforced by ``use_cases.gift_card_purchases``): only what is still on
the card can be refunded — the unredeemed rest, never value already spent or expired — and the
refunded value leaves the card at once (it cannot be spent while the refund is in flight; a
failed refund puts it back).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.money import Money

#: The payment's ``reference``: ``gift_card_purchase:<purchase id>``.
REFERENCE_PREFIX = "gift_card_purchase:"
MESSAGE_MAX_LENGTH = 500
AMOUNT_POINTER = "/data/attributes/amount"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PurchaseLimits:
    currency: str = "RUB"
    #: 500.00 .. 15,000.00 RUB by default (PaymentSettings).
    min_minor: int = 50_000
    max_minor: int = 1_500_000


@dataclass(frozen=True)
class PurchaseOrder:
    """What the buyer asked for, checked."""

    id: uuid.UUID
    user_id: uuid.UUID
    amount: Money
    recipient_email: str | None
    message: str | None
    created_at: datetime

    @property
    def payment_reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.id}"


def new_purchase(
    *,
    user_id: uuid.UUID,
    amount: Money,
    recipient_email: str | None,
    message: str | None,
    limits: PurchaseLimits,
    now: datetime,
) -> PurchaseOrder:
    if amount.currency != limits.currency:
        raise BusinessRuleViolation(
            f"Gift cards are sold in {limits.currency} only.",
            code="GIFT_CARD_CURRENCY_NOT_SUPPORTED",
            pointer=f"{AMOUNT_POINTER}/currency",
        )
    if not limits.min_minor <= amount.amount_minor <= limits.max_minor:
        raise BusinessRuleViolation(
            f"A gift card is worth {limits.min_minor}..{limits.max_minor} minor units.",
            code="INVALID_GIFT_CARD_VALUE",
            pointer=f"{AMOUNT_POINTER}/amount_minor",
        )
    email = (recipient_email or "").strip() or None
    if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
        raise ValidationFailed(
            "Not an e-mail address.",
            code="INVALID_EMAIL",
            pointer="/data/attributes/recipient_email",
        )
    text = (message or "").strip() or None
    if text is not None and len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationFailed(
            f"A gift card message has at most {MESSAGE_MAX_LENGTH} characters.",
            code="GIFT_CARD_MESSAGE_TOO_LONG",
            pointer="/data/attributes/message",
        )
    return PurchaseOrder(uuid.uuid4(), user_id, amount, email, text, now)


def refundable(available: Money, amount: Money) -> None:
    """A bought card's refund takes only what is still on the card."""
    if amount > available:
        raise BusinessRuleViolation(
            "Only the gift card's unspent value can be refunded"
            f" ({available.amount_minor} minor units).",
            code="GIFT_CARD_ALREADY_SPENT",
            pointer="/data/attributes/amount",
        )
