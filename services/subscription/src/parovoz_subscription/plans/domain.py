"""Plans (PRODUCT.md "Subscription"): plain Python, no I/O.

A plan has a type, features, a trial length, a device limit, the regions it is sold in, a
catalog (games included or excluded one by one, plus new releases when ``new_releases`` is on)
and prices per region and billing period. It is ``active`` (sold) or ``retired`` (no longer
sold; its existing subscribers keep it).

Prices are a history: every change is a new :class:`PriceEntry` with two instants,
``effective_from`` (new subscribers pay it from then: at once) and ``existing_from`` (existing
subscribers pay it for periods starting then or later: the change plus the notice, 30 days).
A catalog removal is announced with its effective time (no earlier than 14 days ahead); access
stays until then.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, NotFound, ValidationFailed

from parovoz_subscription.plans.rules import PlanRules
from parovoz_subscription.subscriptions.domain import BillingPeriod, PlanType

#: The currencies the store sells in (PRODUCT.md "Money and regions").
CURRENCIES = frozenset({"RUB", "KZT", "BYN", "UAH", "USD", "EUR"})
#: 1,000,000.00 in minor units: above it a plan's price is a typo.
MAX_PRICE_MINOR = 100_000_000
#: Bounds of a plan's own numbers (the columns and common sense).
MAX_TRIAL_DAYS = 365
MAX_DEVICES = 100
MAX_NEW_RELEASE_DAYS = 365
NAME_LIMIT = 100
DESCRIPTION_LIMIT = 2000
FEATURE_NAME_LIMIT = 100
FEATURE_DESCRIPTION_LIMIT = 500
MAX_FEATURES = 50

#: ISO 3166-1 alpha-2: the 249 officially assigned codes.
ISO_3166_ALPHA_2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

_ATTRIBUTES = "/data/attributes"


class PlanStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


class CatalogMode(StrEnum):
    INCLUDED = "included"
    EXCLUDED = "excluded"


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    enabled: bool


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
class Plan:
    id: uuid.UUID
    name: str
    description: str
    plan_type: PlanType
    features: tuple[Feature, ...]
    trial_days: int
    max_devices: int
    new_releases: bool
    #: A game released this many days ago or fewer is a new release (with ``new_releases``
    #: on); set from the rules' window when the plan is created.
    new_release_days: int
    available_regions: tuple[str, ...]
    status: PlanStatus
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None = None

    @property
    def on_sale(self) -> bool:
        return self.status is PlanStatus.ACTIVE


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


@dataclass(frozen=True)
class CatalogEntry:
    """A game named in a plan's catalog: included (perhaps with an announced removal) or
    excluded (never in the plan, even as a new release)."""

    plan_id: uuid.UUID
    game_id: uuid.UUID
    mode: CatalogMode
    updated_at: datetime
    removal_announced_at: datetime | None = None
    removal_effective_at: datetime | None = None

    def removed_by(self, now: datetime) -> bool:
        return self.removal_effective_at is not None and now >= self.removal_effective_at


@dataclass(frozen=True)
class CatalogAnswer:
    """Whether a plan has a game now; ``until``: when that access ends if it is known to end
    (an announced removal, or the end of a new release's window)."""

    included: bool
    until: datetime | None = None
    new_release: bool = field(default=False)


# --- errors -------------------------------------------------------------------------------------
def plan_not_found(plan_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Plan {plan_id} was not found.",
        code="PLAN_NOT_FOUND",
        detail_ru=f"Тарифный план {plan_id} не найден.",
    )


def plan_not_available(plan: Plan) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        f"Plan {plan.name} is retired and no longer sold.",
        code="PLAN_NOT_AVAILABLE",
        detail_ru=f"Тарифный план «{plan.name}» больше не продаётся.",
    )


def region_restricted(plan: Plan, region: str, period: BillingPeriod) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        f"Plan {plan.name} is not sold in region {region} for a {period.value} period.",
        code="PLAN_REGION_RESTRICTED",
        detail_ru=(
            f"Тарифный план «{plan.name}» не продаётся в регионе {region} "
            f"с периодом оплаты {period.value}."
        ),
    )


def game_not_in_catalog(game_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Game {game_id} is not in the plan's catalog.",
        code="GAME_NOT_IN_PLAN_CATALOG",
        detail_ru=f"Игры {game_id} нет в каталоге тарифного плана.",
    )


