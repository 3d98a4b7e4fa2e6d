"""Request and response bodies of subscriptions' REST (JSON:API-ish, as developer-portal's)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Response
from parovoz_kit.http.fields import CountryCode, RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Subscription,
    SubscriptionStatus,
)
from parovoz_subscription.subscriptions.repository import (
    REASON_COLUMN,
    TIME_ZONE_COLUMN,
)

CREATION_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "subscriptionCreation",
        "attributes": {
            "plan_id": "0b6f4f8e-6c1a-4a52-9a0e-3f7c2d1b5a10",
            "billing_period": "monthly",
            "region": "RU",
            "time_zone": "Europe/Moscow",
            "return_url": "https://parovoz.example/subscriptions/done",
        },
    }
}
CANCELLATION_EXAMPLE: dict[str, Any] = {
    "data": {"type": "subscriptionCancellation", "attributes": {"reason": "Слишком дорого"}}
}

#: A URL payment's page returns to: http(s), at most 2000 characters.
RETURN_URL_LIMIT = 2000


def _web_url(value: str) -> str:
    if not value.startswith(("https://", "http://")) or len(value) < 10:
        raise ValueError("an http(s) URL")
    return value


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("at least one character that is not a space")
    return value


ReturnUrl = Annotated[str, Text(RETURN_URL_LIMIT, min_length=10), AfterValidator(_web_url)]
Reason = Annotated[str, Text(REASON_COLUMN, min_length=1), AfterValidator(_not_blank)]
TimeZone = Annotated[str, Text(TIME_ZONE_COLUMN, min_length=1)]


# --- requests ---------------------------------------------------------------------------------
class SubscriptionCreationAttributes(RequestModel):
    plan_id: uuid.UUID = Field(description="The plan (UUID), from `GET /plans`. Required.")
    billing_period: BillingPeriod = Field(
        description="`monthly`, `quarterly` or `yearly`; the plan must have a price for it in "
        "the region. Required."
    )
    region: CountryCode = Field(
        description="ISO 3166-1 alpha-2 region whose price and catalog apply (`RU`). Required."
    )
    time_zone: TimeZone | None = Field(
        default=None,
        description="The subscriber's IANA time zone (`Europe/Moscow` when left out): period "
        "boundaries fall on the same local day and time. Unknown names are 400 "
        "`INVALID_TIME_ZONE`.",
        examples=["Europe/Moscow"],
    )
    return_url: ReturnUrl | None = Field(
        default=None,
        description="Where payment's confirmation page sends the user back (http or https, at "
        "most 2000 characters); the store's page when left out. Unused for a trial.",
    )


class SubscriptionCreationData(RequestModel):
    type: Literal["subscriptionCreation"] = Field(description="Always `subscriptionCreation`.")
    attributes: SubscriptionCreationAttributes = Field(description="What to subscribe to.")


class SubscriptionCreationDocument(RequestModel):
    """Subscribe the caller to a plan."""

    model_config = ConfigDict(json_schema_extra={"examples": [CREATION_EXAMPLE]})

    data: SubscriptionCreationData = Field(description="What to subscribe to.")


class SubscriptionCancellationAttributes(RequestModel):
    reason: Reason | None = Field(
        default=None, description="Why, optional (1-500 characters); kept and sent on."
    )


class SubscriptionCancellationData(RequestModel):
    type: Literal["subscriptionCancellation"] = Field(
        description="Always `subscriptionCancellation`."
    )
    attributes: SubscriptionCancellationAttributes = Field(description="The cancellation.")


class SubscriptionCancellationDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CANCELLATION_EXAMPLE]})

    data: SubscriptionCancellationData = Field(description="The cancellation.")


# --- responses --------------------------------------------------------------------------------
class SubscriptionPrice(BaseModel):
    amount_minor: int = Field(description="Minor units (kopecks for RUB), VAT included.")
    currency: str = Field(description="ISO 4217 code.")


class SubscriptionAttributes(BaseModel):
    plan_id: uuid.UUID = Field(description="The plan subscribed to.")
    plan_type: PlanType = Field(description="basic, premium, family, corporate or student.")
    billing_period: BillingPeriod = Field(description="monthly, quarterly or yearly.")
    region: str = Field(description="Region whose price and catalog apply.")
    price: SubscriptionPrice = Field(description="What one period costs this subscriber.")
    status: SubscriptionStatus = Field(
        description="`incomplete` (waiting for the first payment, no access), `trial`, "
        "`active`, `pending_payment` (a renewal failed, access kept for the grace), "
        "`suspended` (no access), `cancelled` (no renewal, access until the period end), "
        "`expired`."
    )
    auto_renew: bool = Field(description="Whether the period end charges the next period.")
    time_zone: str = Field(description="IANA zone the period boundaries are computed in.")
    current_period_start: datetime = Field(description="Start of the current (trial) period.")
    current_period_end: datetime = Field(
        description="End of the current (trial) period: the next charge, or the end of access "
        "when cancelled. Equal to the start while `incomplete` (no period yet)."
    )
    access_until: datetime | None = Field(
        description="Until when the subscription grants access now; null when it grants none."
    )
    trial_end_at: datetime | None = Field(description="End of the trial; null without one.")
    grace_until: datetime | None = Field(description="End of the grace while pending_payment.")
    cancelled_at: datetime | None = Field(description="When auto-renewal was stopped.")
    cancellation_reason: str | None = Field(description="The reason given, if any.")
    suspended_at: datetime | None = Field(description="When access was suspended.")
    ended_at: datetime | None = Field(description="When it expired.")
    has_saved_method: bool = Field(description="Whether a payment method is saved for renewals.")
    scheduled_plan_id: uuid.UUID | None = Field(
        description="A plan change waiting for the period end (a downgrade)."
    )
    scheduled_billing_period: BillingPeriod | None = Field(
        description="The billing period from the period end, with a scheduled change."
    )
    created_at: datetime = Field(description="When it was created (ISO 8601, UTC).")
    updated_at: datetime = Field(description="When it last changed.")


class SubscriptionResource(BaseModel):
    type: Literal["subscription"] = Field(description="Always `subscription`.")
    id: uuid.UUID = Field(description="Subscription id.")
    attributes: SubscriptionAttributes = Field(description="The subscription.")
    links: dict[str, str] = Field(description="`self`: where it is read.")


class SubscriptionDocument(BaseModel):
    data: SubscriptionResource = Field(description="The subscription.")
    meta: dict[str, str | None] | None = Field(
        default=None,
        description="On creation: `confirmation_url`, payment's page where the user pays the "
        "first period (null for a trial: nothing to pay yet).",
    )


class SubscriptionListDocument(BaseModel):
    data: list[SubscriptionResource] = Field(description="A page, newest first.")
    links: dict[str, str | None] = Field(description="`self`, and `next` (null on the last).")


class TrialEligibilityAttributes(BaseModel):
    plan_id: uuid.UUID = Field(description="The plan asked about.")
    plan_type: PlanType = Field(description="Its type: one trial per user per type.")
    eligible: bool = Field(
        description="Whether a subscription to the plan created now starts as a trial."
    )
    trial_days: int = Field(description="The plan's trial length in days (0: no trial).")


class TrialEligibilityResource(BaseModel):
    type: Literal["trialEligibility"] = Field(description="Always `trialEligibility`.")
    id: uuid.UUID = Field(description="The plan's id.")
    attributes: TrialEligibilityAttributes = Field(description="The answer.")


class TrialEligibilityDocument(BaseModel):
    data: TrialEligibilityResource = Field(description="The answer.")


def subscription_resource(subscription: Subscription, prefix: str) -> SubscriptionResource:
    attributes = SubscriptionAttributes(
        plan_id=subscription.plan_id,
        plan_type=subscription.plan_type,
        billing_period=subscription.billing_period,
        region=subscription.region,
        price=SubscriptionPrice(
            amount_minor=subscription.price_minor, currency=subscription.currency
        ),
        status=subscription.status,
        auto_renew=subscription.auto_renew,
        time_zone=subscription.time_zone,
        current_period_start=subscription.current_period_start,
        current_period_end=subscription.current_period_end,
        access_until=subscription.access_until(),
        trial_end_at=subscription.trial_end_at,
        grace_until=subscription.grace_until,
        cancelled_at=subscription.cancelled_at,
        cancellation_reason=subscription.cancellation_reason,
        suspended_at=subscription.suspended_at,
        ended_at=subscription.ended_at,
        has_saved_method=subscription.saved_method_id is not None,
        scheduled_plan_id=subscription.scheduled_plan_id,
        scheduled_billing_period=subscription.scheduled_billing_period,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
    )
    return SubscriptionResource(
        type="subscription",
        id=subscription.id,
        attributes=attributes,
        links={"self": f"{prefix}/{subscription.id}"},
    )


def subscription_document(
    subscription: Subscription, prefix: str, meta: dict[str, str | None] | None = None
) -> SubscriptionDocument:
    return SubscriptionDocument(data=subscription_resource(subscription, prefix), meta=meta)


def json_response(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(exclude_none=False),
        status_code=status_code,
        media_type="application/json",
    )
