"""Discount rules as plain Python: bounds of a promo period, no overlap, the rounding of a
discounted price, withdrawing, and what the price event carries."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parovoz_developer_portal.games.domain import Game, GameStatus, ProductType
from parovoz_developer_portal.pricing.domain import GamePrices, Price, PriceList
from parovoz_developer_portal.pricing.domain.discounts import (
    DiscountRequest,
    discount_at,
    discounted,
    discounted_amount,
    end_discount,
    plan_discount,
    upcoming,
    with_discounts,
)
from parovoz_developer_portal.pricing.rules import DiscountRules
from parovoz_developer_portal.pricing.service import price_changed_event
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_events.developer import GamePriceChanged
from parovoz_kit.errors import BusinessRuleViolation, ParovozError, ValidationFailed

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
RULES = DeveloperPortalSettings(environment="test").discount_rules()
USER = uuid.uuid4()
GAME_ID = uuid.uuid4()


def priced(*, free: bool = False) -> GamePrices:
    price_list = (
        PriceList(is_free=True, base_price=None)
        if free
        else PriceList(is_free=False, base_price=Price(99900, "RUB"))
    )
    return GamePrices(GAME_ID, price_list, version=1, updated_at=NOW - DAY, updated_by_user_id=USER)


def ask(percent: int = 25, start: timedelta | None = DAY, length: timedelta = 7 * DAY):
    starts_at = NOW + start if start is not None else None
    return DiscountRequest(percent, starts_at, (starts_at or NOW) + length, "Распродажа")


def refused(
    request: DiscountRequest, prices: GamePrices | None = None, rules: DiscountRules = RULES
) -> ParovozError:
    with pytest.raises((BusinessRuleViolation, ValidationFailed)) as error:
        plan_discount(prices or priced(), request, rules, USER, NOW)
    return error.value


def test_the_default_rules_are_1_to_90_percent_for_at_most_90_days() -> None:
    assert RULES.max_percent == 90 and RULES.max_duration == 90 * DAY
    assert RULES.max_lead_time == 365 * DAY and RULES.max_upcoming >= 1


def test_a_discount_is_planned_as_asked() -> None:
    discount = plan_discount(priced(), ask(), RULES, USER, NOW)
    assert (discount.percent, discount.starts_at, discount.ends_at) == (
        25,
        NOW + DAY,
        NOW + 8 * DAY,
    )
    assert discount.game_id == GAME_ID and discount.name == "Распродажа"
    assert discount.created_by_user_id == USER and discount.created_at == NOW


def test_a_start_left_out_or_in_the_past_means_now() -> None:
    assert plan_discount(priced(), ask(start=None), RULES, USER, NOW).starts_at == NOW
    assert (
        plan_discount(priced(), ask(start=-DAY, length=3 * DAY), RULES, USER, NOW).starts_at == NOW
    )


@pytest.mark.parametrize(
    ("request_", "code", "status"),
    [
        (ask(percent=0), "DISCOUNT_PERCENT_OUT_OF_RANGE", 422),
        (ask(percent=RULES.max_percent + 1), "DISCOUNT_PERCENT_OUT_OF_RANGE", 422),
        (ask(length=-DAY), "INVALID_DISCOUNT_PERIOD", 400),
        (ask(length=timedelta(0)), "INVALID_DISCOUNT_PERIOD", 400),
        (ask(start=-3 * DAY, length=DAY), "DISCOUNT_ENDS_IN_PAST", 422),
        (ask(length=RULES.max_duration + timedelta(seconds=1)), "DISCOUNT_TOO_LONG", 422),
        (ask(start=RULES.max_lead_time + DAY), "DISCOUNT_STARTS_TOO_LATE", 422),
    ],
)
def test_out_of_bounds_discounts_are_refused(
    request_: DiscountRequest, code: str, status: int
) -> None:
    error = refused(request_)
    assert (error.code, error.http_status) == (code, status)


def test_the_bounds_themselves_are_allowed() -> None:
    plan_discount(priced(), ask(percent=RULES.max_percent), RULES, USER, NOW)
    plan_discount(priced(), ask(percent=1, length=RULES.max_duration), RULES, USER, NOW)
    plan_discount(priced(), ask(start=RULES.max_lead_time), RULES, USER, NOW)


def test_only_a_paid_priced_game_is_discounted() -> None:
    unpriced = GamePrices(GAME_ID, None, version=0, updated_at=None, updated_by_user_id=None)
    assert refused(ask(), unpriced).code == "DISCOUNT_NEEDS_PRICE"
    assert refused(ask(), priced(free=True)).code == "DISCOUNT_NEEDS_PRICE"


def test_periods_of_a_game_never_overlap_but_may_touch() -> None:
    first = plan_discount(priced(), ask(start=DAY, length=7 * DAY), RULES, USER, NOW)
    prices = with_discounts(priced(), [first], USER, NOW)
    for start, length in [(DAY, DAY), (0 * DAY, 2 * DAY), (7 * DAY, 2 * DAY), (0 * DAY, 30 * DAY)]:
        error = refused(ask(start=start, length=length), prices)
        assert error.code == "DISCOUNT_OVERLAPS" and str(first.id) in error.detail
    before = plan_discount(prices, ask(start=None, length=DAY), RULES, USER, NOW)
    after = plan_discount(prices, ask(start=8 * DAY, length=DAY), RULES, USER, NOW)
    assert before.ends_at == first.starts_at and after.starts_at == first.ends_at


def test_a_game_holds_a_bounded_number_of_upcoming_discounts() -> None:
    rules = replace(RULES, max_upcoming=2)
    prices = priced()
    for week in range(2):
        discount = plan_discount(
            prices, ask(start=week * 7 * DAY + DAY, length=DAY), rules, USER, NOW
        )
        prices = with_discounts(prices, [*prices.discounts, discount], USER, NOW)
    assert refused(ask(start=30 * DAY, length=DAY), prices, rules).code == "TOO_MANY_DISCOUNTS"
    # Ended discounts do not count: later, there is room again.
    later = NOW + 20 * DAY
    plan_discount(prices, DiscountRequest(10, None, later + DAY), rules, USER, later)


@given(amount=st.integers(min_value=1, max_value=100_000_000), percent=st.integers(1, 99))
def test_a_discounted_amount_is_rounded_down_and_never_below_one_minor_unit(
    amount: int, percent: int
) -> None:
    lowered = discounted_amount(amount, percent)
    assert 1 <= lowered <= amount
    # Rounded down: the exact value is within one minor unit above (unless clamped to 1).
    exact_times_100 = amount * (100 - percent)
    assert lowered * 100 <= exact_times_100 or lowered == 1
    assert exact_times_100 < (lowered + 1) * 100


def test_rounding_examples() -> None:
    assert discounted_amount(99900, 25) == 74925
    assert discounted_amount(99999, 33) == 66999  # 66999.33 rounded down
    assert discounted_amount(1, 90) == 1  # never free by rounding
    assert discounted(Price(549000, "KZT"), None) == Price(549000, "KZT")


def test_the_discount_at_an_instant_is_the_one_whose_half_open_period_holds_it() -> None:
    discount = plan_discount(priced(), ask(), RULES, USER, NOW)
    assert discount_at([discount], NOW) is None
    assert discount_at([discount], discount.starts_at) == discount
    assert discount_at([discount], discount.ends_at - timedelta(microseconds=1)) == discount
    assert discount_at([discount], discount.ends_at) is None


def test_withdrawing_deletes_a_scheduled_discount_ends_an_active_one_and_refuses_an_ended_one() -> (
    None
):
    discount = plan_discount(priced(), ask(), RULES, USER, NOW)
    assert end_discount(discount, NOW) is None
    inside = discount.starts_at + DAY
    ended = end_discount(discount, inside)
    assert ended is not None and ended.ends_at == inside and ended.starts_at == discount.starts_at
    with pytest.raises(BusinessRuleViolation) as error:
        end_discount(discount, discount.ends_at)
    assert error.value.code == "DISCOUNT_ENDED"


def test_a_discount_change_is_a_new_version_strictly_later() -> None:
    current = priced()
    discount = plan_discount(current, ask(), RULES, USER, NOW)
    changed = with_discounts(
        current, [discount], USER, current.updated_at - DAY
    )  # clock stepped back
    assert changed.version == current.version + 1
    assert changed.updated_at is not None and current.updated_at is not None
    assert changed.updated_at > current.updated_at
    assert changed.price_list == current.price_list and changed.discounts == (discount,)


def test_the_price_event_carries_the_discounts_not_over_and_validates() -> None:
    game = Game(
        id=GAME_ID,
        developer_id=uuid.uuid4(),
        title="Игра",
        product_type=ProductType.GAME,
        parent_game_id=None,
        status=GameStatus.DRAFT,
        created_by_user_id=USER,
        created_at=NOW,
        updated_at=NOW,
    )
    past = plan_discount(priced(), ask(start=None, length=DAY), RULES, USER, NOW)
    prices = with_discounts(priced(), [past], USER, NOW)
    later = NOW + 2 * DAY  # the first is over by now
    coming = plan_discount(prices, DiscountRequest(40, None, later + DAY), RULES, USER, later)
    prices = with_discounts(prices, [past, coming], USER, later)
    assert upcoming(prices.discounts, later) == (coming,)
    event = price_changed_event(game, prices)
    wire = GamePriceChanged.model_validate_json(event.model_dump_json())
    assert [(d.discount_id, d.percent, d.starts_at, d.ends_at) for d in wire.discounts] == [
        (coming.id, 40, coming.starts_at, coming.ends_at)
    ]
    assert wire.changed_at == prices.updated_at
