"""The access decision (access/domain.py): every reason, their precedence, the boundaries."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from parovoz_subscription.access.domain import (
    AccessDecision,
    AccessReason,
    Devices,
    GameTerms,
    HeldEntitlement,
    PlanTerms,
    UserTerms,
    admit_device,
    age_at,
    decide_access,
)
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Subscription,
    SubscriptionStatus,
)

S = SubscriptionStatus
MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PERIOD_END = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def subscription(
    status: SubscriptionStatus = S.ACTIVE,
    *,
    plan_id: uuid.UUID | None = None,
    plan_type: PlanType = PlanType.PREMIUM,
    period_end: datetime = PERIOD_END,
    grace_until: datetime | None = None,
) -> Subscription:
    start = period_end - timedelta(days=30)
    return Subscription(
        id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        plan_id=plan_id or uuid.uuid4(),
        plan_type=plan_type,
        billing_period=BillingPeriod.MONTHLY,
        region="RU",
        currency="RUB",
        price_minor=49900,
        status=status,
        auto_renew=True,
        time_zone="Europe/Moscow",
        anchor_at=start,
        current_period_start=start,
        current_period_end=period_end,
        created_at=start,
        updated_at=start,
        grace_until=grace_until,
    )


def terms(
    sub: Subscription,
    *,
    included: bool = True,
    until: datetime | None = None,
    regions: frozenset[str] = frozenset({"RU", "KZ"}),
    max_devices: int = 3,
) -> PlanTerms:
    return PlanTerms(sub.plan_id, included, until, regions, max_devices)


GAME = GameTerms(published=True, regions=frozenset({"RU", "KZ", "BY"}), minimum_age=12)
ADULT = UserTerms(region="RU", birth_date=date(1990, 5, 17))
ONE_KNOWN_DEVICE = Devices(known=True, used=1)


def decide(
    held: list[Subscription],
    plans: list[PlanTerms] | None = None,
    *,
    game: GameTerms = GAME,
    user: UserTerms = ADULT,
    region: str | None = "RU",
    devices: Devices = ONE_KNOWN_DEVICE,
    now: datetime = NOW,
) -> AccessDecision:
    plan_terms = plans if plans is not None else [terms(s) for s in held]
    return decide_access(
        held=held,
        plans={t.plan_id: t for t in plan_terms},
        game=game,
        user=user,
        region=region,
        devices=devices,
        default_device_limit=3,
        age_zone=MOSCOW,
        now=now,
    )


# --- granted --------------------------------------------------------------------------------------
def test_an_active_subscription_with_the_game_grants_access_until_its_period_end() -> None:
    sub = subscription()
    decision = decide([sub])
    assert decision.allowed and decision.reason is AccessReason.GRANTED
    assert decision.subscription_id == sub.id and decision.plan_id == sub.plan_id
    assert decision.access_until == PERIOD_END
    assert decision.status is S.ACTIVE and decision.plan_type is PlanType.PREMIUM
    assert (decision.devices_used, decision.device_limit) == (1, 3)
    assert not decision.registers_device


@pytest.mark.parametrize("status", [S.TRIAL, S.ACTIVE, S.CANCELLED])
def test_trial_active_and_cancelled_grant_access_until_the_period_end(
    status: SubscriptionStatus,
) -> None:
    decision = decide([subscription(status)])
    assert decision.allowed and decision.access_until == PERIOD_END


def test_a_pending_payment_keeps_access_through_its_grace() -> None:
    grace = PERIOD_END + timedelta(days=7)
    sub = subscription(S.PENDING_PAYMENT, grace_until=grace)
    inside = decide([sub], now=PERIOD_END + timedelta(days=6))
    assert inside.allowed and inside.access_until == grace
    assert inside.status is S.PENDING_PAYMENT
    after = decide([sub], now=grace)
    assert not after.allowed and after.reason is AccessReason.SUBSCRIPTION_EXPIRED


def test_a_failed_charge_takes_nothing_already_paid() -> None:
    """Entitlement, not billing: pending_payment before the period end grants to the end."""
    sub = subscription(S.PENDING_PAYMENT, grace_until=PERIOD_END - timedelta(days=1))
    decision = decide([sub], now=PERIOD_END - timedelta(seconds=1))
    assert decision.allowed and decision.access_until == PERIOD_END


def test_an_announced_catalog_removal_caps_access_until() -> None:
    sub = subscription()
    removal = NOW + timedelta(days=14)
    decision = decide([sub], [terms(sub, until=removal)])
    assert decision.allowed and decision.access_until == removal
    gone = decide([sub], [terms(sub, until=removal)], now=removal)
    assert not gone.allowed and gone.reason is AccessReason.GAME_NOT_IN_SUBSCRIPTION


def test_the_subscription_granting_longest_is_named() -> None:
    short = subscription(plan_type=PlanType.BASIC, period_end=NOW + timedelta(days=2))
    long = subscription(plan_type=PlanType.PREMIUM, period_end=NOW + timedelta(days=200))
    decision = decide([short, long])
    assert decision.subscription_id == long.id and decision.plan_type is PlanType.PREMIUM


def test_a_plan_without_the_game_does_not_hide_one_with_it() -> None:
    without = subscription(plan_type=PlanType.BASIC)
    with_game = subscription(plan_type=PlanType.PREMIUM, period_end=NOW + timedelta(days=3))
    decision = decide([without, with_game], [terms(without, included=False), terms(with_game)])
    assert decision.allowed and decision.subscription_id == with_game.id


# --- period end instant ---------------------------------------------------------------------------
def test_access_ends_exactly_at_the_period_end_instant() -> None:
    sub = subscription(S.CANCELLED)
    assert decide([sub], now=PERIOD_END - timedelta(microseconds=1)).allowed
    at_end = decide([sub], now=PERIOD_END)
    assert not at_end.allowed and at_end.reason is AccessReason.SUBSCRIPTION_EXPIRED


# --- each denial ----------------------------------------------------------------------------------
def test_no_subscription_at_all() -> None:
    decision = decide([])
    assert decision == AccessDecision(
        False, AccessReason.NO_ACTIVE_SUBSCRIPTION, devices_used=1, device_limit=3
    )


def test_only_a_subscription_waiting_for_its_first_payment_is_no_active_subscription() -> None:
    decision = decide([subscription(S.INCOMPLETE)])
    assert decision.reason is AccessReason.NO_ACTIVE_SUBSCRIPTION


def test_suspended() -> None:
    decision = decide([subscription(S.SUSPENDED)])
    assert not decision.allowed and decision.reason is AccessReason.SUBSCRIPTION_SUSPENDED
    assert decision.subscription_id is None and decision.access_until is None


def test_expired() -> None:
    decision = decide([subscription(S.EXPIRED)])
    assert decision.reason is AccessReason.SUBSCRIPTION_EXPIRED


def test_game_not_in_subscription() -> None:
    sub = subscription()
    decision = decide([sub], [terms(sub, included=False)])
    assert decision.reason is AccessReason.GAME_NOT_IN_SUBSCRIPTION


def test_game_not_published() -> None:
    decision = decide([subscription()], game=replace(GAME, published=False))
    assert decision.reason is AccessReason.GAME_NOT_AVAILABLE


def test_game_not_offered_in_the_region() -> None:
    decision = decide([subscription()], region="DE")
    assert decision.reason is AccessReason.GAME_REGION_RESTRICTED


def test_a_game_naming_no_regions_is_offered_everywhere() -> None:
    sub = subscription()
    game = replace(GAME, regions=frozenset())
    decision = decide([sub], [terms(sub, regions=frozenset({"DE"}))], game=game, region="DE")
    assert decision.allowed


def test_plan_not_offered_in_the_region() -> None:
    sub = subscription()
    decision = decide([sub], [terms(sub, regions=frozenset({"RU"}))], region="KZ")
    assert decision.reason is AccessReason.PLAN_REGION_RESTRICTED


def test_the_profile_region_is_what_the_caller_passes_when_the_request_names_none() -> None:
    sub = subscription()
    decision = decide([sub], region=None, user=ADULT)
    assert decision.allowed


def test_age_restriction() -> None:
    child = UserTerms(region="RU", birth_date=date(2016, 1, 1))
    decision = decide([subscription()], user=child)
    assert decision.reason is AccessReason.AGE_RESTRICTION_VIOLATION


def test_an_unrated_game_suits_everyone() -> None:
    child = UserTerms(region="RU", birth_date=date(2024, 1, 1))
    assert decide([subscription()], user=child, game=replace(GAME, minimum_age=0)).allowed


def test_device_limit() -> None:
    decision = decide([subscription()], devices=Devices(known=False, used=3))
    assert decision.reason is AccessReason.DEVICE_LIMIT_EXCEEDED
    assert (decision.devices_used, decision.device_limit) == (3, 3)


def test_a_known_device_passes_at_the_limit() -> None:
    assert decide([subscription()], devices=Devices(known=True, used=3)).allowed


def test_a_new_device_within_the_limit_is_registered() -> None:
    decision = decide([subscription()], devices=Devices(known=False, used=2))
    assert decision.allowed and decision.registers_device
    assert decision.devices_used == 3


def test_the_plan_device_limit_applies() -> None:
    sub = subscription()
    decision = decide([sub], [terms(sub, max_devices=5)], devices=Devices(known=False, used=4))
    assert decision.allowed and decision.device_limit == 5


# --- precedence -----------------------------------------------------------------------------------
def test_precedence_follows_the_documented_order() -> None:
    """Remove the failures one by one, first in the order first: each answer is the next."""
    child = UserTerms(region="DE", birth_date=date(2016, 1, 1))
    sub = subscription(S.SUSPENDED)
    active = subscription()
    steps: list[tuple[AccessReason, dict[str, object]]] = [
        (
            AccessReason.GAME_NOT_AVAILABLE,
            {"game": replace(GAME, published=False), "user": child, "region": "DE"},
        ),
        (AccessReason.GAME_REGION_RESTRICTED, {"user": child, "region": "DE"}),
        (AccessReason.AGE_RESTRICTION_VIOLATION, {"user": child, "region": "RU"}),
        (AccessReason.SUBSCRIPTION_SUSPENDED, {"region": "RU"}),
    ]
    for expected, arguments in steps:
        decision = decide(
            [sub, subscription(S.EXPIRED)],
            devices=Devices(known=False, used=3),
            **arguments,  # type: ignore[arg-type]
        )
        assert decision.reason is expected
    assert decide([subscription(S.EXPIRED)]).reason is AccessReason.SUBSCRIPTION_EXPIRED
    kz_only = terms(active, included=False, regions=frozenset({"KZ"}))
    full = Devices(known=False, used=3)
    assert decide([active], [kz_only], devices=full).reason is (
        AccessReason.GAME_NOT_IN_SUBSCRIPTION
    )
    assert decide([active], [replace(kz_only, included=True)], devices=full).reason is (
        AccessReason.PLAN_REGION_RESTRICTED
    )
    assert decide([active], devices=full).reason is AccessReason.DEVICE_LIMIT_EXCEEDED


def test_a_suspended_subscription_beside_a_granting_one_does_not_deny() -> None:
    suspended = subscription(S.SUSPENDED, plan_type=PlanType.BASIC)
    active = subscription()
    assert decide([suspended, active]).allowed


def test_suspended_wins_over_expired_when_nothing_grants() -> None:
    decision = decide([subscription(S.EXPIRED), subscription(S.SUSPENDED)])
    assert decision.reason is AccessReason.SUBSCRIPTION_SUSPENDED


# --- ages -----------------------------------------------------------------------------------------
def test_the_18th_birthday_opens_an_18_plus_game_at_midnight_in_moscow() -> None:
    user = UserTerms(region="RU", birth_date=date(2008, 3, 10))
    game = replace(GAME, minimum_age=18)
    midnight_moscow = datetime(2026, 3, 9, 21, 0, tzinfo=UTC)  # 10 March 00:00 MSK
    before = decide(
        [subscription()], user=user, game=game, now=midnight_moscow - timedelta(seconds=1)
    )
    assert before.reason is AccessReason.AGE_RESTRICTION_VIOLATION
    assert decide([subscription()], user=user, game=game, now=midnight_moscow).allowed


def test_born_on_29_february_is_a_year_older_on_1_march() -> None:
    born = date(2008, 2, 29)
    assert age_at(born, datetime(2026, 2, 28, 12, tzinfo=UTC), MOSCOW) == 17
    assert age_at(born, datetime(2026, 3, 1, 12, tzinfo=UTC), MOSCOW) == 18


# --- devices under the lock -----------------------------------------------------------------------
def test_admit_device_counts_again() -> None:
    decision = decide([subscription()], devices=Devices(known=False, used=2))
    assert admit_device(decision, Devices(known=False, used=2)).registers_device
    raced = admit_device(decision, Devices(known=False, used=3))
    assert not raced.allowed and raced.reason is AccessReason.DEVICE_LIMIT_EXCEEDED
    meanwhile = admit_device(decision, Devices(known=True, used=3))
    assert meanwhile.allowed and not meanwhile.registers_device and meanwhile.devices_used == 3


def test_held_entitlement_is_what_the_cache_keeps_of_a_subscription() -> None:
    sub = subscription(S.PENDING_PAYMENT, grace_until=PERIOD_END + timedelta(days=3))
    held = HeldEntitlement.of(sub)
    assert held.access_until() == sub.access_until() == PERIOD_END + timedelta(days=3)
    assert decide([held]) == decide([sub])  # type: ignore[list-item]


# --- new releases through plans' answer -----------------------------------------------------------
def test_a_new_release_is_in_the_plan_through_day_90_and_out_on_day_91() -> None:
    from parovoz_subscription.plans.domain import Plan, PlanStatus, catalog_answer_of

    sub = subscription()
    plan = Plan(
        id=sub.plan_id,
        name="Премиум",
        description="",
        plan_type=PlanType.PREMIUM,
        features=(),
        trial_days=14,
        max_devices=3,
        new_releases=True,
        new_release_days=90,
        available_regions=("RU",),
        status=PlanStatus.ACTIVE,
        created_at=NOW,
        updated_at=NOW,
    )
    released = date(2026, 1, 1)

    def on(now: datetime) -> AccessDecision:
        answer = catalog_answer_of(plan, None, released, now)
        plan_terms = PlanTerms(
            plan.id, answer.included, answer.until, frozenset(plan.available_regions), 3
        )
        long_sub = replace(sub, current_period_end=now + timedelta(days=300))
        return decide([long_sub], [plan_terms], now=now)

    day_90 = datetime(2026, 3, 31, 12, tzinfo=UTC)  # 1 January + 89 days: the 90th day
    inside = on(day_90)
    assert inside.allowed and inside.access_until is not None
    assert inside.access_until <= datetime(2026, 4, 1, 0, tzinfo=UTC)
    day_91 = datetime(2026, 4, 1, 12, tzinfo=UTC)
    assert on(day_91).reason is AccessReason.GAME_NOT_IN_SUBSCRIPTION


def test_a_remembered_answer_never_outlives_the_access_it_grants() -> None:
    from parovoz_subscription.access.rules import AccessRules
    from parovoz_subscription.access.service import answer_valid_until

    rules = AccessRules(
        default_device_limit=3,
        cache_ttl_seconds=300,
        cache_timeout_seconds=0.25,
        cache_retry_after_seconds=1.0,
        cache_local_seconds=1.0,
        age_time_zone="Europe/Moscow",
    )
    soon = subscription(period_end=NOW + timedelta(milliseconds=300))
    granted = decide([soon])
    assert answer_valid_until(granted, NOW, rules) == soon.current_period_end
    denied = decide([])
    assert answer_valid_until(denied, NOW, rules) == NOW + timedelta(seconds=1)
