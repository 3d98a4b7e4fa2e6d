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
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.payments import PaymentAttributes, payment_document
from parovoz_payment.api.schemas import Document, ListDocument, MoneyBody, Resource
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
    kind: str
    enabled: bool
    parameters: dict[str, int]
    action: str


class FraudRuleChangeAttributes(BaseModel):
    enabled: bool | None = None
    #: Only the names given change; each a positive whole number.
    parameters: dict[str, object] | None = None
    action: FraudAction | None = None


class FraudRuleChangeData(BaseModel):
    type: Literal["fraudRule"]
    attributes: FraudRuleChangeAttributes


class FraudRuleChangeBody(BaseModel):
    data: FraudRuleChangeData


class HoldDecisionAttributes(BaseModel):
    decision: HoldDecision
    comment: str | None = Field(default=None, max_length=1000)


class HoldDecisionData(BaseModel):
    type: Literal["holdDecision"]
    attributes: HoldDecisionAttributes


class HoldDecisionBody(BaseModel):
    data: HoldDecisionData


class HeldPaymentAttributes(BaseModel):
    user_id: uuid.UUID
    purpose: str
    amount: MoneyBody
    region: str
    game_id: uuid.UUID | None
    #: [{"rule": kind, "reason": why}]
    reasons: list[dict[str, str]]
    held_at: datetime


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
    )
    async def get_rules(_: Admin) -> ListDocument[FraudRuleAttributes]:
        return ListDocument(data=[rule_resource(rule) for rule in await fraud_rules(uow)])

    @router.patch(
        "/fraud-rules/{rule_id:uuid}",
        response_model=Document[FraudRuleAttributes],
        summary="Switch a fraud rule on or off, or change its numbers (admins only)",
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
    )
    async def get_held(
        _: Admin, page_size: Annotated[int, Query(alias="page[size]", ge=1, le=200)] = 50
    ) -> ListDocument[HeldPaymentAttributes]:
        held = await held_payments(uow, page_size)
        return ListDocument(data=[held_resource(item, prefix) for item in held])

    @router.post(
        "/payments/{payment_id:uuid}/hold-decision",
        response_model=Document[PaymentAttributes],
        summary="Release a held payment (on to the provider) or reject it (cancelled)",
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
