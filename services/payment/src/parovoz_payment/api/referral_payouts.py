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
from parovoz_kit.http.fields import RequestModel, Text
from parovoz_kit.idempotency import IdempotencyKey, run_idempotent
from parovoz_kit.idempotency.store import Proceed
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.documented_errors import REFERRAL_PAYOUT, documented
from parovoz_payment.api.schemas import Document, MoneyBody, MoneyInput, Resource
from parovoz_payment.domain.referral_payouts import (
    REFERENCE_MAX_LENGTH,
    ReferralPayout,
    ReferralPayoutRequest,
)
from parovoz_payment.use_cases.referral_payouts import execute_referral_payout, referral_users

#: Only the social service decides referral rewards; a token of another service is refused.
SocialService = Annotated[Principal, Depends(require_service("social"))]


class ReferralPayoutRequestAttributes(RequestModel):
    user_id: uuid.UUID = Field(description="Required. The user rewarded (uuid).")
    amount: MoneyInput = Field(
        description="Required. The reward, positive, in RUB (the wallet's currency)."
    )
    destination: Literal["wallet", "bank_transfer", "e_wallet"] = Field(
        description=(
            "Required. Where the reward goes; only `wallet` (the user's Parovoz wallet) is "
            "supported (422 REFERRAL_DESTINATION_NOT_SUPPORTED for the others)."
        )
    )
    reference: Annotated[str, Text(REFERENCE_MAX_LENGTH, min_length=1)] = Field(
        description=(
            "Required. The social service's id of its payout request, 1..128 characters: "
            "one payout per reference."
        ),
        examples=["referral-reward-20260131-000123"],
    )


class ReferralPayoutRequestData(RequestModel):
    type: Literal["referralPayout"] = Field(description="Required: `referralPayout`.")
    attributes: ReferralPayoutRequestAttributes = Field(description="The reward to pay.")


class ReferralPayoutBody(RequestModel):
    """`POST /referral-payouts`: pay a referral reward."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "referralPayout",
                        "attributes": {
                            "user_id": "7d9c1f3e-2b4a-4e6d-8c0b-5a7f9e1d3c2b",
                            "amount": {"amount_minor": 20000, "currency": "RUB"},
                            "destination": "wallet",
                            "reference": "referral-reward-20260131-000123",
                        },
                    }
                }
            ]
        }
    )

    data: ReferralPayoutRequestData = Field(description="The reward to pay.")


class ReferralPayoutAttributes(BaseModel):
    status: str = Field(description="completed, or failed (see failure_reason_code).")
    user_id: uuid.UUID = Field(description="The user rewarded.")
    amount: MoneyBody = Field(description="The reward.")
    destination: str = Field(description="Where it went: wallet.")
    reference: str = Field(description="The social service's id of its payout request.")
    failure_reason_code: str | None = Field(
        description="Why it failed (e.g. the user is blocked, the wallet cap), or null."
    )
    failure_reason_message: str | None = Field(description="The failure in words, or null.")


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
        responses=documented(REFERRAL_PAYOUT),
        summary="Pay a referral reward (social service only); the answer is the outcome",
        description=(
            "Pays a referral reward the social service decided (its service token only; "
            "Idempotency-Key required). A payout that cannot be made is answered `failed` "
            "with a reason, not as an error."
        ),
    )
    async def post_referral_payout(
        request: Request, body: ReferralPayoutBody, service: SocialService, key: IdempotencyKey
    ) -> Response:
        attributes = body.data.attributes
        payout_request = ReferralPayoutRequest(
            user_id=attributes.user_id,
            amount=attributes.amount.money(),
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
