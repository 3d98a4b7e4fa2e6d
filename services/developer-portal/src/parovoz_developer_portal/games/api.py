"""`/games`: draft a product, read one of your developer's products."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.games import service as use_cases
from parovoz_developer_portal.schemas import (
    Document,
    GameAttributes,
    ProductCreationDocument,
    game_document,
)
from parovoz_developer_portal.unit_of_work import portal_unit_of_work


def games_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=f"{prefix}/games", tags=["games"])

    @router.post(
        "",
        status_code=201,
        response_model=Document[GameAttributes],
        summary="Create a game, DLC or software product (a draft)",
        description=(
            "Owner, admin or editor of the caller's developer account (403 `TEAM_ROLE_FORBIDS` "
            "otherwise). The product starts as a `draft`; its page is in `Location`. A DLC names "
            "the developer's game it extends (`parent_game_id`, 400 `DLC_PARENT_REQUIRED` "
            "without it or on another type, 422 `INVALID_PARENT_GAME` for any id that is not "
            "one of the developer's games: unknown, another developer's or a DLC, alike). A "
            "title the developer already uses is 409 `RESOURCE_ALREADY_EXISTS`; a suspended "
            "account is 422 `ACCOUNT_SUSPENDED`. `Idempotency-Key` is optional."
        ),
        responses=error_responses(
            {
                400: ["DLC_PARENT_REQUIRED"],
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                409: ["RESOURCE_ALREADY_EXISTS"],
                422: ["INVALID_PARENT_GAME", "ACCOUNT_SUSPENDED"],
            }
        ),
    )
    async def create_game(
        body: ProductCreationDocument,
        request: Request,
        user_id: CurrentUserId,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes

        async def create() -> Response:
            async with portal_unit_of_work(infrastructure) as uow:
                game = await use_cases.create_game(
                    uow,
                    user_id,
                    attributes.title,
                    attributes.product_type,
                    attributes.parent_game_id,
                    infrastructure.clock.now(),
                )
            document = game_document(game, prefix)
            return Response(
                document.model_dump_json(),
                status_code=201,
                media_type="application/json",
                headers={"Location": document.data.links["self"]},
            )

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}",
            key=idempotency_key,
            handler=create,
            success_status=201,
        )

    @router.get(
        "/{game_id}",
        response_model=Document[GameAttributes],
        summary="A product of the caller's developer account (others' are 404)",
        description=(
            "Any member of the developer account may read its products; another developer's "
            "product, or one that does not exist, is 404 `RESOURCE_NOT_FOUND`."
        ),
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def get_game(
        game_id: Annotated[uuid.UUID, Path(description="The product's id (UUID).")],
        user_id: CurrentUserId,
    ) -> Document[GameAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            game = await use_cases.game_for_member(uow, user_id, game_id)
        return game_document(game, prefix)

    return router
