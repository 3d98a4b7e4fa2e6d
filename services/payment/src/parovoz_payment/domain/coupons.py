"""Coupons (PRODUCT.md "Payment"): percent or fixed discounts with an optional minimum order,
per-user and global use limits and a validity window; at most one per order, the best wins.

A coupon code is not a secret (it is printed on banners): stored as given, upper-cased. A
discount never makes an order free: at least one minor unit stays to pay, so every payment
still has a positive amount (the ledger and the payment's invariants need one).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.wallet import format_amount

COUPONS_POINTER = "/data/attributes/coupon_codes"
_ATTRIBUTES = "/data/attributes"
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,31}$")
#: What a discount may apply to: sales, not money moved around (top-ups, gift cards, donations).
DISCOUNTABLE = frozenset(
    {
        PaymentPurpose.GAME_PURCHASE,
        PaymentPurpose.PREORDER,
        PaymentPurpose.SUBSCRIPTION,
    }
)


class CouponKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


def normalize_coupon_code(raw: str) -> str:
    return raw.strip().upper()


@dataclass(frozen=True)
class Coupon:
    id: uuid.UUID
    code: str
    kind: CouponKind
    #: 1..100 for a percent coupon.
    percent_off: int | None
    #: Minor units of ``currency`` off, for a fixed coupon.
    amount_off_minor: int | None
    #: A fixed coupon's currency, or the currency of a percent coupon's minimum order; a coupon
    #: with a currency applies to orders in that currency only.
    currency: str | None
    min_order_minor: int | None
    starts_at: datetime | None
    expires_at: datetime | None
    max_uses: int | None
    max_uses_per_user: int | None
    created_at: datetime
    disabled_at: datetime | None = None

    def audit_state(self) -> dict[str, object]:
        """The whole coupon as the audit log shows it: its discount and every limit."""

        def iso(moment: datetime | None) -> str | None:
            return None if moment is None else moment.isoformat()

        return {
            "code": self.code,
            "kind": self.kind.value,
            "percent_off": self.percent_off,
            "amount_off_minor": self.amount_off_minor,
            "currency": self.currency,
            "min_order_minor": self.min_order_minor,
            "starts_at": iso(self.starts_at),
            "expires_at": iso(self.expires_at),
            "max_uses": self.max_uses,
            "max_uses_per_user": self.max_uses_per_user,
            "created_at": iso(self.created_at),
            "disabled_at": iso(self.disabled_at),
            "disabled": self.disabled_at is not None,
        }

    def discount_for(self, price: Money) -> Money:
        """The discount on ``price``, rounded down, leaving at least one minor unit to pay."""
        if self.kind is CouponKind.PERCENT:
            assert self.percent_off is not None
            raw = price.portion(self.percent_off, 100)
        else:
            assert self.amount_off_minor is not None
            raw = Money(self.amount_off_minor, price.currency)
        ceiling = Money(price.amount_minor - 1, price.currency)
        return raw if raw < ceiling else ceiling

    def check_applicable(
        self,
        price: Money,
        purpose: PaymentPurpose,
        now: datetime,
        *,
        uses: int,
        uses_by_user: int,
        pointer: str,
    ) -> Money:
        """The discount this coupon gives the order, or the reason it gives none."""
        if self.disabled_at is not None:
            raise BusinessRuleViolation(
                "The coupon is no longer valid.", code="COUPON_DISABLED", pointer=pointer
            )
        if self.starts_at is not None and now < self.starts_at:
            raise BusinessRuleViolation(
                "The coupon is not valid yet.", code="COUPON_NOT_STARTED", pointer=pointer
            )
        if self.expires_at is not None and now >= self.expires_at:
            raise BusinessRuleViolation(
                "The coupon has expired.", code="COUPON_EXPIRED", pointer=pointer
            )
        if purpose not in DISCOUNTABLE:
            raise BusinessRuleViolation(
                f"A coupon does not apply to a {purpose.value}.",
                code="COUPON_NOT_APPLICABLE",
                pointer=pointer,
            )
        if self.currency is not None and self.currency != price.currency:
            raise BusinessRuleViolation(
                f"The coupon is for orders in {self.currency}.",
                code="COUPON_CURRENCY_MISMATCH",
                pointer=pointer,
            )
        if self.min_order_minor is not None and price.amount_minor < self.min_order_minor:
            minimum = format_amount(Money(self.min_order_minor, price.currency))
            raise BusinessRuleViolation(
                f"The coupon needs an order of at least {minimum}.",
                code="COUPON_MIN_AMOUNT",
                pointer=pointer,
            )
        if self.max_uses is not None and uses >= self.max_uses:
            raise BusinessRuleViolation(
                "The coupon has been used up.", code="COUPON_EXHAUSTED", pointer=pointer
            )
        if self.max_uses_per_user is not None and uses_by_user >= self.max_uses_per_user:
            raise BusinessRuleViolation(
                "You have already used this coupon as often as it allows.",
                code="COUPON_USER_LIMIT_REACHED",
                pointer=pointer,
            )
        discount = self.discount_for(price)
        if not discount.is_positive:
            raise BusinessRuleViolation(
                "The coupon gives no discount on this order.",
                code="COUPON_NOT_APPLICABLE",
                pointer=pointer,
            )
        return discount


def best_of(offers: Sequence[tuple[Coupon, Money]]) -> tuple[Coupon, Money] | None:
    """The single coupon with the largest discount (the first offered on a tie)."""
    best: tuple[Coupon, Money] | None = None
    for offer in offers:
        if best is None or offer[1] > best[1]:
            best = offer
    return best


def new_coupon(
    *,
    code: str,
    kind: CouponKind,
    now: datetime,
    percent_off: int | None = None,
    amount_off: Money | None = None,
    min_order: Money | None = None,
    starts_at: datetime | None = None,
    expires_at: datetime | None = None,
    max_uses: int | None = None,
    max_uses_per_user: int | None = None,
) -> Coupon:
    """A coupon an admin creates, checked field by field."""
    code = normalize_coupon_code(code)
    if not _CODE.match(code):
        raise ValidationFailed(
            "A coupon code has 3..32 letters, digits, '-' or '_'.",
            code="INVALID_COUPON_CODE",
            pointer=f"{_ATTRIBUTES}/code",
        )
    if kind is CouponKind.PERCENT:
        if percent_off is None or not 1 <= percent_off <= 100 or amount_off is not None:
            raise ValidationFailed(
                "A percent coupon has percent_off 1..100 and no amount_off.",
                code="INVALID_COUPON_DISCOUNT",
                pointer=f"{_ATTRIBUTES}/percent_off",
            )
        currency = min_order.currency if min_order is not None else None
    else:
        if amount_off is None or not amount_off.is_positive or percent_off is not None:
            raise ValidationFailed(
                "A fixed coupon has a positive amount_off and no percent_off.",
                code="INVALID_COUPON_DISCOUNT",
                pointer=f"{_ATTRIBUTES}/amount_off",
            )
        currency = amount_off.currency
        if min_order is not None and min_order.currency != currency:
            raise BusinessRuleViolation(
                "The minimum order is in the coupon's currency.",
                code="CURRENCY_MISMATCH",
                pointer=f"{_ATTRIBUTES}/min_order/currency",
            )
    if min_order is not None and not min_order.is_positive:
        raise ValidationFailed(
            "A minimum order is positive.",
            code="INVALID_MIN_ORDER",
            pointer=f"{_ATTRIBUTES}/min_order/amount_minor",
        )
    for name, limit in (("max_uses", max_uses), ("max_uses_per_user", max_uses_per_user)):
        if limit is not None and limit < 1:
            raise ValidationFailed(
                "A use limit is at least 1.",
                code="INVALID_COUPON_LIMIT",
                pointer=f"{_ATTRIBUTES}/{name}",
            )
    if starts_at is not None and expires_at is not None and expires_at <= starts_at:
        raise ValidationFailed(
            "A coupon expires after it starts.",
            code="INVALID_COUPON_PERIOD",
            pointer=f"{_ATTRIBUTES}/expires_at",
        )
    return Coupon(
        id=uuid.uuid4(),
        code=code,
        kind=kind,
        percent_off=percent_off,
        amount_off_minor=amount_off.amount_minor if amount_off is not None else None,
        currency=currency,
        min_order_minor=min_order.amount_minor if min_order is not None else None,
        starts_at=starts_at,
        expires_at=expires_at,
        max_uses=max_uses,
        max_uses_per_user=max_uses_per_user,
        created_at=now,
    )
