"""`/finance/payout-schedule`: paid on request, or monthly automatic (PRODUCT.md).

``monthly``: on the 1st of each month (UTC) the whole available balance, when at least the
minimum payout, is asked for to the chosen method (``payout_method_id``; the account's default
when left out). Owner, admin and finance may see and change it; others get 403.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.fields import RequestModel
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_developer_portal.finance.domain.payout_schedule import (
    AUTOMATIC_PAYOUT_DAY,
    PayoutSchedule,
    PayoutScheduleMode,
)
from parovoz_developer_portal.finance.payout_methods_api import FINANCE_ERRORS
from parovoz_developer_portal.finance.schemas import Document, Resource
from parovoz_developer_portal.finance.service import payout_schedule as payout_schedule_use_cases
from parovoz_developer_portal.finance_unit_of_work import finance_unit_of_work

PAYOUT_SCHEDULE_EXAMPLE = {
    "data": {"type": "payoutSchedules", "attributes": {"mode": "monthly"}},
}


class PayoutScheduleChangeAttributes(RequestModel):
    mode: PayoutScheduleMode = Field(
        description=(
            "Required. `on_request` (paid when a member asks) or `monthly` (the whole available "
            "balance asked for on the 1st of each month, UTC, when at least the minimum payout)."
        )
    )
    payout_method_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "For `monthly`: the payout method paid to; the account's default method when left "
            "out. Ignored for `on_request`."
        ),
    )


class PayoutScheduleChangeData(RequestModel):
    type: Literal["payoutSchedules"] = Field(description="Always `payoutSchedules`.")
    attributes: PayoutScheduleChangeAttributes = Field(description="The schedule chosen.")


class PayoutScheduleChangeDocument(RequestModel):
    """How the account is to be paid out."""

    model_config = ConfigDict(json_schema_extra={"examples": [PAYOUT_SCHEDULE_EXAMPLE]})

    data: PayoutScheduleChangeData = Field(description="The payout schedule.")


class PayoutScheduleAttributes(BaseModel):
    mode: str = Field(description="`on_request` or `monthly`.")
    payout_method_id: uuid.UUID | None = Field(
        description="Where monthly payouts go; null when paid on request."
    )
    day_of_month: int | None = Field(
        description="The day monthly payouts are asked on (UTC); null when paid on request."
    )
    updated_by_user_id: uuid.UUID | None = Field(
        description="The member who last chose; null if never chosen."
    )
    updated_at: datetime | None = Field(description="When it was last chosen; null if never.")


def payout_schedule_resource(
    schedule: PayoutSchedule, prefix: str
) -> Resource[PayoutScheduleAttributes]:
    monthly = schedule.mode is PayoutScheduleMode.MONTHLY
    return Resource(
        type="payoutSchedules",
        id=str(schedule.developer_id),
        attributes=PayoutScheduleAttributes(
            mode=schedule.mode.value,
            payout_method_id=schedule.payout_method_id,
            day_of_month=AUTOMATIC_PAYOUT_DAY if monthly else None,
            updated_by_user_id=schedule.updated_by_user_id,
            updated_at=schedule.updated_at,
        ),
        links={"self": f"{prefix}/finance/payout-schedule"},
    )


def payout_schedule_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=f"{prefix}/finance/payout-schedule", tags=["finance"])

    @router.get(
        "",
        response_model=Document[PayoutScheduleAttributes],
        summary="How the account is paid out (on request unless chosen otherwise)",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise). `on_request` until "
            "a member chooses otherwise."
        ),
        responses=error_responses(FINANCE_ERRORS),
    )
    async def get_payout_schedule(user_id: CurrentUserId) -> Document[PayoutScheduleAttributes]:
        async with finance_unit_of_work(infrastructure) as uow:
            schedule = await payout_schedule_use_cases.payout_schedule_of_member(uow, user_id)
        return Document(data=payout_schedule_resource(schedule, prefix))

    @router.put(
        "",
        response_model=Document[PayoutScheduleAttributes],
        summary="Choose on-request or monthly automatic payouts (to a method of the account)",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise). `monthly`: on the 1st "
            "of each month (UTC) the whole available RUB balance, when at least the minimum "
            "payout, is asked for to the named method or the account's default (422 "
            "`PAYOUT_METHOD_REQUIRED` without any; 404 `PAYOUT_METHOD_NOT_FOUND` for one not "
            "of the account). Replaces the setting, so repeating it is harmless and no "
            "`Idempotency-Key` is taken."
        ),
        responses=error_responses(
            {
                **FINANCE_ERRORS,
                404: ["PAYOUT_METHOD_NOT_FOUND", "RESOURCE_NOT_FOUND"],
                422: ["PAYOUT_METHOD_REQUIRED"],
            }
        ),
    )
    async def put_payout_schedule(
        body: PayoutScheduleChangeDocument, user_id: CurrentUserId
    ) -> Document[PayoutScheduleAttributes]:
        # Idempotent by nature (PUT replaces the setting), so no Idempotency-Key.
        attributes = body.data.attributes
        async with finance_unit_of_work(infrastructure) as uow:
            schedule = await payout_schedule_use_cases.choose_payout_schedule(
                uow,
                user_id,
                attributes.mode,
                attributes.payout_method_id,
                infrastructure.clock.now(),
            )
        return Document(data=payout_schedule_resource(schedule, prefix))

    return router
