"""`POST /referral-payouts`: the (external) social service asks for a referral reward to be
paid (the ``social`` service's token only -- our own services get 403; Idempotency-Key
required). The answer is the outcome: ``completed``
or ``failed`` with a reason -- a payout that cannot be made is a result, not an error."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from parovoz_kit.auth import require_service
from parovoz_kit.auth.principal import Principal
from parovoz_kit.idempotency import IdempotencyKey, run_idempotent
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.schemas import Document, MoneyBody, Resource
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.referral_payouts import ReferralPayout, ReferralPayoutRequest
from parovoz_payment.use_cases.referral_payouts import execute_referral_payout, referral_users

#: Only the social service decides referral rewards; a token of another service is refused.
SocialService = Annotated[Principal, Depends(require_service("social"))]


class ReferralPayoutRequestAttributes(BaseModel):
    user_id: uuid.UUID
    amount: MoneyBody
    destination: Literal["wallet", "bank_transfer", "e_wallet"]
    #: The social service's id of its payout request (one payout per reference).
    reference: str = Field(min_length=1, max_length=128)


class ReferralPayoutRequestData(BaseModel):
    type: Literal["referralPayout"]
    attributes: ReferralPayoutRequestAttributes


class ReferralPayoutBody(BaseModel):
    data: ReferralPayoutRequestData


class ReferralPayoutAttributes(BaseModel):
    status: str
    user_id: uuid.UUID
    amount: MoneyBody
    destination: str
    reference: str
    failure_reason_code: str | None
    failure_reason_message: str | None


def referral_payout_document(payout: ReferralPayout) -> Document[ReferralPayoutAttributes]:
    request = payout.request
    return Document(
        data=Resource(
            type="referralPayout",
            id=str(payout.id),
            attributes=ReferralPayoutAttributes(
                status=payout.status.value,
                user_id=request.user_id,
                amount=MoneyBody.of(request.amount),
                destination=request.destination,
                reference=request.reference,
                failure_reason_code=payout.failure.value if payout.failure else None,
                failure_reason_message=payout.failure_message,
            ),
        )
    )


def referral_payouts_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["referral payouts"])

    @router.post(
        "/referral-payouts",
        status_code=201,
        response_model=Document[ReferralPayoutAttributes],
        summary="Pay a referral reward (social service only); the answer is the outcome",
    )
    async def post_referral_payout(
        request: Request, body: ReferralPayoutBody, service: SocialService, key: IdempotencyKey
    ) -> Response:
        attributes = body.data.attributes
        payout_request = ReferralPayoutRequest(
            user_id=attributes.user_id,
            amount=Money(attributes.amount.amount_minor, attributes.amount.currency),
            destination=attributes.destination,
            reference=attributes.reference,
        )

        async def handler(_: Proceed) -> Document[ReferralPayoutAttributes]:
            payout = await execute_referral_payout(
                infrastructure.unit_of_work,
                referral_users(infrastructure),
                infrastructure.clock,
                infrastructure.settings.wallet_rules(),  # type: ignore[attr-defined]
                payout_request,
            )
            return referral_payout_document(payout)

        return await run_idempotent(
            request,
            infrastructure.idempotency,
            scope=f"referral-payouts:{service.subject}",
            key=key,
            handler=handler,
            success_status=201,
        )

    return router
