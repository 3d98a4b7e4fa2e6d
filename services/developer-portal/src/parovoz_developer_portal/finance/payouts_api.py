"""`/finance/payouts/requests`: ask to be paid out, and follow the payout.

Asking moves money, so ``Idempotency-Key`` is required: a retry gets the first answer and
never a second payout. payment does the paying and reports back through events.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.errors import ParovozError
from parovoz_kit.http.fields import QueryInt64
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import IdempotencyKey, Proceed, run_idempotent
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.clients.payment import developer_money
from parovoz_developer_portal.finance.payout_methods_api import FINANCE_ERRORS
from parovoz_developer_portal.finance.schemas import (
    Document,
    ListDocument,
    PayoutRequestAttributes,
    PayoutRequestCreationDocument,
    payout_request_resource,
)
from parovoz_developer_portal.finance.service import payouts as payout_use_cases
from parovoz_developer_portal.finance_unit_of_work import finance_unit_of_work

MAX_PAGE = 100


def payouts_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    settings = infrastructure.settings
    router = APIRouter(prefix=f"{prefix}/finance/payouts/requests", tags=["finance"])

    @router.post(
        "",
        status_code=201,
        response_model=Document[PayoutRequestAttributes],
        summary="Ask for a payout (minimum 1,000.00 RUB; one payout in progress at a time)",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise). Asks payment to pay "
            "`amount` (integer kopecks) to the named payout method, or the account's default "
            "one. Seed 001's body (`type: payoutRequest`, `amount_minor_units`, "
            "`currency_code`, `payment_method_id`) means the same and gets the same answer. "
            "`Idempotency-Key` is required: a retry gets the first answer, never a second "
            "payout. Refused with 422: below the minimum (`PAYOUT_BELOW_MINIMUM`), more than "
            "the available balance (`PAYOUT_EXCEEDS_AVAILABLE_BALANCE`), a currency the method "
            "does not pay in (`PAYOUT_CURRENCY_MISMATCH`), no payout method "
            "(`PAYOUT_METHOD_REQUIRED`), a suspended account (`ACCOUNT_SUSPENDED`); 409 "
            "`PAYOUT_ALREADY_IN_PROGRESS` while another payout is open; 404 "
            "`PAYOUT_METHOD_NOT_FOUND` for a method not of the account. The answer's status "
            "is `requested`; payment moves it on to `processing`, then `completed` or `failed`."
        ),
        responses=error_responses(
            {
                400: ["INVALID_PAYOUT_AMOUNT"],
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["PAYOUT_METHOD_NOT_FOUND", "RESOURCE_NOT_FOUND"],
                409: ["PAYOUT_ALREADY_IN_PROGRESS"],
                422: [
                    "PAYOUT_BELOW_MINIMUM",
                    "PAYOUT_EXCEEDS_AVAILABLE_BALANCE",
                    "PAYOUT_CURRENCY_MISMATCH",
                    "PAYOUT_METHOD_REQUIRED",
                    "ACCOUNT_SUSPENDED",
                ],
            }
        ),
    )
    async def request_payout(
        body: PayoutRequestCreationDocument,
        request: Request,
        user_id: CurrentUserId,
        idempotency_key: IdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes
        precheck = settings.payout_balance_precheck  # type: ignore[attr-defined]

        async def ask(_: Proceed) -> Response:
            try:
                async with finance_unit_of_work(infrastructure) as uow:
                    payout = await payout_use_cases.request_payout_by_member(
                        uow,
                        user_id,
                        attributes.payout_amount(),
                        attributes.method_id(),
                        minimum_minor=settings.payout_minimum_minor,  # type: ignore[attr-defined]
                        money=developer_money(infrastructure) if precheck else None,
                        now=infrastructure.clock.now(),
                    )
            except ParovozError as error:
                # The domain points into our form; a client of seed 001's form sees its own.
                error.pointer = attributes.pointer_as_sent(error.pointer)
                raise
            document = Document(data=payout_request_resource(payout, prefix))
            return Response(
                document.model_dump_json(),
                status_code=201,
                media_type="application/json",
                headers={"Location": f"{prefix}/finance/payouts/requests/{payout.id}"},
            )

        return await run_idempotent(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}",
            key=idempotency_key,
            handler=ask,
            success_status=201,
        )

    @router.get(
        "",
        response_model=ListDocument[PayoutRequestAttributes],
        summary="The account's payout requests, newest first",
        description="Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise).",
        responses=error_responses(FINANCE_ERRORS),
    )
    async def list_payout_requests(
        user_id: CurrentUserId,
        page_size: Annotated[
            QueryInt64,
            Query(
                alias="page[size]",
                ge=1,
                le=MAX_PAGE,
                description=f"How many requests, newest first: 1 to {MAX_PAGE}, default 50.",
            ),
        ] = 50,
    ) -> ListDocument[PayoutRequestAttributes]:
        async with finance_unit_of_work(infrastructure) as uow:
            payouts = await payout_use_cases.payout_requests_of_member(uow, user_id, page_size)
        return ListDocument(
            data=[payout_request_resource(payout, prefix) for payout in payouts],
            links={"self": f"{prefix}/finance/payouts/requests"},
        )

    @router.get(
        "/{request_id}",
        response_model=Document[PayoutRequestAttributes],
        summary="One payout request and where it stands",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise); another account's "
            "request is 404 `PAYOUT_REQUEST_NOT_FOUND`."
        ),
        responses=error_responses(
            {**FINANCE_ERRORS, 404: ["PAYOUT_REQUEST_NOT_FOUND", "RESOURCE_NOT_FOUND"]}
        ),
    )
    async def get_payout_request(
        request_id: Annotated[uuid.UUID, Path(description="The payout request's id (UUID).")],
        user_id: CurrentUserId,
    ) -> Document[PayoutRequestAttributes]:
        async with finance_unit_of_work(infrastructure) as uow:
            payout = await payout_use_cases.payout_request_of_member(uow, user_id, request_id)
        return Document(data=payout_request_resource(payout, prefix))

    return router
