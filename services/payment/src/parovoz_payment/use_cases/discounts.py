"""Coupons and gift cards on a payment: reserved when it is created, consumed when it succeeds,
released when it is cancelled or expires.

Price order (PRODUCT.md): the price table's price → the coupon's discount → gift cards →
wallet → card. At most one coupon: when several are offered, the one with the largest
discount wins and the others are ignored (if none applies, the first one's reason is the
error). Several gift cards may be combined (up to ``GiftCardRules.max_per_order``), used in
the order given; a card not needed to cover the rest is not touched. Every offered code must
be valid, so a typo is reported rather than silently ignored.

Everything runs in the creating transaction on locked rows (coupons, then gift cards, each in
id order): two payments racing for a coupon's last use or a card's last kopecks queue on the
lock, and the second sees what the first reserved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from parovoz_kit.errors import BusinessRuleViolation, ParovozError
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.coupons import SqlCoupons, UseStatus
from parovoz_payment.db.gift_cards import HoldStatus, SqlGiftCards
from parovoz_payment.domain.coupons import Coupon, best_of, normalize_coupon_code
from parovoz_payment.domain.gift_cards import (
    GiftCard,
    GiftCardRules,
    allocate,
    hash_code,
    normalize_code,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.use_cases.wallet_holds import hold_wallet_part, release_wallet_hold

GIFT_CARDS_POINTER = "/data/attributes/gift_card_codes"
MAX_COUPONS_OFFERED = 5
#: What a gift card may pay for: sales, not money moved around (top-ups, gift cards, donations).
GIFT_CARD_PAYABLE = frozenset(
    {
        PaymentPurpose.GAME_PURCHASE,
        PaymentPurpose.PREORDER,
        PaymentPurpose.SUBSCRIPTION,
        PaymentPurpose.GREENLIGHT_FEE,
    }
)


@dataclass(frozen=True)
class CodeOffer:
    """A code the payer typed and where in the request it was (for the error's pointer).
    Its repr never shows the code: a gift-card code is a bearer secret."""

    code: str
    pointer: str

    def __repr__(self) -> str:
        return f"CodeOffer(pointer={self.pointer!r})"


@dataclass(frozen=True)
class Discounts:
    """What coupons and gift cards do to an order (decided on locked rows, not yet written)."""

    price: Money
    coupon: Coupon | None
    discount: Money
    gift_cards: tuple[tuple[GiftCard, Money], ...]

    @property
    def payable(self) -> Money:
        return self.price - self.discount

    @property
    def gift_card_amount(self) -> Money:
        return Money.total((part for _, part in self.gift_cards), self.price.currency)


def no_discounts(price: Money) -> Discounts:
    return Discounts(price, None, Money.zero(price.currency), ())


async def plan_discounts(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    purpose: PaymentPurpose,
    price: Money,
    coupons: tuple[CodeOffer, ...],
    gift_cards: tuple[CodeOffer, ...],
    now: datetime,
    rules: GiftCardRules | None = None,
) -> Discounts:
    """Lock and check the offered coupons and cards; raise a 422 with the offending code's
    pointer when one cannot be used."""
    if not coupons and not gift_cards:
        return no_discounts(price)
    coupon, discount = await _best_coupon(session, user_id, purpose, price, coupons, now)
    cards = await _gift_cards(session, purpose, price - discount, gift_cards, now, rules)
    return Discounts(price, coupon, discount, cards)


async def _best_coupon(
    session: AsyncSession,
    user_id: uuid.UUID,
    purpose: PaymentPurpose,
    price: Money,
    offers: tuple[CodeOffer, ...],
    now: datetime,
) -> tuple[Coupon | None, Money]:
    nothing = Money.zero(price.currency)
    if not offers:
        return None, nothing
    if len(offers) > MAX_COUPONS_OFFERED:
        raise BusinessRuleViolation(
            f"At most {MAX_COUPONS_OFFERED} coupons can be offered.",
            code="TOO_MANY_COUPONS",
            pointer=offers[-1].pointer,
        )
    repository = SqlCoupons(session)
    found = await repository.lock_by_codes([normalize_coupon_code(o.code) for o in offers])
    applicable: list[tuple[Coupon, Money]] = []
    first_error: ParovozError | None = None
    for offer in offers:
        coupon = found.get(normalize_coupon_code(offer.code))
        try:
            if coupon is None:
                raise BusinessRuleViolation(
                    "There is no such coupon.", code="COUPON_NOT_FOUND", pointer=offer.pointer
                )
            uses, uses_by_user = await repository.uses(coupon.id, user_id)
            discount = coupon.check_applicable(
                price,
                purpose,
                now,
                uses=uses,
                uses_by_user=uses_by_user,
                pointer=offer.pointer,
            )
        except BusinessRuleViolation as error:
            first_error = first_error or error
            continue
        applicable.append((coupon, discount))
    best = best_of(applicable)
    if best is None:
        assert first_error is not None
        raise first_error
    return best


async def _gift_cards(
    session: AsyncSession,
    purpose: PaymentPurpose,
    to_cover: Money,
    offers: tuple[CodeOffer, ...],
    now: datetime,
    rules: GiftCardRules | None,
) -> tuple[tuple[GiftCard, Money], ...]:
    if not offers:
        return ()
    rules = rules or GiftCardRules()
    if purpose not in GIFT_CARD_PAYABLE:
        raise BusinessRuleViolation(
            f"A gift card cannot pay for a {purpose.value}.",
            code="GIFT_CARD_NOT_APPLICABLE",
            pointer=GIFT_CARDS_POINTER,
        )
    if len(offers) > rules.max_per_order:
        raise BusinessRuleViolation(
            f"At most {rules.max_per_order} gift cards pay one order.",
            code="TOO_MANY_GIFT_CARDS",
            pointer=GIFT_CARDS_POINTER,
        )
    hashes: list[tuple[str | None, CodeOffer]] = []
    for offer in offers:
        code = normalize_code(offer.code)
        hashes.append((None if code is None else hash_code(code), offer))
    found = await SqlGiftCards(session).lock_by_hashes([h for h, _ in hashes if h is not None])
    ordered: list[GiftCard] = []
    for code_hash, offer in hashes:
        card = found.get(code_hash) if code_hash is not None else None
        if card is None:
            raise BusinessRuleViolation(
                "There is no gift card with this code.",
                code="GIFT_CARD_NOT_FOUND",
                pointer=offer.pointer,
            )
        if any(seen.id == card.id for seen in ordered):
            continue  # the same card typed twice pays once
        card.check_usable(to_cover.currency, now, offer.pointer)
        ordered.append(card)
    return tuple(allocate(ordered, to_cover))


async def reserve_discounts(
    session: AsyncSession, discounts: Discounts, payment: Payment, now: datetime
) -> None:
    """Write the reservations planned by :func:`plan_discounts` for the stored ``payment``
    (same transaction, rows still locked)."""
    if discounts.coupon is not None:
        await SqlCoupons(session).reserve(
            discounts.coupon,
            payment.user_id,
            payment.id,
            discounts.discount.amount_minor,
            payment.currency,
            now,
        )
    cards = SqlGiftCards(session)
    for card, part in discounts.gift_cards:
        await cards.hold(card, payment.id, part.amount_minor, now)
    if payment.status is not PaymentStatus.SUCCEEDED:
        # Waiting for the card part: the wallet part is held now, not hoped for later.
        await hold_wallet_part(session, payment)


async def consume_discounts(session: AsyncSession, payment: Payment, now: datetime) -> None:
    """The payment succeeded: its coupon use counts for good, its gift-card holds are redeemed.
    A second call finds nothing reserved and changes nothing."""
    if payment.coupon_id is not None:
        await SqlCoupons(session).finish(payment.id, UseStatus.CONSUMED, now)
    if payment.gift_card_amount.is_positive:
        await SqlGiftCards(session).finish_holds(payment.id, HoldStatus.REDEEMED, now)


async def release_discounts(session: AsyncSession, payment: Payment, now: datetime) -> None:
    """The payment was cancelled or expired: its coupon use, gift-card value and held wallet
    part are free again
    (an expired card's released value is then taken by the breakage job)."""
    if payment.coupon_id is not None:
        await SqlCoupons(session).finish(payment.id, UseStatus.RELEASED, now)
    if payment.gift_card_amount.is_positive:
        await SqlGiftCards(session).finish_holds(payment.id, HoldStatus.RELEASED, now)
    await release_wallet_hold(session, payment)
