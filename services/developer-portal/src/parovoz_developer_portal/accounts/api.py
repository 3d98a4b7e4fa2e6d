"""`/accounts`: open a developer account, read the one you belong to."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.accounts import service as use_cases
from parovoz_developer_portal.accounts.domain import AccountApplication
from parovoz_developer_portal.schemas import (
    AccountAttributes,
    AccountCreationDocument,
    Document,
    account_document,
)
from parovoz_developer_portal.unit_of_work import portal_unit_of_work


def accounts_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=f"{prefix}/accounts", tags=["accounts"])

    @router.post(
        "",
        status_code=201,
        response_model=Document[AccountAttributes],
        summary="Open a developer account; the caller becomes its owner",
        description=(
            "Registers the caller's company (or themselves as ИП or самозанятый) as a developer "
            "on Parovoz. The account starts `pending_verification` on the greenlight track; the "
            "caller becomes its `owner`. A user belongs to one account: a second one is 409 "
            "`RESOURCE_ALREADY_EXISTS`. The ИНН is checked (400 `INVALID_TAX_ID`); a Russian "
            "legal form registers in RU and a foreign company outside it (422 "
            "`COUNTRY_MISMATCH`). `Idempotency-Key` is optional: a retry with the same key "
            "gets the first answer."
        ),
        responses=error_responses(
            {
                400: ["INVALID_TAX_ID"],
                409: ["RESOURCE_ALREADY_EXISTS"],
                422: ["COUNTRY_MISMATCH"],
            }
        ),
    )
    async def create_account(
        body: AccountCreationDocument,
        request: Request,
        user_id: CurrentUserId,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes
        application = AccountApplication(**attributes.model_dump())

        async def register() -> Document[AccountAttributes]:
            async with portal_unit_of_work(infrastructure) as uow:
                member = await use_cases.register_account(
                    uow, application, user_id, infrastructure.clock.now()
                )
            return account_document(member.account, member.role, prefix)

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}",
            key=idempotency_key,
            handler=register,
            success_status=201,
        )

    @router.get(
        "/me",
        response_model=Document[AccountAttributes],
        summary="The developer account the caller belongs to, with the caller's role",
        description=(
            "Any member of the team may read it. A user who belongs to no account gets 404 "
            "`RESOURCE_NOT_FOUND`."
        ),
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def my_account(user_id: CurrentUserId) -> Document[AccountAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            membership = await use_cases.my_membership(uow, user_id)
        return account_document(membership.account, membership.role, prefix)

    return router
