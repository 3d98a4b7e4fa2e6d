"""Fraud administration (platform ``admin`` role; every change audit-logged):

- `GET /admin/fraud-rules`, `PATCH /admin/fraud-rules/{rule_id}` (enabled, parameters, action);
- `GET /admin/payments/held`: payments waiting for a decision, oldest first;
- `POST /admin/payments/{payment_id}/hold-decision`: release (on to the provider; the answer
  carries the confirmation URL) or reject (cancelled, ``fraud_suspected``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from parovoz_kit.auth import require_roles
from parovoz_kit.auth.principal import Principal
from parovoz_kit.http.fields import Flag, QueryInt64, RequestModel, Text
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import FRAUD_RULE_CHANGE, HOLD_DECISION, documented
from parovoz_payment.api.payments import PaymentAttributes, payment_document
from parovoz_payment.api.schemas import CommentText, Document, ListDocument, MoneyBody, Resource
from parovoz_payment.clients.providers.registry import ProviderRegistry
from parovoz_payment.domain.fraud import FraudAction, FraudRule, HoldDecision
from parovoz_payment.use_cases.fraud import fraud_screen
from parovoz_payment.use_cases.fraud_admin import (
    HeldPayment,
    change_fraud_rule,
    fraud_rules,
    held_payments,
    reject_held_payment,
    release_held_payment,
)

Admin = Annotated[Principal, Depends(require_roles("admin"))]


class FraudRuleAttributes(BaseModel):
    kind: str = Field(
        description=(
            "card_failures (locks a card after failed payments), distinct_cards (too many "
            "cards of one user), new_account_large_payment, blocked_user."
        )
    )
    enabled: bool = Field(description="Whether the rule screens payments.")
    parameters: dict[str, int] = Field(
        description="The rule's numbers by name (windows in seconds, amounts in kopecks)."
    )
    action: str = Field(
        description="What a match does: lock_card, review (hold for an admin) or block."
    )


class FraudRuleChangeAttributes(RequestModel):
    enabled: Flag | None = Field(
        default=None, description="Optional. true switches the rule on, false off."
    )
    parameters: dict[Annotated[str, Text(48)], object] | None = Field(
        default=None,
        max_length=8,
        description=(
            "Optional. Only the names given change, each a whole number 1..2147483647: "
            "card_failures `max_failures`, `window_seconds`, `lock_seconds`; distinct_cards "
            "`max_cards`, `window_seconds`; new_account_large_payment `threshold_rub_minor`, "
            "`max_account_age_seconds`; blocked_user none. Another name or value is 400."
        ),
        examples=[{"max_failures": 3}],
    )
    action: FraudAction | None = Field(
        default=None,
        description=(
            "Optional. What a match does: `lock_card`, `review` or `block`, among those the "
            "kind allows."
        ),
    )


class FraudRuleChangeData(RequestModel):
    type: Literal["fraudRule"] = Field(description="Required: `fraudRule`.")
    attributes: FraudRuleChangeAttributes = Field(description="What changes.")


class FraudRuleChangeBody(RequestModel):
    """`PATCH /admin/fraud-rules/{rule_id}`: change a fraud rule."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"data": {"type": "fraudRule", "attributes": {"enabled": True}}}]
        }
    )

    data: FraudRuleChangeData = Field(description="What changes.")


class HoldDecisionAttributes(RequestModel):
    decision: HoldDecision = Field(
        description=(
            "Required. `release`: the payment goes on to the provider; `reject`: it is "
            "cancelled (fraud_suspected)."
        )
    )
    comment: CommentText | None = Field(
        default=None,
        description="Optional. The admin's reason, kept with the hold (at most 1,000 characters).",
    )


class HoldDecisionData(RequestModel):
    type: Literal["holdDecision"] = Field(description="Required: `holdDecision`.")
    attributes: HoldDecisionAttributes = Field(description="The decision.")


