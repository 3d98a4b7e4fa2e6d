"""The revenue split and its reversal, pure: exact to the kopeck over random amounts, tiers
crossed marginally, partial reversals adding up to the sale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.revenue_share import (
    RevenueShareRules,
    ShareTier,
    no_reversal,
    release_share,
    reverse_sale,
    split_sale,
    take_back,
)
from parovoz_payment.settings import PaymentSettings

RULES = PaymentSettings(environment="test").revenue_share_rules()
LOW, HIGH = 80_000_000_000, 400_000_000_000  # 800 M and 4 bn RUB, in kopecks


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


def test_the_default_rules_are_product_md() -> None:
    assert RULES.tiers == (ShareTier(0, 3000), ShareTier(LOW, 2500), ShareTier(HIGH, 2000))
    assert RULES.hold == timedelta(days=30)


def test_a_first_sale_is_seventy_thirty_and_the_platform_takes_the_remainder() -> None:
    split = split_sale(rub(99_900), RULES, 0, None)
    assert (split.developer, split.platform) == (rub(69_930), rub(29_970))
    assert split.tier_weight == 99_900
    odd = split_sale(rub(1), RULES, 0, None)  # 0.7 of a kopeck: floored for the developer
    assert (odd.developer, odd.platform) == (rub(0), rub(1))
    assert split_sale(rub(333), RULES, 0, None).developer == rub(233)  # 233.1


def test_each_tier_applies_above_its_threshold() -> None:
    assert split_sale(rub(10_000), RULES, LOW, None).developer == rub(7_500)
    assert split_sale(rub(10_000), RULES, HIGH + 5, None).developer == rub(8_000)


def test_a_sale_crossing_a_threshold_splits_marginally() -> None:
    # 300 kopecks below 800 M at 30 %, 700 above at 25 %: 210 + 525 to the developer.
    split = split_sale(rub(1_000), RULES, LOW - 300, None)
    assert (split.developer, split.platform) == (rub(735), rub(265))
    # Across both thresholds at once: 100 at 30 %, the whole middle tier at 25 %, 100 at 20 %.
    middle = HIGH - LOW
    whole = split_sale(rub(middle + 200), RULES, LOW - 100, None)
    assert whole.developer == rub(70 + middle * 3 // 4 + 80)
    # Exactly at the threshold: all at the new rate.
    assert split_sale(rub(1_000), RULES, LOW, None).developer == rub(750)
    assert split_sale(rub(1_000), RULES, LOW - 1_000, None).developer == rub(700)


def test_a_sale_in_another_currency_tiers_by_its_rub_equivalent() -> None:
    # 10.00 USD worth 1,000.00 RUB, half of it above 800 M: 70 % and 75 % of 5.00 USD each.
    split = split_sale(Money(1_000, "USD"), RULES, LOW - 50_000, 100_000)
    assert (split.developer, split.tier_weight) == (Money(725, "USD"), 100_000)
    # No rate known: the game's current rate, and the tier does not move.
    unknown = split_sale(Money(1_000, "USD"), RULES, LOW, None)
    assert (unknown.developer, unknown.tier_weight) == (Money(750, "USD"), 0)


@settings(max_examples=300, deadline=None)
@given(
    amount=st.integers(min_value=1, max_value=10**12),
    lifetime=st.integers(min_value=0, max_value=5 * 10**11),
)
def test_no_kopeck_is_created_or_lost(amount: int, lifetime: int) -> None:
    split = split_sale(rub(amount), RULES, lifetime, None)
    assert split.developer + split.platform == rub(amount)
    assert split.developer.amount_minor >= 0 and split.platform.amount_minor >= 0
    # The developer never gets more than their best rate, nor less than their worst.
    assert amount * 7_000 // 10_000 <= split.developer.amount_minor <= amount * 8_000 // 10_000
    # The platform only ever takes the remainder of one floor: less than a kopeck extra.
    exact = sum(part * (10_000 - bps) for part, bps in RULES.segments(lifetime, amount))
    assert exact - 10_000 < split.developer.amount_minor * 10_000 <= exact


@settings(max_examples=300, deadline=None)
@given(
    amount=st.integers(min_value=1, max_value=10**9),
    cuts=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=6),
    lifetime=st.integers(min_value=0, max_value=5 * 10**11),
)
def test_partial_reversals_add_up_to_the_sale_exactly(
    amount: int, cuts: list[int], lifetime: int
) -> None:
    sale = split_sale(rub(amount), RULES, lifetime, None)
    so_far = no_reversal("RUB")
    left = amount
    for cut in [*cuts, amount]:  # the last one takes whatever is left
        part = min(cut, left)
        if part == 0:
            break
        step = reverse_sale(sale, so_far, rub(part))
        assert step.developer + step.platform == rub(part)
        assert step.developer.amount_minor >= 0 and step.platform.amount_minor >= 0
        so_far = type(so_far)(
            so_far.gross + step.gross,
            so_far.developer + step.developer,
            so_far.platform + step.platform,
            so_far.tier_weight + step.tier_weight,
        )
        assert so_far.developer <= sale.developer and so_far.platform <= sale.platform
        left -= part
    assert (so_far.gross, so_far.developer, so_far.platform) == (
        sale.gross,
        sale.developer,
        sale.platform,
    )
    assert so_far.tier_weight == sale.tier_weight
    with pytest.raises(BusinessRuleViolation) as more:
        reverse_sale(sale, so_far, rub(1))
    assert more.value.code == "SALE_REVERSAL_EXCEEDS_SALE"


def test_a_released_share_comes_back_from_available_then_as_a_debt() -> None:
    assert take_back(rub(700), released=False, available=rub(0)).from_pending == rub(700)
    taken = take_back(rub(700), released=True, available=rub(500))
    assert (taken.from_pending, taken.from_available, taken.owed) == (rub(0), rub(500), rub(200))
    release = release_share(rub(1_000), owed=rub(200))
    assert (release.repays_debt, release.to_available) == (rub(200), rub(800))
    assert release_share(rub(100), owed=rub(200)).to_available == rub(0)


def test_bad_rules_are_refused() -> None:
    for tiers in [(), (ShareTier(5, 3000),), (ShareTier(0, 3000), ShareTier(0, 2000))]:
        with pytest.raises(ValidationFailed):
            RevenueShareRules(tiers=tiers, hold=timedelta(days=30))
    with pytest.raises(ValidationFailed):
        RevenueShareRules(tiers=(ShareTier(0, 10_001),), hold=timedelta(days=30))