# --- validation ---------------------------------------------------------------------------------
def _invalid(english: str, russian: str, pointer: str) -> ValidationFailed:
    return ValidationFailed(english, detail_ru=russian, pointer=pointer)


def check_region(region: str, *, pointer: str | None = None, parameter: str | None = None) -> str:
    if region not in ISO_3166_ALPHA_2:
        raise ValidationFailed(
            f"{region!r} is not an ISO 3166-1 alpha-2 region code.",
            detail_ru=f"«{region}» — не код региона ISO 3166-1 alpha-2 (например, RU).",
            pointer=pointer,
            parameter=parameter,
        )
    return region


def check_regions(regions: Iterable[str], pointer: str) -> tuple[str, ...]:
    """Known region codes, each once, sorted; at least one."""
    unique = sorted(set(regions))
    if not unique:
        raise _invalid(
            "A plan is sold in at least one region.",
            "Тарифный план должен продаваться хотя бы в одном регионе.",
            pointer,
        )
    for region in unique:
        check_region(region, pointer=pointer)
    return tuple(unique)


def check_price(price: Price, pointer: str) -> Price:
    if price.currency not in CURRENCIES:
        raise _invalid(
            f"Currency {price.currency} is not sold in: one of {', '.join(sorted(CURRENCIES))}.",
            f"Валюта {price.currency} не поддерживается: {', '.join(sorted(CURRENCIES))}.",
            f"{pointer}/currency",
        )
    if not 0 < price.amount_minor <= MAX_PRICE_MINOR:
        raise _invalid(
            f"amount_minor must be between 1 and {MAX_PRICE_MINOR}.",
            f"amount_minor должен быть от 1 до {MAX_PRICE_MINOR}.",
            f"{pointer}/amount_minor",
        )
    return price


def check_numbers(trial_days: int, max_devices: int, new_release_days: int) -> None:
    if not 0 <= trial_days <= MAX_TRIAL_DAYS:
        raise _invalid(
            f"trial_days must be between 0 and {MAX_TRIAL_DAYS}.",
            f"trial_days должен быть от 0 до {MAX_TRIAL_DAYS}.",
            f"{_ATTRIBUTES}/trial_days",
        )
    if not 1 <= max_devices <= MAX_DEVICES:
        raise _invalid(
            f"max_devices must be between 1 and {MAX_DEVICES}.",
            f"max_devices должен быть от 1 до {MAX_DEVICES}.",
            f"{_ATTRIBUTES}/max_devices",
        )
    if not 1 <= new_release_days <= MAX_NEW_RELEASE_DAYS:
        raise _invalid(
            f"new_release_days must be between 1 and {MAX_NEW_RELEASE_DAYS}.",
            f"new_release_days должен быть от 1 до {MAX_NEW_RELEASE_DAYS}.",
            f"{_ATTRIBUTES}/new_release_days",
        )


def check_features(features: Sequence[Feature]) -> tuple[Feature, ...]:
    names = [feature.name for feature in features]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise _invalid(
                f"Feature {name!r} is listed twice.",
                f"Возможность «{name}» указана дважды.",
                f"{_ATTRIBUTES}/features/{index}/name",
            )
    return tuple(features)


# --- plans --------------------------------------------------------------------------------------
def new_plan(
    *,
    name: str,
    description: str,
    plan_type: PlanType,
    features: Sequence[Feature],
    trial_days: int | None,
    max_devices: int | None,
    new_releases: bool,
    new_release_days: int | None = None,
    available_regions: Iterable[str],
    rules: PlanRules,
    now: datetime,
) -> Plan:
    trial = rules.default_trial_days if trial_days is None else trial_days
    devices = rules.default_max_devices if max_devices is None else max_devices
    window = rules.new_release_window.days if new_release_days is None else new_release_days
    check_numbers(trial, devices, window)
    return Plan(
        id=uuid.uuid4(),
        name=name,
        description=description,
        plan_type=plan_type,
        features=check_features(features),
        trial_days=trial,
        max_devices=devices,
        new_releases=new_releases,
        new_release_days=window,
        available_regions=check_regions(available_regions, f"{_ATTRIBUTES}/available_regions"),
        status=PlanStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )


