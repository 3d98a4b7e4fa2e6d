"""Request and response bodies of billing's REST (payment method, charges, refunds), JSON:API-ish
like subscriptions'."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from parovoz_kit.http.fields import Flag, MinorUnits, RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from parovoz_subscription.billing.domain.charges import Charge, ChargeKind, ChargeStatus
from parovoz_subscription.billing.service.payments import ChargeStarted, RefundDone
from parovoz_subscription.subscriptions.domain import SubscriptionStatus


def _web_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError("an http(s) URL")
    return value


#: A URL payment's page returns to: http(s), at most 2000 characters.
ReturnUrl = Annotated[str, Text(2000, min_length=10), AfterValidator(_web_url)]

BINDING_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "paymentMethodBinding",
        "attributes": {"return_url": "https://parovoz.example/subscriptions/card-bound"},
    }
}
REFUND_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "subscriptionRefund",
        "attributes": {
            "charge_id": "3f0c6a1e-8d44-4b7a-9c1f-2a6b9e0d7c55",
            "amount_minor": 19950,
            "end_subscription": False,
        },
    }
}


# --- requests ---------------------------------------------------------------------------------
class BindingAttributes(RequestModel):
    return_url: ReturnUrl | None = Field(
        default=None,
        description="Where payment's confirmation page sends the user back (http or https, at "
        "most 2000 characters); the store's page when left out.",
    )


class BindingData(RequestModel):
    type: Literal["paymentMethodBinding"] = Field(description="Always `paymentMethodBinding`.")
    attributes: BindingAttributes = Field(description="The binding.")


class BindingDocument(RequestModel):
    """Bind (or change) the card renewals are charged to."""

    model_config = ConfigDict(json_schema_extra={"examples": [BINDING_EXAMPLE]})

    data: BindingData = Field(description="The binding.")


class RefundAttributes(RequestModel):
    charge_id: uuid.UUID | None = Field(
        default=None,
        description="Admins only: the charge to refund (from `GET /{id}/charges`); the latest "
        "paid one when left out. The owner always gets the first payment back.",
    )
    amount_minor: MinorUnits | None = Field(
        default=None,
        description="Admins only: how much, in minor units, at most what is left of the charge; "
        "all of it when left out.",
    )
    end_subscription: Flag | None = Field(
        default=None,
        description="Admins only: end the subscription at once (`expired`). An owner's refund "
        "always ends it.",
    )


class RefundData(RequestModel):
    type: Literal["subscriptionRefund"] = Field(description="Always `subscriptionRefund`.")
    attributes: RefundAttributes = Field(description="The refund.")


class RefundDocument(RequestModel):
    """A refund of a subscription's payment."""

    model_config = ConfigDict(json_schema_extra={"examples": [REFUND_EXAMPLE]})

    data: RefundData = Field(description="The refund.")


# --- responses --------------------------------------------------------------------------------
class PriceAttributes(BaseModel):
    amount_minor: int = Field(description="Minor units (kopecks for RUB), VAT included.")
    currency: str = Field(description="ISO 4217 code.")


class ChargeAttributes(BaseModel):
    subscription_id: uuid.UUID = Field(description="The subscription charged.")
    kind: ChargeKind = Field(
        description="`first` (first period), `renewal`, `upgrade` (a plan change's difference) "
        "or `card_check` (the 1.00 RUB verification of a card, given back at once)."
    )
    status: ChargeStatus = Field(
        description="`pending` (waiting for the payment), `succeeded`, `failed` or `refunded`."
    )
    amount: PriceAttributes = Field(description="The amount of the charge, VAT included.")
    refunded: PriceAttributes = Field(description="What has been asked back so far.")
    period_start: datetime = Field(description="Start of the period paid (ISO 8601, UTC).")
    period_end: datetime = Field(description="End of the period paid.")
    attempt: int = Field(description="1 on time; 2 to 4 the retries of a renewal.")
    payment_id: uuid.UUID | None = Field(description="payment's id of the payment.")
    decline_code: str | None = Field(description="payment's reason of a failed charge.")
    hard_decline: bool = Field(description="A decline no retry can fix: a new card is needed.")
    created_at: datetime = Field(description="When the charge was started.")
    settled_at: datetime | None = Field(description="When payment settled it.")


class ChargeResource(BaseModel):
    type: Literal["subscriptionCharge"] = Field(description="Always `subscriptionCharge`.")
    id: uuid.UUID = Field(description="Charge id.")
    attributes: ChargeAttributes = Field(description="The charge.")


class ChargeListDocument(BaseModel):
    data: list[ChargeResource] = Field(description="The subscription's charges, newest first.")


class BindingStartedDocument(BaseModel):
    data: ChargeResource = Field(description="The verification charge (1.00 RUB).")
    meta: dict[str, str | None] = Field(
        description="`confirmation_url`: payment's page where the user confirms the card."
    )


class RefundAnswerAttributes(BaseModel):
    charge_id: uuid.UUID = Field(description="The charge refunded.")
    payment_id: uuid.UUID = Field(description="payment's payment refunded.")
    amount: PriceAttributes = Field(description="The amount of this refund.")
    status: Literal["requires_review", "pending", "succeeded", "failed"] = Field(
        description="payment's state of the refund: `requires_review` (an admin of payment "
        "decides), `pending` (sent), `succeeded`, `failed`. The charge becomes `refunded` "
        "when payment reports the money returned."
    )
    subscription_status: SubscriptionStatus = Field(
        description="The subscription's status after the refund (`expired` when it ended)."
    )


class RefundResource(BaseModel):
    type: Literal["subscriptionRefund"] = Field(description="Always `subscriptionRefund`.")
    id: uuid.UUID = Field(description="payment's refund id.")
    attributes: RefundAnswerAttributes = Field(description="The refund.")


class RefundAnswerDocument(BaseModel):
    data: RefundResource = Field(description="The refund asked for.")


def charge_resource(charge: Charge) -> ChargeResource:
    return ChargeResource(
        type="subscriptionCharge",
        id=charge.id,
        attributes=ChargeAttributes(
            subscription_id=charge.subscription_id,
            kind=charge.kind,
            status=charge.status,
            amount=PriceAttributes(amount_minor=charge.amount_minor, currency=charge.currency),
            refunded=PriceAttributes(amount_minor=charge.refunded_minor, currency=charge.currency),
            period_start=charge.period_start,
            period_end=charge.period_end,
            attempt=charge.attempt,
            payment_id=charge.payment_id,
            decline_code=charge.decline_code,
            hard_decline=charge.hard_decline,
            created_at=charge.created_at,
            settled_at=charge.settled_at,
        ),
    )


def binding_document(charge: Charge, started: ChargeStarted) -> BindingStartedDocument:
    return BindingStartedDocument(
        data=charge_resource(charge), meta={"confirmation_url": started.confirmation_url}
    )


def refund_document(done: RefundDone) -> RefundAnswerDocument:
    refund = done.refund
    return RefundAnswerDocument(
        data=RefundResource(
            type="subscriptionRefund",
            id=refund.refund_id,
            attributes=RefundAnswerAttributes(
                charge_id=done.charge.id,
                payment_id=refund.payment_id,
                amount=PriceAttributes(amount_minor=refund.amount_minor, currency=refund.currency),
                status=refund.status.value,
                subscription_status=done.subscription.status,
            ),
        )
    )
