"""REST of fees (thin: parse -> one use case -> document): the submission's fee for the
submitting team."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from parovoz_kit.auth import CurrentPrincipal
from parovoz_kit.auth.dependencies import current_user_id
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_greenlight.clients.developer_portal import developer_portal
from parovoz_greenlight.fees.domain import Fee, FeeStatus
from parovoz_greenlight.fees.service import Developers, fee_of_submission
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

SubmissionId = Annotated[uuid.UUID, Path(description="The submission's id (UUID).")]

#: Platform roles that see every submission's fee.
STAFF_ROLES = frozenset({"admin", "moderator", "support"})


class FeeMoney(BaseModel):
    amount_minor: int = Field(description="Minor units (kopecks).", examples=[500000])
    currency: str = Field(description="ISO 4217 code.", examples=["RUB"])


class FeeAttributes(BaseModel):
    submission_id: uuid.UUID = Field(description="The submission the fee is for.")
    attempt: int = Field(description="1 for the first payment, 2 after a cancelled one, ...")
    status: FeeStatus = Field(
        description="awaiting_payment | paid | payment_cancelled | refund_pending | refunded | "
        "refund_failed."
    )
    amount: FeeMoney = Field(description="The fee (5,000.00 RUB).")
    payment_id: uuid.UUID | None = Field(description="payment's id of the fee's payment.")
    confirmation_url: str | None = Field(
        description="Where the developer pays at the provider; only while awaiting payment."
    )
    refund_id: uuid.UUID | None = Field(description="payment's refund, once one was asked.")
    created_at: datetime = Field(description="When the attempt began (UTC).")
    updated_at: datetime = Field(description="Its last change (UTC).")


class FeeResource(BaseModel):
    type: Literal["submissionFee"] = Field(description="Always `submissionFee`.")
    id: uuid.UUID = Field(description="The fee's id (payment's `reference` names it).")
    attributes: FeeAttributes = Field(description="The fee.")


class FeeDocument(BaseModel):
    data: FeeResource = Field(description="The submission's fee.")


def fee_document(fee: Fee) -> FeeDocument:
    return FeeDocument(
        data=FeeResource(
            type="submissionFee",
            id=fee.id,
            attributes=FeeAttributes(
                submission_id=fee.submission_id,
                attempt=fee.attempt,
                status=fee.status,
                amount=FeeMoney(amount_minor=fee.amount_minor, currency=fee.currency),
                payment_id=fee.payment_id,
                confirmation_url=fee.confirmation_url,
                refund_id=fee.refund_id,
                created_at=fee.created_at,
                updated_at=fee.updated_at,
            ),
        )
    )


def fees_router(infrastructure: Infrastructure, developers: Developers | None = None) -> APIRouter:
    router = APIRouter(prefix=infrastructure.settings.api_prefix, tags=["fees"])
    team: Developers = developers or developer_portal(infrastructure)

    @router.get(
        "/submissions/{submission_id:uuid}/fee",
        response_model=FeeDocument,
        summary="The submission's fee: its status, payment and where to pay it",
        description=(
            "The paid fee, else the latest attempt. `confirmation_url` is payment's page while "
            "the fee awaits payment; the submission goes to moderation when payment reports "
            "it paid, and back to `draft` when the payment is cancelled. Withdrawn before "
            "voting, the fee is refunded (`refund_pending`, then `refunded`). For the "
            "submitting team and staff; anyone else gets 404 `SUBMISSION_NOT_FOUND`, like an "
            "unknown submission (the team is developer-portal's: 503 "
            "`DEVELOPER_PORTAL_UNAVAILABLE` while it cannot be asked). A submission never "
            "submitted has no fee: 404 `FEE_NOT_FOUND`."
        ),
        responses=error_responses(
            {
                404: ["SUBMISSION_NOT_FOUND", "FEE_NOT_FOUND"],
                503: ["DEVELOPER_PORTAL_UNAVAILABLE"],
            }
        ),
    )
    async def get_fee(principal: CurrentPrincipal, submission_id: SubmissionId) -> Response:
        viewer = current_user_id(principal)
        async with greenlight_unit_of_work(infrastructure) as uow:
            fee = await fee_of_submission(
                uow, team, submission_id, viewer, staff=principal.has_any_role(STAFF_ROLES)
            )
        return Response(
            fee_document(fee).model_dump_json(), status_code=200, media_type="application/json"
        )

    return router
