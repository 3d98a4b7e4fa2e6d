"""`/games`: draft a product, list and read the developer's products, change their store
attributes, unpublish and archive them. Localized metadata: ``metadata_api.py``.

Reads answer with the document itself (``Response``), not a model FastAPI validates again."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.http.paging import PageRequest, page_query
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel

from parovoz_developer_portal.fields import GameId
from parovoz_developer_portal.games import service as use_cases
from parovoz_developer_portal.games.metadata_api import metadata_routes
from parovoz_developer_portal.games.rules import GameRules
from parovoz_developer_portal.games.schemas import (
    UNPUBLICATION_EXAMPLE,
    FilterValues,
    GameChangeDocument,
    GameDetailAttributes,
    GameListDocument,
    ProductCreationDocument,
    TextFilter,
    UnpublicationDocument,
    game_document,
    game_filter,
    game_list_json,
)
from parovoz_developer_portal.schemas import Document, created
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

_WRITE_ERRORS: dict[int, list[str]] = {
    403: ["TEAM_ROLE_FORBIDS"],
    404: ["RESOURCE_NOT_FOUND"],
}


def json_response(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(), status_code=status_code, media_type="application/json"
    )


def games_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: GameRules = infrastructure.settings.game_rules()
    router = APIRouter(prefix=f"{prefix}/games", tags=["games"])

    @router.post(
        "",
        status_code=201,
        response_model=Document[GameDetailAttributes],
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
            document = game_document(use_cases.GameView(game, ()), prefix)
            return created(document)

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}",
            key=idempotency_key,
            handler=create,
            success_status=201,
        )

    @router.get(
        "",
        response_model=GameListDocument,
        summary="The caller's account's products, newest first, a page at a time",
        description=(
            "Any member of the account. Filters: `filter[status]` and `filter[type]` (one value "
            "or several, comma-separated; an unknown one is 400 `INVALID_FILTER`), `filter[q]` "
            "(part of the title or of a localized title, any case). Pages: `page[size]` "
            f"(1-{rules.max_page_size}, default {rules.default_page_size}); `links.next` is "
            "the next page (null on the last), stable while games are added; a `page[cursor]` "
            "not taken from a `links.next` is 400 `INVALID_PAGE_CURSOR`."
        ),
        responses=error_responses(
            {400: ["INVALID_FILTER", "INVALID_PAGE_CURSOR"], 404: ["RESOURCE_NOT_FOUND"]}
        ),
    )
    async def list_games(
        user_id: CurrentUserId,
        paging: Annotated[
            PageRequest, Depends(page_query("Games", rules.default_page_size, rules.max_page_size))
        ],
        status: Annotated[
            FilterValues | None,
            Query(alias="filter[status]", description="Statuses, comma-separated."),
        ] = None,
        product_type: Annotated[
            FilterValues | None,
            Query(alias="filter[type]", description="`game`, `dlc`, `software`, comma-separated."),
        ] = None,
        text: Annotated[
            TextFilter | None,
            Query(alias="filter[q]", description="Part of a title, any case (1-255 characters)."),
        ] = None,
    ) -> Response:
        chosen = game_filter(status, product_type, text)
        async with portal_unit_of_work(infrastructure) as uow:
            page = await use_cases.list_games(uow, user_id, chosen, paging.cursor, paging.size)
        url = f"{prefix}/games"
        query = {
            name: value
            for name, value in (
                ("filter[status]", status),
                ("filter[type]", product_type),
                ("filter[q]", text),
                ("page[size]", str(paging.size)),
            )
            if value is not None
        }
        next_link = None
        if page.next_cursor:
            next_link = f"{url}?{urlencode({**query, 'page[cursor]': page.next_cursor})}"
        links = {"self": f"{url}?{urlencode(query)}", "next": next_link}
        return Response(game_list_json(page.games, links, prefix), media_type="application/json")

    @router.get(
        "/{game_id}",
        response_model=Document[GameDetailAttributes],
        summary="A product of the caller's developer account (others' are 404)",
        description=(
            "Any member of the developer account may read its products: attributes, store "
            "attributes, the languages it has texts in, and links to its metadata, prices, "
            "media, versions and releases. Another developer's product, or one that does not "
            "exist, is 404 `RESOURCE_NOT_FOUND`."
        ),
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def get_game(game_id: GameId, user_id: CurrentUserId) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            view = await use_cases.view_game(uow, user_id, game_id)
        return json_response(game_document(view, prefix))

    @router.patch(
        "/{game_id}",
        response_model=Document[GameDetailAttributes],
        summary="Change a product's title or store attributes (age rating, regions, date)",
        description=(
            "Owner, admin or editor. Only the attributes sent change. A title in use is 409 "
            "`RESOURCE_ALREADY_EXISTS`; an unknown region 400 `INVALID_REGION`; an archived "
            "game 422 `GAME_ARCHIVED`. A change emits `developer.game.metadata.updated.v1`."
        ),
        responses=error_responses(
            {
                **_WRITE_ERRORS,
                400: ["INVALID_REGION"],
                409: ["RESOURCE_ALREADY_EXISTS"],
                422: ["GAME_ARCHIVED"],
            }
        ),
    )
    async def change_game(
        game_id: GameId, body: GameChangeDocument, user_id: CurrentUserId
    ) -> Response:
        changes = body.data.attributes.changes()
        async with portal_unit_of_work(infrastructure) as uow:
            view = await use_cases.change_game_attributes(
                uow, user_id, game_id, **changes, now=infrastructure.clock.now()
            )
        return json_response(game_document(view, prefix))

    @router.post(
        "/{game_id}/unpublish",
        response_model=Document[GameDetailAttributes],
        summary="Take a published product off the store",
        description=(
            "Owner, admin or editor. Only a `published` product (422 `GAME_STATE_CONFLICT` "
            "otherwise); it becomes `unpublished` and can be published again. Emits "
            "`developer.game.unpublished.v1` with the optional reason."
        ),
        responses=error_responses({**_WRITE_ERRORS, 422: ["GAME_STATE_CONFLICT"]}),
    )
    async def unpublish(
        game_id: GameId,
        user_id: CurrentUserId,
        body: Annotated[
            UnpublicationDocument | None,
            Body(
                description="Optional: why the game leaves the store.",
                examples=[UNPUBLICATION_EXAMPLE],
            ),
        ] = None,
    ) -> Response:
        reason = body.data.attributes.reason if body else None
        async with portal_unit_of_work(infrastructure) as uow:
            view = await use_cases.unpublish(
                uow, user_id, game_id, reason, infrastructure.clock.now()
            )
        return json_response(game_document(view, prefix))

    @router.post(
        "/{game_id}/archive",
        response_model=Document[GameDetailAttributes],
        summary="Archive a product for good",
        description=(
            "Owner, admin or editor. Any status but `archived` (422 `GAME_STATE_CONFLICT`); "
            "final: an archived product no longer changes. A published one leaves the store "
            "(`developer.game.unpublished.v1`)."
        ),
        responses=error_responses({**_WRITE_ERRORS, 422: ["GAME_STATE_CONFLICT"]}),
    )
    async def archive(game_id: GameId, user_id: CurrentUserId) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            view = await use_cases.archive(uow, user_id, game_id, infrastructure.clock.now())
        return json_response(game_document(view, prefix))

    metadata_routes(router, infrastructure)
    return router
