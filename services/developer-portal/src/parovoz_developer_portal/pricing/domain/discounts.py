"""Discounts and promo periods of a game's prices (issue #13): plain rules, no I/O.

A discount lowers every price of the game (base, regional, and the converted ones payment
computes) by a whole ``percent`` during a half-open period ``[starts_at, ends_at)``. Periods of
one game never overlap, so at any instant at most one discount applies.

Rounding (the same rule in payment's ``domain/pricing.py``): the discounted amount is
``amount * (100 - percent) / 100`` rounded DOWN to the whole minor unit (the buyer never pays a
fraction of a kopeck more than the percent promises), and never below one minor unit (a paid
game never becomes free by rounding).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_developer_portal.pricing.domain import Discount, GamePrices, Price, change_time
from parovoz_developer_portal.pricing.rules import DiscountRules

#: The shallowest discount: 0 % is no discount.
MIN_PERCENT = 1
#: Longest discount name (the column is as wide).
MAX_NAME_LENGTH = 100

_ATTRIBUTES = "/data/attributes"


@dataclass(frozen=True)
class DiscountRequest:
    """What a developer asks for; ``starts_at`` None (or in the past) means from now."""

    percent: int
    starts_at: datetime | None
    ends_at: datetime
    name: str | None = None


def discounted_amount(amount_minor: int, percent: int) -> int:
    """``amount_minor`` lowered by ``percent``, rounded down, at least one minor unit."""
    if not MIN_PERCENT <= percent <= 99:
        raise ValueError("a discount is 1 to 99 percent")
    return max(1, amount_minor * (100 - percent) // 100)


def discounted(price: Price, discount: Discount | None) -> Price:
    if discount is None:
        return price
    return Price(discounted_amount(price.amount_minor, discount.percent), price.currency)


def discount_at(discounts: Sequence[Discount], at: datetime) -> Discount | None:
    """The discount whose period holds ``at`` (periods never overlap: at most one)."""
    return next((discount for discount in discounts if discount.is_active(at)), None)


def upcoming(discounts: Sequence[Discount], at: datetime) -> tuple[Discount, ...]:
    """The discounts not over at ``at`` (active or scheduled): what the price event carries."""
    return tuple(discount for discount in discounts if not discount.is_over(at))


def _check_percent(percent: int, rules: DiscountRules) -> None:
    if not MIN_PERCENT <= percent <= rules.max_percent:
        raise BusinessRuleViolation(
            f"A discount is {MIN_PERCENT} to {rules.max_percent} percent, not {percent}.",
            detail_ru=f"Скидка — от {MIN_PERCENT} до {rules.max_percent} процентов, "
            f"а не {percent}.",
            code="DISCOUNT_PERCENT_OUT_OF_RANGE",
            pointer=f"{_ATTRIBUTES}/percent",
        )


def _check_period(
    request: DiscountRequest, starts_at: datetime, rules: DiscountRules, now: datetime
) -> None:
    """``starts_at``: the request's start, or now when it was left out or is past."""
    ends_at = request.ends_at
    if request.starts_at is not None and ends_at <= request.starts_at:
        raise ValidationFailed(
            "ends_at must be after starts_at.",
            code="INVALID_DISCOUNT_PERIOD",
            pointer=f"{_ATTRIBUTES}/ends_at",
        )
    if ends_at <= now:
        raise BusinessRuleViolation(
            "The discount would end in the past: ends_at must be in the future.",
            code="DISCOUNT_ENDS_IN_PAST",
            pointer=f"{_ATTRIBUTES}/ends_at",
        )
    if ends_at - starts_at > rules.max_duration:
        days = rules.max_duration.days
        raise BusinessRuleViolation(
            f"A promo period lasts at most {days} days.",
            detail_ru=f"Скидка действует не дольше {days} дней.",
            code="DISCOUNT_TOO_LONG",
            pointer=f"{_ATTRIBUTES}/ends_at",
        )
    if starts_at - now > rules.max_lead_time:
        days = rules.max_lead_time.days
        raise BusinessRuleViolation(
            f"A discount starts at most {days} days from now.",
            detail_ru=f"Скидку можно запланировать не более чем на {days} дней вперёд.",
            code="DISCOUNT_STARTS_TOO_LATE",
            pointer=f"{_ATTRIBUTES}/starts_at",
        )


def _check_room(
    existing: Sequence[Discount],
    starts_at: datetime,
    ends_at: datetime,
    rules: DiscountRules,
    now: datetime,
) -> None:
    for other in existing:
        if other.starts_at < ends_at and starts_at < other.ends_at:
            period = f"{other.starts_at.isoformat()} – {other.ends_at.isoformat()}"
            raise BusinessRuleViolation(
                f"The period overlaps discount {other.id} ({period}); one discount at a time.",
                detail_ru=f"Период пересекается со скидкой {other.id} ({period}): "
                "одновременно действует только одна скидка.",
                code="DISCOUNT_OVERLAPS",
                pointer=f"{_ATTRIBUTES}/starts_at",
            )
    if len(upcoming(existing, now)) >= rules.max_upcoming:
        raise BusinessRuleViolation(
            f"A game has at most {rules.max_upcoming} active or scheduled discounts.",
            detail_ru=f"У игры может быть не больше {rules.max_upcoming} действующих или "
            "запланированных скидок.",
            code="TOO_MANY_DISCOUNTS",
        )


def plan_discount(
    prices: GamePrices,
    request: DiscountRequest,
    rules: DiscountRules,
    user_id: uuid.UUID,
    now: datetime,
) -> Discount:
    """A new discount of a priced, paid game, or the refusal naming the first broken rule."""
    price_list = prices.price_list
    if price_list is None or price_list.is_free:
        raise BusinessRuleViolation(
            "Only a game with a price can be discounted: set its prices first "
            "(a free game has nothing to lower).",
            code="DISCOUNT_NEEDS_PRICE",
        )
    _check_percent(request.percent, rules)
    starts_at = now if request.starts_at is None or request.starts_at < now else request.starts_at
    _check_period(request, starts_at, rules, now)
    _check_room(prices.discounts, starts_at, request.ends_at, rules, now)
    return Discount(
        id=uuid.uuid4(),
        game_id=prices.game_id,
        percent=request.percent,
        starts_at=starts_at,
        ends_at=request.ends_at,
        name=request.name or None,
        created_at=now,
        created_by_user_id=user_id,
    )


def end_discount(discount: Discount, now: datetime) -> Discount | None:
    """Withdraw a discount: a scheduled one disappears (None), an active one ends now (kept as
    history); one already over cannot change (DISCOUNT_ENDED)."""
    if discount.is_over(now):
        raise BusinessRuleViolation(
            f"Discount {discount.id} is already over; past discounts stay as they were.",
            detail_ru=f"Скидка {discount.id} уже закончилась: прошедшие скидки не меняются.",
            code="DISCOUNT_ENDED",
        )
    if discount.starts_at >= now:
        return None
    return replace(discount, ends_at=now)


def with_discounts(
    prices: GamePrices, discounts: Sequence[Discount], user_id: uuid.UUID, now: datetime
) -> GamePrices:
    """The game's prices after a discount change: a new version, a strictly later change time
    (payment keeps the newest price event of a game) and the discounts sorted by start."""
    return replace(
        prices,
        version=prices.version + 1,
        updated_at=change_time(prices.updated_at, now),
        updated_by_user_id=user_id,
        discounts=tuple(sorted(discounts, key=lambda discount: discount.starts_at)),
    )