def change_plan(plan: Plan, changes: dict[str, object], now: datetime) -> Plan:
    """``plan`` with the attributes in ``changes`` (name, description, features, trial_days,
    max_devices, new_releases, new_release_days, available_regions); the others kept."""
    allowed = {
        "name",
        "description",
        "features",
        "trial_days",
        "max_devices",
        "new_releases",
        "new_release_days",
        "available_regions",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not a plan attribute: {sorted(unknown)}")
    changed = replace(plan, **changes, updated_at=now)  # type: ignore[arg-type]
    check_numbers(changed.trial_days, changed.max_devices, changed.new_release_days)
    return replace(
        changed,
        features=check_features(changed.features),
        available_regions=check_regions(
            changed.available_regions, f"{_ATTRIBUTES}/available_regions"
        ),
    )


def retire_plan(plan: Plan, now: datetime) -> Plan:
    if plan.status is PlanStatus.RETIRED:
        raise BusinessRuleViolation(
            f"Plan {plan.name} is already retired.",
            code="PLAN_ALREADY_RETIRED",
            detail_ru=f"Тарифный план «{plan.name}» уже снят с продажи.",
        )
    return replace(plan, status=PlanStatus.RETIRED, retired_at=now, updated_at=now)


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


# --- catalog ------------------------------------------------------------------------------------
def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def catalog_answer_of(
    plan: Plan,
    entry: CatalogEntry | None,
    release_date: date | None,
    now: datetime,
) -> CatalogAnswer:
    """Included explicitly (and not removed by ``now``: until the removal, if announced), or a
    new release (released within the window, the plan has new releases on, not excluded and not
    removed: until the window ends)."""
    if entry is not None:
        if entry.mode is CatalogMode.EXCLUDED or entry.removed_by(now):
            return CatalogAnswer(included=False)
        return CatalogAnswer(included=True, until=entry.removal_effective_at)
    if plan.new_releases and release_date is not None:
        released = _start_of(release_date)
        window_end = released + timedelta(days=plan.new_release_days)
        if released <= now < window_end:
            return CatalogAnswer(included=True, until=window_end, new_release=True)
    return CatalogAnswer(included=False)


def include_game(plan_id: uuid.UUID, game_id: uuid.UUID, now: datetime) -> CatalogEntry:
    """Included from now on; an announced removal is cancelled."""
    return CatalogEntry(plan_id=plan_id, game_id=game_id, mode=CatalogMode.INCLUDED, updated_at=now)


def exclude_game(
    entry: CatalogEntry | None, plan_id: uuid.UUID, game_id: uuid.UUID, now: datetime
) -> CatalogEntry:
    """Excluded: never in the plan, not even as a new release. A game the plan includes leaves
    only through an announced removal (its notice), never by an exclusion."""
    if entry is not None and entry.mode is CatalogMode.INCLUDED and not entry.removed_by(now):
        raise BusinessRuleViolation(
            f"Game {game_id} is in the plan's catalog: announce its removal instead.",
            code="CATALOG_REMOVAL_REQUIRED",
            detail_ru=(
                f"Игра {game_id} входит в каталог плана: объявите её удаление "
                "(DELETE), чтобы подписчики получили предупреждение."
            ),
        )
    return CatalogEntry(plan_id=plan_id, game_id=game_id, mode=CatalogMode.EXCLUDED, updated_at=now)


def announce_removal(
    entry: CatalogEntry | None,
    plan_id: uuid.UUID,
    game_id: uuid.UUID,
    effective_at: datetime | None,
    rules: PlanRules,
    now: datetime,
) -> CatalogEntry:
    """The included game leaves the catalog at ``effective_at`` (default: the notice from now;
    never earlier). Announcing again moves the time (still no earlier than the notice)."""
    if entry is None or entry.mode is not CatalogMode.INCLUDED or entry.removed_by(now):
        raise game_not_in_catalog(game_id)
    earliest = now + rules.catalog_removal_notice
    when = earliest if effective_at is None else effective_at
    if when < earliest:
        days = rules.catalog_removal_notice.days
        raise BusinessRuleViolation(
            f"A game leaves a plan's catalog no earlier than {days} days after the announcement "
            f"(from {earliest.isoformat()}).",
            code="CATALOG_NOTICE_TOO_SHORT",
            detail_ru=(
                f"Игру можно убрать из каталога не раньше чем через {days} дней после "
                f"объявления (не раньше {earliest.isoformat()})."
            ),
            parameter="effective_at",
        )
    return replace(entry, updated_at=now, removal_announced_at=now, removal_effective_at=when)