class HoldDecisionBody(RequestModel):
    """`POST /admin/payments/{payment_id}/hold-decision`: release or reject a held payment."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "holdDecision",
                        "attributes": {"decision": "reject", "comment": "Карта из стоп-листа."},
                    }
                }
            ]
        }
    )

    data: HoldDecisionData = Field(description="The decision.")


class HeldPaymentAttributes(BaseModel):
    user_id: uuid.UUID = Field(description="The payer.")
    purpose: str = Field(description="What the payment is for.")
    amount: MoneyBody = Field(description="The payment's amount.")
    region: str = Field(description="The buyer's region.")
    game_id: uuid.UUID | None = Field(description="The game paid for, or null.")
    reasons: list[dict[str, str]] = Field(
        description='Why it is held: [{"rule": kind, "reason": why}].'
    )
    held_at: datetime = Field(description="When it was held.")


def rule_resource(rule: FraudRule) -> Resource[FraudRuleAttributes]:
    return Resource(
        type="fraudRule",
        id=str(rule.id),
        attributes=FraudRuleAttributes(
            kind=rule.kind.value,
            enabled=rule.enabled,
            parameters=dict(rule.parameters),
            action=rule.action.value,
        ),
    )


def held_resource(held: HeldPayment, prefix: str) -> Resource[HeldPaymentAttributes]:
    payment, hold = held.payment, held.hold
    return Resource(
        type="heldPayment",
        id=str(payment.id),
        attributes=HeldPaymentAttributes(
            user_id=payment.user_id,
            purpose=payment.purpose.value,
            amount=MoneyBody.of(payment.amount),
            region=payment.region,
            game_id=payment.game_id,
            reasons=[{"rule": rule, "reason": reason} for rule, reason in hold.reasons],
            held_at=hold.held_at,
        ),
        links={
            "payment": f"{prefix}/{payment.id}",
            "decision": f"{prefix}/admin/payments/{payment.id}/hold-decision",
        },
    )


def fraud_router(infrastructure: Infrastructure, providers: ProviderRegistry) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=f"{prefix}/admin", tags=["admin", "fraud"])
    uow, clock = infrastructure.unit_of_work, infrastructure.clock

    @router.get(
        "/fraud-rules",
        response_model=ListDocument[FraudRuleAttributes],
        summary="The fraud rules and whether each is on (admins only)",
        description="Every fraud rule with its parameters and action (admins only).",
    )
    async def get_rules(_: Admin) -> ListDocument[FraudRuleAttributes]:
        return ListDocument(data=[rule_resource(rule) for rule in await fraud_rules(uow)])

    @router.patch(
        "/fraud-rules/{rule_id:uuid}",
        response_model=Document[FraudRuleAttributes],
        responses=documented(FRAUD_RULE_CHANGE),
        summary="Switch a fraud rule on or off, or change its numbers (admins only)",
        description=(
            "Changes what is given of a fraud rule: on/off, parameters (merged), action "
            "(admins only; audit-logged)."
        ),
    )
    async def patch_rule(
        rule_id: uuid.UUID, body: FraudRuleChangeBody, admin: Admin, request_id: RequestId
    ) -> Document[FraudRuleAttributes]:
        attributes = body.data.attributes
        rule = await change_fraud_rule(
            uow,
            clock,
            rule_id,
            admin.subject,
            enabled=attributes.enabled,
            parameters=attributes.parameters,
            action=attributes.action,
            request_id=request_id,
        )
        return Document(data=rule_resource(rule))

    @router.get(
        "/payments/held",
        response_model=ListDocument[HeldPaymentAttributes],
        summary="Payments held by a fraud rule, waiting for a decision, oldest first",
        description="Payments on hold, oldest first, with the rules that held them (admins).",
    )
    async def get_held(
        _: Admin,
        page_size: Annotated[
            QueryInt64,
            Query(alias="page[size]", ge=1, le=200, description="At most this many, 1..200."),
        ] = 50,
    ) -> ListDocument[HeldPaymentAttributes]:
        held = await held_payments(uow, page_size)
        return ListDocument(data=[held_resource(item, prefix) for item in held])

    @router.post(
        "/payments/{payment_id:uuid}/hold-decision",
        response_model=Document[PaymentAttributes],
        responses=documented(HOLD_DECISION),
        summary="Release a held payment (on to the provider) or reject it (cancelled)",
        description=(
            "An admin's decision on a held payment: release sends it on to the provider (the "
            "answer carries the confirmation URL), reject cancels it (`fraud_suspected`). "
            "Audit-logged; a payment not on hold, or already decided, is 422."
        ),
    )
    async def post_hold_decision(
        payment_id: uuid.UUID, body: HoldDecisionBody, admin: Admin, request_id: RequestId
    ) -> Document[PaymentAttributes]:
        attributes = body.data.attributes
        if attributes.decision is HoldDecision.RELEASE:
            view = await release_held_payment(
                uow,
                providers,
                clock,
                payment_id,
                admin.subject,
                attributes.comment,
                fraud=fraud_screen(infrastructure),
                request_id=request_id,
            )
        else:
            view = await reject_held_payment(
                uow, clock, payment_id, admin.subject, attributes.comment, request_id=request_id
            )
        return payment_document(view, prefix)

    return router
