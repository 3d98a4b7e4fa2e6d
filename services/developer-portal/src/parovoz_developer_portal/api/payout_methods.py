"""`/finance/payout-methods`: the bank accounts a developer is paid out to.

Details come in whole (validated: ИНН, КПП, БИК, accounts with their control keys) and are
only ever shown masked; owner, admin and finance may manage them, others get 403.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.api.finance_schemas import (
    Document,
    ListDocument,
    PayoutMethodAttributes,
    PayoutMethodCreationDocument,
    payout_method_resource,
)
from parovoz_developer_portal.db.finance_unit_of_work import finance_unit_of_work
from parovoz_developer_portal.domain import payout_use_cases


def payout_methods_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=f"{prefix}/finance/payout-methods", tags=["finance"])

    @router.post(
        "",
        status_code=201,
        response_model=Document[PayoutMethodAttributes],
        summary="Add a bank account to be paid out to (the first one becomes the default)",
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
    )
    async def get_payout_method(
        method_id: uuid.UUID, user_id: CurrentUserId
    ) -> Document[PayoutMethodAttributes]:
        async with finance_unit_of_work(infrastructure) as uow:
            method = await payout_use_cases.payout_method_of_member(uow, user_id, method_id)
        return Document(data=payout_method_resource(method, prefix))

    @router.post(
        "/{method_id}/default",
        response_model=Document[PayoutMethodAttributes],
        summary="Make this the method payouts go to when none is named",
    )
    async def make_default(
        method_id: uuid.UUID, user_id: CurrentUserId
    ) -> Document[PayoutMethodAttributes]:
        async with finance_unit_of_work(infrastructure) as uow:
            method = await payout_use_cases.make_default_payout_method(uow, user_id, method_id)
        return Document(data=payout_method_resource(method, prefix))

    @router.delete(
        "/{method_id}",
        status_code=204,
        summary="Delete a payout method (not while a payout to it is in progress)",
    )
    async def delete_payout_method(method_id: uuid.UUID, user_id: CurrentUserId) -> Response:
        async with finance_unit_of_work(infrastructure) as uow:
            await payout_use_cases.delete_payout_method(uow, user_id, method_id)
        return Response(status_code=204)

    return router
