"""A plan's prices per region and billing period, kept as a history.

Every change is a new :class:`PriceEntry` with two instants: ``effective_from`` (new subscribers
pay it from then: at once) and ``existing_from`` (existing subscribers pay it for periods
starting then or later: the change plus the notice, 30 days)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from parovoz_kit.errors import BusinessRuleViolation

from parovoz_subscription.plans.domain.plans import Plan, check_region, invalid
from parovoz_subscription.plans.rules import PlanRules
from parovoz_subscription.subscriptions.domain import BillingPeriod

#: The currencies the store sells in (PRODUCT.md "Money and regions").
CURRENCIES = frozenset({"RUB", "KZT", "BYN", "UAH", "USD", "EUR"})
#: 1,000,000.00 in minor units: above it a plan's price is a typo.
MAX_PRICE_MINOR = 100_000_000


@dataclass(frozen=True)
class Price:
    """An amount in minor units (kopecks, tiyn, cents) of one currency, VAT included."""

    currency: str
    amount_minor: int


@dataclass(frozen=True)
class PriceEntry:
    """One price of a plan in one region and period, from ``effective_from`` (new subscribers)
    and ``existing_from`` (periods of existing subscribers starting then or later)."""

    region: str
    period: BillingPeriod
    price: Price
    effective_from: datetime
    existing_from: datetime


@dataclass(frozen=True)
class PlanOffer:
    """What a new subscriber pays now for ``plan`` in ``region`` every ``period``."""

    plan: Plan
    region: str
    period: BillingPeriod
    currency: str
    amount_minor: int

    @property
    def price(self) -> Price:
        return Price(self.currency, self.amount_minor)


def check_price(price: Price, pointer: str) -> Price:
    if price.currency not in CURRENCIES:
        raise invalid(
            f"Currency {price.currency} is not sold in: one of {', '.join(sorted(CURRENCIES))}.",
            f"Валюта {price.currency} не поддерживается: {', '.join(sorted(CURRENCIES))}.",
            f"{pointer}/currency",
        )
    if not 0 < price.amount_minor <= MAX_PRICE_MINOR:
        raise invalid(
            f"amount_minor must be between 1 and {MAX_PRICE_MINOR}.",
            f"amount_minor должен быть от 1 до {MAX_PRICE_MINOR}.",
            f"{pointer}/amount_minor",
        )
    return price


# --- prices -------------------------------------------------------------------------------------
def latest_entries(
    entries: Iterable[PriceEntry], now: datetime
) -> dict[tuple[str, str], PriceEntry]:
    """The price a new subscriber pays at ``now``, by (region, period)."""
    current: dict[tuple[str, str], PriceEntry] = {}
    for entry in entries:
        if entry.effective_from > now:
            continue
        key = (entry.region, entry.period.value)
        if key not in current or entry.effective_from > current[key].effective_from:
            current[key] = entry
    return current


def new_subscriber_price(
    entries: Iterable[PriceEntry], region: str, period: BillingPeriod, now: datetime
) -> PriceEntry | None:
    return latest_entries(
        (e for e in entries if e.region == region and e.period is period), now
    ).get((region, period.value))


def existing_subscriber_price(
    entries: Iterable[PriceEntry],
    period_start: datetime,
    subscribed_at: datetime | None = None,
) -> PriceEntry | None:
    """What an existing subscriber pays for a period starting at ``period_start``: the latest
    change that has reached existing subscribers by then (``existing_from <= period_start``),
    or one they already subscribed at (``effective_from <= subscribed_at``: a new subscriber
    pays the new price at once and keeps it). ``entries`` are one region's and period's."""
    applicable = [
        entry
        for entry in entries
        if entry.existing_from <= period_start
        or (subscribed_at is not None and entry.effective_from <= subscribed_at)
    ]
    if not applicable:
        # A period starting before any price reached existing subscribers: the first price.
        applicable = sorted(entries, key=lambda entry: entry.effective_from)[:1]
    return max(applicable, key=lambda entry: entry.effective_from, default=None)


def price_change(
    plan: Plan,
    entries: Sequence[PriceEntry],
    region: str,
    period: BillingPeriod,
    price: Price,
    rules: PlanRules,
    now: datetime,
    pointer: str,
) -> tuple[PriceEntry, PriceEntry | None] | None:
    """The new entry for ``price`` and the one it replaces (None for a first price), or None
    when the price is what new subscribers pay already. A region keeps one currency."""
    check_region(region, pointer=f"{pointer}/region")
    check_price(price, pointer)
    if region not in plan.available_regions:
        raise BusinessRuleViolation(
            f"Plan {plan.name} is not sold in region {region}: add it to available_regions.",
            code="PLAN_REGION_RESTRICTED",
            detail_ru=(
                f"Тарифный план «{plan.name}» не продаётся в регионе {region}: "
                "добавьте регион в available_regions."
            ),
            pointer=f"{pointer}/region",
        )
    in_region = [entry for entry in entries if entry.region == region]
    currencies = {entry.price.currency for entry in in_region}
    if currencies and price.currency not in currencies:
        raise BusinessRuleViolation(
            f"Prices of plan {plan.name} in region {region} are in {min(currencies)}.",
            code="PLAN_CURRENCY_MISMATCH",
            detail_ru=(
                f"Цены плана «{plan.name}» в регионе {region} указаны в {min(currencies)}; "
                "валюту региона сменить нельзя."
            ),
            pointer=f"{pointer}/currency",
        )
    old = new_subscriber_price(in_region, region, period, now)
    if old is not None and old.price == price:
        return None
    # A first price has no existing subscribers to warn.
    notice = rules.price_change_notice if old is not None else timedelta(0)
    entry = PriceEntry(
        region=region,
        period=period,
        price=price,
        effective_from=now,
        existing_from=now + notice,
    )
    return entry, old
