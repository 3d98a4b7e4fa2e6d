"""Revenue share of game sales: the tiered platform fee and its reversal, exact to the kopeck.

PRODUCT.md "Money and regions": the developer gets 70 %, the platform 30 %; the platform's
share drops to 25 % on the part of a game's lifetime gross above 800,000,000.00 RUB and to
20 % above 4,000,000,000.00 RUB. Shares are integer basis points, never floats.

- A sale crossing a threshold splits *marginally*: the part below at the old rate, the part
  above at the new one.
- Rounding never creates or destroys a kopeck: the developer's share is floored, the platform
  takes the remainder.
- The lifetime gross is net of refunds (Steam-like): a refund lowers it, so refunded sales
  never push a game into a cheaper tier. Earlier sales are never re-split.
- Tiers are counted in RUB. A sale in another currency counts with its RUB equivalent (the
  ``tier_weight``) when one is known; without it, the sale takes the game's current rate and
  does not move the game's tier (see ``use_cases.sales.RubEquivalents``).

A refund (or a chargeback) takes back the same proportion of each share: after reversals
totalling ``X`` of a sale of ``A`` split ``D`` (developer) + ``P`` (platform), the developer has
given back ``floor(D * X / A)`` and the platform the rest of ``X``. Computed on the cumulative
total, so partial reversals add up exactly and the last one takes exactly what is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.money import Money

BASIS_POINTS = 10_000


@dataclass(frozen=True, slots=True)
class ShareTier:
    """The platform's share of the part of a game's lifetime gross above ``above_minor``."""

    above_minor: int
    platform_bps: int


@dataclass(frozen=True, slots=True)
class RevenueShareRules:
    #: Ascending thresholds; the first starts at zero.
    tiers: tuple[ShareTier, ...]
    #: How long a sale's developer share stays pending (refund window + reserve).
    hold: timedelta
    #: The currency thresholds are counted in.
    tier_currency: str = "RUB"

    def __post_init__(self) -> None:
        thresholds = [tier.above_minor for tier in self.tiers]
        if not self.tiers or thresholds[0] != 0 or thresholds != sorted(set(thresholds)):
            raise ValidationFailed(
                "revenue share tiers start at 0 and ascend", code="INVALID_REVENUE_TIERS"
            )
        if any(not 0 <= tier.platform_bps <= BASIS_POINTS for tier in self.tiers):
            raise ValidationFailed(
                "a platform share is 0..10000 basis points", code="INVALID_REVENUE_TIERS"
            )
        if self.hold < timedelta(0):
            raise ValidationFailed("the hold is not negative", code="INVALID_REVENUE_TIERS")

    def platform_bps_at(self, lifetime_minor: int) -> int:
        """The rate of the next kopeck sold when the game has grossed ``lifetime_minor``."""
        rate = self.tiers[0].platform_bps
        for tier in self.tiers:
            if lifetime_minor >= tier.above_minor:
                rate = tier.platform_bps
        return rate

    def segments(self, lifetime_before: int, weight: int) -> list[tuple[int, int]]:
        """``weight`` cut where it crosses thresholds: ``[(part, platform_bps), ...]``."""
        start, end = max(lifetime_before, 0), max(lifetime_before, 0) + weight
        cuts = [tier.above_minor for tier in self.tiers if start < tier.above_minor < end]
        bounds = [start, *cuts, end]
        return [
            (high - low, self.platform_bps_at(low)) for low, high in pairwise(bounds) if high > low
        ]


@dataclass(frozen=True, slots=True)
class SaleSplit:
    gross: Money
    developer: Money
    platform: Money
    #: What the sale adds to the game's lifetime gross, in the tier currency (0: not counted).
    tier_weight: int


def split_sale(
    gross: Money, rules: RevenueShareRules, lifetime_before: int, tier_weight: int | None
) -> SaleSplit:
    """The developer's and the platform's share of one sale.

    ``lifetime_before``: the game's lifetime gross before it (tier currency, net of refunds);
    ``tier_weight``: the sale in the tier currency (None: unknown -- the current rate applies
    and the sale does not move the tier). A sale in the tier currency weighs its amount."""
    if not gross.is_positive:
        raise ValidationFailed("a sale has a positive amount", code="SALE_AMOUNT_NOT_POSITIVE")
    if gross.currency == rules.tier_currency:
        tier_weight = gross.amount_minor
    if not tier_weight:
        developer_bps = BASIS_POINTS - rules.platform_bps_at(lifetime_before)
        developer = gross.portion(developer_bps, BASIS_POINTS)
        return SaleSplit(gross, developer, gross - developer, 0)
    if tier_weight < 0:
        raise ValidationFailed("a tier weight is not negative", code="INVALID_TIER_WEIGHT")
    # sum(part * developer rate) / (weight * 10000) is the developer's exact fraction of this
    # sale; one floor at the end, so only the platform's remainder is ever rounded.
    developer_weight = sum(
        part * (BASIS_POINTS - bps) for part, bps in rules.segments(lifetime_before, tier_weight)
    )
    developer = gross.portion(developer_weight, tier_weight * BASIS_POINTS)
    return SaleSplit(gross, developer, gross - developer, tier_weight)


@dataclass(frozen=True, slots=True)
class SaleReversal:
    """One refund's (or chargeback's) share of a sale, all positive amounts taken back."""

    gross: Money
    developer: Money
    platform: Money
    tier_weight: int


def reverse_sale(sale: SaleSplit, reversed_so_far: SaleReversal, amount: Money) -> SaleReversal:
    """What ``amount`` more of the sale takes back, given what earlier reversals took."""
    if not amount.is_positive:
        raise ValidationFailed("a reversal has a positive amount", code="REVERSAL_NOT_POSITIVE")
    total = reversed_so_far.gross + amount
    if total > sale.gross:
        raise BusinessRuleViolation(
            "Reversals would exceed the sale.", code="SALE_REVERSAL_EXCEEDS_SALE"
        )
    whole = sale.gross.amount_minor
    developer = sale.developer.portion(total.amount_minor, whole) - reversed_so_far.developer
    weight = sale.tier_weight * total.amount_minor // whole - reversed_so_far.tier_weight
    return SaleReversal(amount, developer, amount - developer, weight)


def no_reversal(currency: str) -> SaleReversal:
    zero = Money.zero(currency)
    return SaleReversal(zero, zero, zero, 0)


@dataclass(frozen=True, slots=True)
class DeveloperTakeBack:
    """Where a reversal's developer part comes from."""

    from_pending: Money
    from_available: Money
    #: Not there any more (paid out or in a payout): the developer now owes it to the platform.
    owed: Money


def take_back(developer: Money, released: bool, available: Money) -> DeveloperTakeBack:
    """A share still in the hold comes back from pending (it is there: the sale's own share
    never left it). A released share comes back from available, and what available no longer
    holds becomes the developer's debt, netted against their next released sales."""
    zero = Money.zero(developer.currency)
    if not released:
        return DeveloperTakeBack(developer, zero, zero)
    from_available = min(developer, max(available, zero))
    return DeveloperTakeBack(zero, from_available, developer - from_available)


@dataclass(frozen=True, slots=True)
class Release:
    """A matured share leaving pending: it first pays back what the developer owes."""

    amount: Money
    repays_debt: Money
    to_available: Money


def release_share(remaining: Money, owed: Money) -> Release:
    repays = min(remaining, max(owed, Money.zero(owed.currency)))
    return Release(remaining, repays, remaining - repays)
