"""Request and response bodies of `/plans` (JSON:API-style documents, seed 001). String bounds
are the columns' (plans.name 100, plans.description 2000)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Response
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.http.fields import CountryCode, CurrencyCode, Flag, RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

from parovoz_subscription.plans.domain import (
    DESCRIPTION_LIMIT,
    FEATURE_DESCRIPTION_LIMIT,
    FEATURE_NAME_LIMIT,
    MAX_DEVICES,
    MAX_FEATURES,
    MAX_NEW_RELEASE_DAYS,
    MAX_PRICE_MINOR,
    MAX_TRIAL_DAYS,
    NAME_LIMIT,
    Feature,
    Price,
    PriceEntry,
)
from parovoz_subscription.plans.service import PlanView, PriceSetting
from parovoz_subscription.subscriptions.domain import BillingPeriod, PlanType

MAX_REGIONS = 250
MAX_PRICES = 3 * MAX_REGIONS
_ATTRIBUTES = "/data/attributes"


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("at least one character that is not a space")
    return value


PlanName = Annotated[str, Text(NAME_LIMIT, min_length=1), AfterValidator(_not_blank)]
Description = Annotated[str, Text(DESCRIPTION_LIMIT)]
FeatureName = Annotated[str, Text(FEATURE_NAME_LIMIT, min_length=1), AfterValidator(_not_blank)]
FeatureDescription = Annotated[str, Text(FEATURE_DESCRIPTION_LIMIT)]
TrialDays = Annotated[int, Strict(), Field(ge=0, le=MAX_TRIAL_DAYS)]
MaxDevices = Annotated[int, Strict(), Field(ge=1, le=MAX_DEVICES)]
NewReleaseDays = Annotated[int, Strict(), Field(ge=1, le=MAX_NEW_RELEASE_DAYS)]
Amount = Annotated[int, Strict(), Field(ge=1, le=MAX_PRICE_MINOR)]

_PRICES_EXAMPLE = [
    {"region": "RU", "billing_period": "monthly", "amount_minor": 39900, "currency": "RUB"},
    {"region": "RU", "billing_period": "yearly", "amount_minor": 399000, "currency": "RUB"},
    {"region": "KZ", "billing_period": "monthly", "amount_minor": 199000, "currency": "KZT"},
]
PLAN_CREATION_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "planCreation",
        "attributes": {
            "name": "Премиум",
            "description": "Весь каталог подписки и новинки в первые 90 дней.",
            "plan_type": "premium",
            "features": [
                {"name": "cloud_saves", "description": "Облачные сохранения", "enabled": True},
                {"name": "early_access", "description": "Ранний доступ", "enabled": False},
            ],
            "trial_days": 14,
            "max_devices": 3,
            "new_releases": True,
            "available_regions": ["RU", "KZ"],
            "prices": _PRICES_EXAMPLE,
        },
    }
}
PLAN_CHANGE_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "plan",
        "attributes": {"name": "Премиум+", "max_devices": 5, "available_regions": ["RU", "KZ"]},
    }
}
PRICES_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "planPrices",
        "attributes": {
            "prices": [
                {
                    "region": "RU",
                    "billing_period": "monthly",
                    "amount_minor": 44900,
                    "currency": "RUB",
                }
            ]
        },
    }
}


def json_response(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(), status_code=status_code, media_type="application/json"
    )


# --- requests -----------------------------------------------------------------------------------
class FeatureInput(RequestModel):
    name: FeatureName = Field(description="Short name, unique in the plan (1-100 characters).")
    description: FeatureDescription = Field(
        default="", description="What it gives the subscriber (up to 500 characters)."
    )
    enabled: Flag = Field(default=True, description="Whether the plan has it now.")

    def feature(self) -> Feature:
        return Feature(self.name, self.description, self.enabled)


class PriceInput(RequestModel):
    region: CountryCode = Field(
        description="ISO 3166-1 alpha-2 region, one of the plan's `available_regions`."
    )
    billing_period: BillingPeriod = Field(description="`monthly`, `quarterly` or `yearly`.")
    amount_minor: Amount = Field(
        description=f"Price of one period in minor units (kopecks), VAT included: 1 to "
        f"{MAX_PRICE_MINOR}; an integer, never a fraction or a string."
    )
    currency: CurrencyCode = Field(
        description="RUB, KZT, BYN, UAH, USD or EUR; one currency per region."
    )


def price_settings(prices: list[PriceInput], pointer: str) -> list[PriceSetting]:
    return [
        PriceSetting(
            region=item.region,
            period=item.billing_period,
            price=Price(item.currency, item.amount_minor),
            pointer=f"{pointer}/{index}",
        )
        for index, item in enumerate(prices)
    ]


class PlanCreationAttributes(RequestModel):
    name: PlanName = Field(description="Name shown to buyers, 1-100 characters. Required.")
    description: Description = Field(default="", description="Up to 2000 characters.")
    plan_type: PlanType = Field(
        description="`basic`, `premium`, `family`, `corporate` or `student`. Required."
    )
    features: list[FeatureInput] = Field(
        default_factory=list, max_length=MAX_FEATURES, description="Up to 50 features."
    )
    trial_days: TrialDays | None = Field(
        default=None, description="Trial length in days, 0-365 (the default, 14, when left out)."
    )
    max_devices: MaxDevices | None = Field(
        default=None, description="Devices per subscriber, 1-100 (the default, 3, when left out)."
    )
    new_releases: Flag = Field(
        default=True, description="Whether games released recently are in the plan."
    )
    new_release_days: NewReleaseDays | None = Field(
        default=None,
        description="How long after its release a game is a new release, 1-365 days (the "
        "default, 90, when left out).",
    )
    available_regions: list[CountryCode] = Field(
        min_length=1,
        max_length=MAX_REGIONS,
        description="Where the plan is sold, ISO 3166-1 alpha-2 codes. Required.",
    )
    prices: list[PriceInput] = Field(
        default_factory=list,
        max_length=MAX_PRICES,
        description="Prices per region and period (one each); a region without a price is not "
        "listed. More can be set later with `PUT /plans/{plan_id}/prices`.",
    )


class PlanCreationData(RequestModel):
    type: Literal["planCreation"] = Field(description="Always `planCreation`.")
    attributes: PlanCreationAttributes = Field(description="The plan to create.")


class PlanCreationDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PLAN_CREATION_EXAMPLE]})

    data: PlanCreationData = Field(description="The plan to create.")


class PlanChangeAttributes(RequestModel):
    name: PlanName | None = Field(default=None, description="Optional; never null.")
    description: Description | None = Field(default=None, description="Optional; never null.")
    features: list[FeatureInput] | None = Field(
        default=None,
        max_length=MAX_FEATURES,
        description="Optional: the whole new list (replaces the old one); never null.",
    )
    trial_days: TrialDays | None = Field(
        default=None, description="Optional, 0-365; never null (new trials only)."
    )
    max_devices: MaxDevices | None = Field(default=None, description="Optional, 1-100.")
    new_releases: Flag | None = Field(default=None, description="Optional; never null.")
    new_release_days: NewReleaseDays | None = Field(default=None, description="Optional, 1-365.")
    available_regions: list[CountryCode] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_REGIONS,
        description="Optional: the whole new list of regions the plan is sold in (a region "
        "left out is no longer sold there); never null.",
    )

    def changes(self) -> dict[str, object]:
        sent = {name: getattr(self, name) for name in self.model_fields_set}
        for name, value in sent.items():
            if value is None:
                raise ValidationFailed(
                    f"{name} cannot be null.",
                    detail_ru=f"{name} не может быть null.",
                    pointer=f"{_ATTRIBUTES}/{name}",
                )
        if "features" in sent:
            sent["features"] = tuple(item.feature() for item in self.features or ())
        if "available_regions" in sent:
            sent["available_regions"] = tuple(self.available_regions or ())
        return sent


class PlanChangeData(RequestModel):
    type: Literal["plan"] = Field(description="Always `plan`.")
    id: uuid.UUID | None = Field(default=None, description="Optional; the plan's id if sent.")
    attributes: PlanChangeAttributes = Field(description="Only the attributes sent change.")


class PlanChangeDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PLAN_CHANGE_EXAMPLE]})

    data: PlanChangeData = Field(description="The attributes to change.")


class PriceListAttributes(RequestModel):
    prices: list[PriceInput] = Field(
        min_length=1,
        max_length=MAX_PRICES,
        description="Prices to set, one per region and period; prices not named stay.",
    )


class PriceListData(RequestModel):
    type: Literal["planPrices"] = Field(description="Always `planPrices`.")
    attributes: PriceListAttributes = Field(description="The prices to set.")


class PriceListDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PRICES_EXAMPLE]})

    data: PriceListData = Field(description="The prices to set.")


# --- responses ----------------------------------------------------------------------------------
class FeatureAttributes(BaseModel):
    name: str = Field(description="Short name.")
    description: str = Field(description="What it gives.")
    enabled: bool = Field(description="Whether the plan has it now.")


class PriceAttributes(BaseModel):
    region: str = Field(description="ISO 3166-1 alpha-2 region.")
    billing_period: BillingPeriod = Field(description="Length of one paid period.")
    amount_minor: int = Field(description="Price of one period in minor units, VAT included.")
    currency: str = Field(description="ISO 4217 code.")


class UpcomingPriceAttributes(PriceAttributes):
    effective_for_existing_subscribers_from: datetime = Field(
        description="Existing subscribers pay it for periods starting then or later (new "
        "subscribers pay it already)."
    )


class PlanAttributes(BaseModel):
    name: str = Field(description="Name shown to buyers.")
    description: str = Field(description="Description.")
    plan_type: PlanType = Field(description="Kind of plan.")
    features: list[FeatureAttributes] = Field(description="Features.")
    trial_days: int = Field(description="Trial length in days.")
    max_devices: int = Field(description="Devices per subscriber.")
    new_releases: bool = Field(description="Whether recent releases are in the plan.")
    new_release_days: int = Field(description="How long a release counts as new, in days.")
    available_regions: list[str] = Field(description="Where the plan is sold.")
    status: Literal["active", "retired"] = Field(
        description="`active` (sold) or `retired` (no longer sold; subscribers keep it)."
    )
    prices: list[PriceAttributes] = Field(
        description="What a new subscriber pays now, per region and period."
    )
    upcoming_prices: list[UpcomingPriceAttributes] = Field(
        description="Changes not yet reaching existing subscribers (within their notice)."
    )
    created_at: datetime = Field(description="When it was created.")
    updated_at: datetime = Field(description="When it last changed.")
    retired_at: datetime | None = Field(description="When it was retired; null while sold.")


class PlanResource(BaseModel):
    type: Literal["plan"] = Field(description="Always `plan`.")
    id: uuid.UUID = Field(description="The plan's id.")
    attributes: PlanAttributes = Field(description="The plan.")
    links: dict[str, str] = Field(description="`self`, `catalog`.")


class PlanDocument(BaseModel):
    data: PlanResource = Field(description="The plan.")


class PlanListDocument(BaseModel):
    data: list[PlanResource] = Field(description="The plans, by type then name.")
    links: dict[str, str] = Field(description="`self`.")


def _price(entry: PriceEntry) -> PriceAttributes:
    return PriceAttributes(
        region=entry.region,
        billing_period=entry.period,
        amount_minor=entry.price.amount_minor,
        currency=entry.price.currency,
    )


def plan_resource(view: PlanView, prefix: str, now: datetime) -> PlanResource:
    plan = view.plan
    url = f"{prefix}/plans/{plan.id}"
    return PlanResource(
        type="plan",
        id=plan.id,
        attributes=PlanAttributes(
            name=plan.name,
            description=plan.description,
            plan_type=plan.plan_type,
            features=[
                FeatureAttributes(name=f.name, description=f.description, enabled=f.enabled)
                for f in plan.features
            ],
            trial_days=plan.trial_days,
            max_devices=plan.max_devices,
            new_releases=plan.new_releases,
            new_release_days=plan.new_release_days,
            available_regions=list(plan.available_regions),
            status=plan.status.value,
            prices=[_price(entry) for entry in view.current(now)],
            upcoming_prices=[
                UpcomingPriceAttributes(
                    **_price(entry).model_dump(),
                    effective_for_existing_subscribers_from=entry.existing_from,
                )
                for entry in view.upcoming(now)
            ],
            created_at=plan.created_at,
            updated_at=plan.updated_at,
            retired_at=plan.retired_at,
        ),
        links={"self": url, "catalog": f"{url}/catalog"},
    )


def plan_document(view: PlanView, prefix: str, now: datetime) -> PlanDocument:
    return PlanDocument(data=plan_resource(view, prefix, now))
