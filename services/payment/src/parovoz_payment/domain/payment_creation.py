"""Starting a payment: the checks a new payment passes before it exists (PRODUCT.md "Payment").

Kept apart from :mod:`payments` (the state machine) so each stays small.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.wallet import format_amount

_GAME_PURPOSES = frozenset({PaymentPurpose.GAME_PURCHASE, PaymentPurpose.PREORDER})
_REGION = re.compile(r"^[A-Z]{2}$")
_ATTRIBUTES = "/data/attributes"
_ONE_ROUBLE = Money(100, "RUB")


@dataclass(frozen=True)
class PaymentRules:
    #: A pending payment not confirmed within this time is cancelled (PRODUCT.md: 1 hour).
    confirmation_timeout: timedelta = timedelta(hours=1)
    #: PRODUCT.md "Money and regions".
    currencies: frozenset[str] = frozenset({"RUB", "KZT", "BYN", "UAH", "USD", "EUR"})
    #: The authorization that binds a card without a purchase, then is cancelled (1.00 RUB).
    card_verification_amount: Money = _ONE_ROUBLE
    max_reference_length: int = 255


def start_payment(
    *,
    user_id: uuid.UUID,
    purpose: PaymentPurpose,
    amount: Money,
    region: str,
    now: datetime,
    choice: MethodChoice | None = None,
    wallet_amount: Money | None = None,
    reference: str | None = None,
    game_id: uuid.UUID | None = None,
    save_method: bool = False,
    metadata: Mapping[str, str] | None = None,
    rules: PaymentRules | None = None,
    payment_id: uuid.UUID | None = None,
    gift_card_amount: Money | None = None,
    discount: Money | None = None,
    coupon_id: uuid.UUID | None = None,
) -> Payment:
    """A new ``pending`` payment; ``wallet_amount`` comes from :func:`wallet.split_payment`,
    ``amount`` is the price after the coupon's ``discount``, ``gift_card_amount`` the part gift
    cards pay (see ``use_cases.discounts``)."""
    rules = rules or PaymentRules()
    choice = choice or MethodChoice()
    wallet_amount = wallet_amount if wallet_amount is not None else Money.zero(amount.currency)
    gift_card_amount = gift_card_amount or Money.zero(amount.currency)
    discount = discount or Money.zero(amount.currency)
    _check_amounts(purpose, amount, wallet_amount, rules)
    _check_purpose_fields(purpose, region, reference, game_id, rules)
    if not (0 <= gift_card_amount.amount_minor <= (amount - wallet_amount).amount_minor) or (
        discount.amount_minor < 0
    ):
        raise ValueError("gift-card part and discount out of order")  # planned by our own code
    method = choice.method
    card_amount = amount - wallet_amount - gift_card_amount
    if method is PaymentMethod.WALLET and card_amount.is_positive:
        raise BusinessRuleViolation(
            "The wallet balance does not cover the payment.",
            code="INSUFFICIENT_WALLET_BALANCE",
            pointer=f"{_ATTRIBUTES}/method",
        )
    if card_amount.is_zero:
        # Nothing goes to a provider: the wallet (and gift cards) paid it all.
        method, saved_method_id = PaymentMethod.WALLET, None
    else:
        saved_method_id = choice.saved_method_id
        if method is None and saved_method_id is not None:
            method = PaymentMethod.BANK_CARD
    if purpose is PaymentPurpose.CARD_VERIFICATION and (
        method not in (None, PaymentMethod.BANK_CARD) or not save_method
    ):
        raise BusinessRuleViolation(
            "A card verification binds a new bank card.",
            code="INVALID_CARD_VERIFICATION",
            pointer=f"{_ATTRIBUTES}/method",
        )
    return Payment(
        id=payment_id or uuid.uuid4(),
        user_id=user_id,
        purpose=purpose,
        reference=reference,
        amount=amount,
        wallet_amount=wallet_amount,
        method=method,
        status=PaymentStatus.PENDING,
        region=region,
        created_at=now,
        updated_at=now,
        expires_at=now + rules.confirmation_timeout,
        captured_amount=Money.zero(amount.currency),
        refunded_amount=Money.zero(amount.currency),
        game_id=game_id,
        saved_method_id=saved_method_id,
        save_method=save_method,
        metadata=dict(metadata or {}),
        gift_card_amount_minor=gift_card_amount.amount_minor,
        discount_minor=discount.amount_minor,
        coupon_id=coupon_id,
    )


def _check_amounts(
    purpose: PaymentPurpose, amount: Money, wallet_amount: Money, rules: PaymentRules
) -> None:
    if amount.currency not in rules.currencies:
        raise BusinessRuleViolation(
            f"Payments in {amount.currency} are not accepted.",
            code="UNSUPPORTED_CURRENCY",
            pointer=f"{_ATTRIBUTES}/currency",
        )
    if not amount.is_positive:
        raise ValidationFailed(
            "The amount must be positive.", code="INVALID_AMOUNT", pointer=f"{_ATTRIBUTES}/amount"
        )
    if wallet_amount.currency != amount.currency or not (
        0 <= wallet_amount.amount_minor <= amount.amount_minor
    ):
        raise BusinessRuleViolation(
            "The wallet part must be between zero and the amount, in the payment's currency.",
            code="INVALID_WALLET_AMOUNT",
            pointer=f"{_ATTRIBUTES}/use_wallet",
        )
    no_wallet = (PaymentPurpose.WALLET_TOP_UP, PaymentPurpose.CARD_VERIFICATION)
    if purpose in no_wallet and wallet_amount.is_positive:
        raise BusinessRuleViolation(
            f"A {purpose.value} cannot be paid from the wallet.",
            code="WALLET_NOT_ALLOWED_FOR_PURPOSE",
            pointer=f"{_ATTRIBUTES}/use_wallet",
        )
    if purpose is PaymentPurpose.CARD_VERIFICATION and amount != rules.card_verification_amount:
        raise BusinessRuleViolation(
            "A card verification is an authorization of "
            f"{format_amount(rules.card_verification_amount)}.",
            code="INVALID_CARD_VERIFICATION",
            pointer=f"{_ATTRIBUTES}/amount",
        )


def _check_purpose_fields(
    purpose: PaymentPurpose,
    region: str,
    reference: str | None,
    game_id: uuid.UUID | None,
    rules: PaymentRules,
) -> None:
    if not _REGION.match(region):
        raise ValidationFailed(
            "The region is an ISO 3166-1 alpha-2 code such as RU.",
            code="INVALID_REGION",
            pointer=f"{_ATTRIBUTES}/region",
        )
    if reference is not None and not 0 < len(reference) <= rules.max_reference_length:
        raise ValidationFailed(
            f"The reference has 1..{rules.max_reference_length} characters.",
            code="INVALID_REFERENCE",
            pointer=f"{_ATTRIBUTES}/reference",
        )
    if (purpose in _GAME_PURPOSES) != (game_id is not None):
        raise ValidationFailed(
            "game_id is required for a game purchase or preorder, and only for them.",
            code="GAME_ID_REQUIRED",
            pointer=f"{_ATTRIBUTES}/game_id",
        )
