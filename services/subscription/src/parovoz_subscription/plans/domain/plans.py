"""A plan (PRODUCT.md "Subscription"): its type, features, trial length, device limit, the
regions it is sold in and its status, ``active`` (sold) or ``retired`` (no longer sold; its
existing subscribers keep it); the checks of its attributes and the errors plans answer."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, NotFound, ValidationFailed
from parovoz_kit.regions import ISO_3166_ALPHA_2

from parovoz_subscription.plans.rules import PlanRules
from parovoz_subscription.subscriptions.domain import BillingPeriod, PlanType

#: Bounds of a plan's own numbers (the columns and common sense).
MAX_TRIAL_DAYS = 365
MAX_DEVICES = 100
MAX_NEW_RELEASE_DAYS = 365
NAME_LIMIT = 100
DESCRIPTION_LIMIT = 2000
FEATURE_NAME_LIMIT = 100
FEATURE_DESCRIPTION_LIMIT = 500
MAX_FEATURES = 50


_ATTRIBUTES = "/data/attributes"


class PlanStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    enabled: bool


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


# --- validation ---------------------------------------------------------------------------------
def invalid(english: str, russian: str, pointer: str) -> ValidationFailed:
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
        raise invalid(
            "A plan is sold in at least one region.",
            "Тарифный план должен продаваться хотя бы в одном регионе.",
            pointer,
        )
    for region in unique:
        check_region(region, pointer=pointer)
    return tuple(unique)


def check_numbers(trial_days: int, max_devices: int, new_release_days: int) -> None:
    if not 0 <= trial_days <= MAX_TRIAL_DAYS:
        raise invalid(
            f"trial_days must be between 0 and {MAX_TRIAL_DAYS}.",
            f"trial_days должен быть от 0 до {MAX_TRIAL_DAYS}.",
            f"{_ATTRIBUTES}/trial_days",
        )
    if not 1 <= max_devices <= MAX_DEVICES:
        raise invalid(
            f"max_devices must be between 1 and {MAX_DEVICES}.",
            f"max_devices должен быть от 1 до {MAX_DEVICES}.",
            f"{_ATTRIBUTES}/max_devices",
        )
    if not 1 <= new_release_days <= MAX_NEW_RELEASE_DAYS:
        raise invalid(
            f"new_release_days must be between 1 and {MAX_NEW_RELEASE_DAYS}.",
            f"new_release_days должен быть от 1 до {MAX_NEW_RELEASE_DAYS}.",
            f"{_ATTRIBUTES}/new_release_days",
        )


def check_features(features: Sequence[Feature]) -> tuple[Feature, ...]:
    names = [feature.name for feature in features]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise invalid(
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
