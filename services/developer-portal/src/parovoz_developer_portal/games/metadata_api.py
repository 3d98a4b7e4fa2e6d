"""`/games/{game_id}/metadata[/{language_code}]`: a game's store texts per language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.fields import Text
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.fields import GameId
from parovoz_developer_portal.games import service as use_cases
from parovoz_developer_portal.games.domain import REQUIRED_LOCALE
from parovoz_developer_portal.games.domain import language_code as canonical_language
from parovoz_developer_portal.games.metadata_schemas import (
    MetadataDocument,
    MetadataDocumentOut,
    MetadataListDocument,
    metadata_document_json,
    metadata_resource,
)
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

#: Checked for its form by the domain (``language_code``): 400 ``INVALID_LANGUAGE_CODE``.
LanguageCode = Annotated[
    str,
    Text(64, min_length=1),
    Path(description="BCP 47 language tag, e.g. `ru-RU`, `en-US` (any case; kept canonical)."),
]


def _json(document: MetadataDocumentOut | MetadataListDocument, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(), status_code=status_code, media_type="application/json"
    )


def metadata_routes(router: APIRouter, infrastructure: Infrastructure) -> None:
    prefix = infrastructure.settings.api_prefix

    @router.get(
        "/{game_id}/metadata",
        response_model=MetadataListDocument,
        summary="A product's store texts in every language it has",
        description="Any member of the account; another account's product is 404.",
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def list_metadata(game_id: GameId, user_id: CurrentUserId) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            locales = await use_cases.metadata_of_game(uow, user_id, game_id)
        url = f"{prefix}/games/{game_id}"
        return _json(
            MetadataListDocument(
                data=[metadata_resource(locale, prefix) for locale in locales],
                links={"self": f"{url}/metadata", "game": url},
            )
        )

    @router.get(
        "/{game_id}/metadata/{language_code}",
        response_model=MetadataDocumentOut,
        summary="A product's store texts in one language",
        description=(
            "Any member of the account. A language the product has no texts in is 404 "
            "`RESOURCE_NOT_FOUND`; a malformed tag 400 `INVALID_LANGUAGE_CODE`."
        ),
        responses=error_responses({400: ["INVALID_LANGUAGE_CODE"], 404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def get_metadata(
        game_id: GameId, language_code: LanguageCode, user_id: CurrentUserId
    ) -> Response:
        tag = canonical_language(language_code)
        async with portal_unit_of_work(infrastructure) as uow:
            locale = await use_cases.metadata_in(uow, user_id, game_id, tag)
        return Response(metadata_document_json(locale, prefix), media_type="application/json")

    @router.put(
        "/{game_id}/metadata/{language_code}",
        response_model=MetadataDocumentOut,
        status_code=200,
        summary="Create or replace a product's store texts in one language",
        description=(
            f"Owner, admin or editor. `{REQUIRED_LOCALE}` is the language publication needs; "
            "others are optional. 201 when the language is new, 200 when replaced (the same "
            "texts again change nothing). A change emits `developer.game.metadata.updated.v1` "
            "(the full current state). An archived game is 422 `GAME_ARCHIVED`; a malformed "
            "tag 400 `INVALID_LANGUAGE_CODE`."
        ),
        responses={
            **error_responses(
                {
                    400: ["INVALID_LANGUAGE_CODE"],
                    403: ["TEAM_ROLE_FORBIDS"],
                    404: ["RESOURCE_NOT_FOUND"],
                    422: ["GAME_ARCHIVED"],
                }
            ),
            201: {"description": "The language was new.", "model": MetadataDocumentOut},
        },
    )
    async def put_metadata(
        game_id: GameId,
        language_code: LanguageCode,
        body: MetadataDocument,
        user_id: CurrentUserId,
    ) -> Response:
        tag = canonical_language(language_code)
        attributes = body.data.attributes
        requirements = attributes.system_requirements
        async with portal_unit_of_work(infrastructure) as uow:
            locale, created = await use_cases.put_metadata(
                uow,
                user_id,
                game_id,
                tag,
                title=attributes.title,
                short_description=attributes.short_description,
                full_description=attributes.full_description,
                tags=attributes.tags,
                genres=attributes.genres,
                system_requirements=requirements.to_domain() if requirements else {},
                now=infrastructure.clock.now(),
            )
        return Response(
            metadata_document_json(locale, prefix),
            status_code=201 if created else 200,
            media_type="application/json",
        )

    @router.delete(
        "/{game_id}/metadata/{language_code}",
        status_code=204,
        summary="Remove a product's store texts in one language",
        description=(
            f"Owner, admin or editor. A published game keeps its `{REQUIRED_LOCALE}` texts "
            "(422 `REQUIRED_LOCALE_IN_USE`); an archived game is 422 `GAME_ARCHIVED`. Emits "
            "`developer.game.metadata.updated.v1`."
        ),
        responses=error_responses(
            {
                400: ["INVALID_LANGUAGE_CODE"],
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                422: ["GAME_ARCHIVED", "REQUIRED_LOCALE_IN_USE"],
            }
        ),
    )
    async def delete_metadata(
        game_id: GameId,
        language_code: LanguageCode,
        user_id: CurrentUserId,
    ) -> Response:
        tag = canonical_language(language_code)
        async with portal_unit_of_work(infrastructure) as uow:
            await use_cases.remove_metadata(uow, user_id, game_id, tag, infrastructure.clock.now())
        return Response(status_code=204)
