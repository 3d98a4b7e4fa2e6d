"""`/finance/payout-methods`: the bank accounts a developer is paid out to.

Details come in whole (validated: ИНН, КПП, БИК, accounts with their control keys) and are
only ever shown masked; owner, admin and finance may manage them, others get 403.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.finance.schemas import (
    Document,
    ListDocument,
    PayoutMethodAttributes,
    PayoutMethodCreationDocument,
    payout_method_resource,
)
from parovoz_developer_portal.finance.service import payouts as payout_use_cases
from parovoz_developer_portal.finance_unit_of_work import finance_unit_of_work

#: Every finance route: a role without finance rights, or a user of no developer account.
FINANCE_ERRORS: dict[int, list[str]] = {
    403: ["TEAM_ROLE_FORBIDS"],
    404: ["RESOURCE_NOT_FOUND"],
}
METHOD_ERRORS = {**FINANCE_ERRORS, 404: ["PAYOUT_METHOD_NOT_FOUND", "RESOURCE_NOT_FOUND"]}
MethodId = Annotated[uuid.UUID, Path(description="The payout method's id (UUID).")]


def payout_methods_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=f"{prefix}/finance/payout-methods", tags=["finance"])

    @router.post(
        "",
        status_code=201,
        response_model=Document[PayoutMethodAttributes],
        summary="Add a bank account to be paid out to (the first one becomes the default)",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise). The details are checked "
            "as a bank would (ИНН, КПП, БИК and both accounts with their control keys; 400 with "
            "a pointer at the first wrong one), stored encrypted and only ever shown masked. "
            "Payouts are in RUB (422 `UNSUPPORTED_PAYOUT_CURRENCY` otherwise). The account's "
            "first method becomes its default. `Idempotency-Key` is optional."
        ),
        responses=error_responses(
            {
                **FINANCE_ERRORS,
                400: [
                    "INVALID_INN",
                    "KPP_REQUIRED",
                    "INVALID_KPP",
                    "KPP_NOT_ALLOWED",
                    "INVALID_BIK",
                    "INVALID_ACCOUNT_NUMBER",
                    "INVALID_CORRESPONDENT_ACCOUNT",
                    "RECIPIENT_NAME_REQUIRED",
                    "BANK_NAME_REQUIRED",
                ],
                422: ["UNSUPPORTED_PAYOUT_CURRENCY"],
            }
        ),
    )
    async def add_payout_method(
        body: PayoutMethodCreationDocument,
        request: Request,
        user_id: CurrentUserId,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes

        async def add() -> Response:
            async with finance_unit_of_work(infrastructure) as uow:
                method = await payout_use_cases.add_payout_method(
                    uow,
                    user_id,
                    attributes.details(),
                    attributes.currency,
                    infrastructure.clock.now(),
                )
            document = Document(data=payout_method_resource(method, prefix))
            return Response(
                document.model_dump_json(),
                status_code=201,
                media_type="application/json",
                headers={"Location": f"{prefix}/finance/payout-methods/{method.id}"},
            )

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}",
            key=idempotency_key,
            handler=add,
            success_status=201,
        )

    @router.get(
        "",
        response_model=ListDocument[PayoutMethodAttributes],
        summary="The account's payout methods, newest first (masked)",
        description="Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise).",
        responses=error_responses(FINANCE_ERRORS),
    )
    async def list_payout_methods(user_id: CurrentUserId) -> ListDocument[PayoutMethodAttributes]:
        async with finance_unit_of_work(infrastructure) as uow:
            methods = await payout_use_cases.payout_methods_of_member(uow, user_id)
        return ListDocument(
            data=[payout_method_resource(method, prefix) for method in methods],
            links={"self": f"{prefix}/finance/payout-methods"},
        )

    @router.get(
        "/{method_id}",
        response_model=Document[PayoutMethodAttributes],
        summary="One payout method (masked)",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise); another account's or a "
            "deleted method is 404 `PAYOUT_METHOD_NOT_FOUND`."
        ),
        responses=error_responses(METHOD_ERRORS),
    )
    async def get_payout_method(
        method_id: MethodId, user_id: CurrentUserId
    ) -> Document[PayoutMethodAttributes]:
        async with finance_unit_of_work(infrastructure) as uow:
            method = await payout_use_cases.payout_method_of_member(uow, user_id, method_id)
        return Document(data=payout_method_resource(method, prefix))

    @router.post(
        "/{method_id}/default",
        response_model=Document[PayoutMethodAttributes],
        summary="Make this the method payouts go to when none is named",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise); the previous default "
            "stops being one. Doing it twice changes nothing. Another account's or a deleted "
            "method is 404 `PAYOUT_METHOD_NOT_FOUND`."
        ),
        responses=error_responses(METHOD_ERRORS),
    )
    async def make_default(
        method_id: MethodId, user_id: CurrentUserId
    ) -> Document[PayoutMethodAttributes]:
        async with finance_unit_of_work(infrastructure) as uow:
            method = await payout_use_cases.make_default_payout_method(uow, user_id, method_id)
        return Document(data=payout_method_resource(method, prefix))

    @router.delete(
        "/{method_id}",
        status_code=204,
        summary="Delete a payout method (not while a payout to it is in progress)",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise). A method a payout in "
            "progress goes to is kept (409 `PAYOUT_METHOD_IN_USE`); deleting the default makes "
            "the newest remaining method the default. Another account's or a deleted method is "
            "404 `PAYOUT_METHOD_NOT_FOUND`."
        ),
        responses=error_responses({**METHOD_ERRORS, 409: ["PAYOUT_METHOD_IN_USE"]}),
    )
    async def delete_payout_method(method_id: MethodId, user_id: CurrentUserId) -> Response:
        async with finance_unit_of_work(infrastructure) as uow:
            await payout_use_cases.delete_payout_method(uow, user_id, method_id)
        return Response(status_code=204)

    return router
