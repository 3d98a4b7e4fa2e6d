"""releases: REST routes (parse -> one use case -> document).

- ``POST /games/{game_id}/publish``: an approved version goes live (or 422 listing every
  missing need, one error object each);
- ``POST /games/{game_id}/rollback``: an earlier live version is live again;
- ``GET /games/{game_id}/releases``: the history of publications and rollbacks.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Body, Request, Response
from parovoz_kit.http.fields import RequestModel, Text
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_developer_portal.fields import GameId
from parovoz_developer_portal.releases import service as use_cases
from parovoz_developer_portal.releases.domain import Release
from parovoz_developer_portal.releases.repository import REASON_COLUMN
from parovoz_developer_portal.schemas import Document, Resource
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.team.api import CurrentMember
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

#: One error object per missing need of the publication list.
PUBLICATION_NEEDS = [
    "NO_APPROVED_VERSION",
    "NO_VERIFIED_BUILD",
    "METADATA_LOCALE_MISSING",
    "NOT_ENOUGH_SCREENSHOTS",
    "PRICE_MISSING",
]


# --- requests ---------------------------------------------------------------------------------
PUBLICATION_EXAMPLE = {"data": {"type": "gamePublication", "attributes": {}}}
ROLLBACK_EXAMPLE = {
    "data": {
        "type": "gameRollback",
        "attributes": {
            "version_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "reason": "Сохранения не загружаются в 1.0.1",
        },
    }
}


class PublicationAttributes(RequestModel):
    version_id: uuid.UUID | None = Field(
        default=None,
        description="The approved version to publish; the newest approved one when left out.",
    )


class PublicationData(RequestModel):
    type: Literal["gamePublication"] = Field(description="Always `gamePublication`.")
    attributes: PublicationAttributes = Field(description="What to publish.")


class PublicationDocument(RequestModel):
    data: PublicationData = Field(description="The publication.")


class RollbackAttributes(RequestModel):
    version_id: uuid.UUID = Field(
        description="The earlier version to make live again (it was live: `deprecated`)."
    )
    reason: Annotated[str, Text(REASON_COLUMN)] | None = Field(
        default=None,
        description=f"Why, shown in the history and to the store; up to {REASON_COLUMN} "
        "characters.",
    )


class RollbackData(RequestModel):
    type: Literal["gameRollback"] = Field(description="Always `gameRollback`.")
    attributes: RollbackAttributes = Field(description="Where to roll back to.")


class RollbackDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ROLLBACK_EXAMPLE]})

    data: RollbackData = Field(description="The rollback.")


# --- responses --------------------------------------------------------------------------------
class ReleaseAttributes(BaseModel):
    kind: Literal["publication", "rollback"] = Field(description="What changed the live version.")
    game_id: uuid.UUID = Field(description="The game.")
    from_version_id: uuid.UUID | None = Field(
        description="The version live before; null on the game's first publication."
    )
    to_version_id: uuid.UUID = Field(description="The version live after.")
    by_user_id: uuid.UUID = Field(description="The team member who did it.")
    reason: str | None = Field(description="A rollback's reason, as written; else null.")
    released_at: datetime = Field(description="When it happened.")


class ReleaseList(BaseModel):
    data: list[Resource[ReleaseAttributes]] = Field(description="Releases, newest first.")


def _resource(release: Release, prefix: str) -> Resource[ReleaseAttributes]:
    return Resource(
        type="release",
        id=release.id,
        attributes=ReleaseAttributes(
            kind=release.kind.value,
            game_id=release.game_id,
            from_version_id=release.from_version_id,
            to_version_id=release.to_version_id,
            by_user_id=release.by_user_id,
            reason=release.reason,
            released_at=release.released_at,
        ),
        links={"self": f"{prefix}/games/{release.game_id}/releases"},
    )


def _answer(release: Release, prefix: str) -> Response:
    document = Document(data=_resource(release, prefix))
    return Response(document.model_dump_json(), media_type="application/json")


def releases_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules = cast(DeveloperPortalSettings, infrastructure.settings).publication_rules()
    router = APIRouter(prefix=f"{prefix}/games", tags=["releases"])

    @router.post(
        "/{game_id}/publish",
        response_model=Document[ReleaseAttributes],
        summary="Publish a game: an approved version goes live (owner, admin or editor)",
        description=(
            "Publication needs an approved version with a verified build (the one named by "
            f"`version_id`, else the newest approved), metadata in {rules.required_locale}, at "
            f"least {rules.min_screenshots} screenshots and a price (or free). When anything "
            "is missing the answer is 422 with ONE ERROR OBJECT PER MISSING NEED ("
            + ", ".join(f"`{code}`" for code in PUBLICATION_NEEDS)
            + "), so everything can be fixed at once. Published: the version is `live`, the "
            "version live before is `deprecated`, the game `published`; "
            "`developer.game.published.v1` is emitted. The body is optional. An archived or "
            "rejected game is 422 `GAME_STATE_CONFLICT`; a `version_id` not of this game 404. "
            "Another account's game is 404; viewer and finance get 403. `Idempotency-Key` is "
            "optional."
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                422: [*PUBLICATION_NEEDS, "GAME_STATE_CONFLICT", "VERSION_STATE_CONFLICT"],
            }
        ),
    )
    async def publish(
        game_id: GameId,
        request: Request,
        actor: CurrentMember,
        idempotency_key: OptionalIdempotencyKey,
        body: Annotated[
            PublicationDocument | None,
            Body(
                description="Optional: the version to publish (the newest approved by default).",
                examples=[PUBLICATION_EXAMPLE],
            ),
        ] = None,
    ) -> Response:
        version_id = body.data.attributes.version_id if body else None

        async def publish_it() -> Response:
            async with portal_unit_of_work(infrastructure) as uow:
                release = await use_cases.publish_game(
                    uow, actor, game_id, version_id, rules, infrastructure.clock.now()
                )
            return _answer(release, prefix)

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{actor.user_id}",
            key=idempotency_key,
            handler=publish_it,
        )

    @router.post(
        "/{game_id}/rollback",
        response_model=Document[ReleaseAttributes],
        summary="Roll a published game back to an earlier live version (owner, admin, editor)",
        description=(
            "`version_id` names a version that was live before (`deprecated`; another status "
            "is 422 `ROLLBACK_TARGET_INVALID`, a version not of this game 404). It is live "
            "again and the current live version `deprecated`; the game stays published (a game "
            "not published is 422 `GAME_NOT_PUBLISHED`). Emits `developer.game.rolled_back.v1` "
            "with the optional `reason`. Another account's game is 404; viewer and finance get "
            "403. `Idempotency-Key` is optional."
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                422: ["ROLLBACK_TARGET_INVALID", "GAME_NOT_PUBLISHED", "VERSION_STATE_CONFLICT"],
            }
        ),
    )
    async def rollback(
        game_id: GameId,
        body: RollbackDocument,
        request: Request,
        actor: CurrentMember,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes

        async def roll_back() -> Response:
            async with portal_unit_of_work(infrastructure) as uow:
                release = await use_cases.roll_back_game(
                    uow,
                    actor,
                    game_id,
                    attributes.version_id,
                    attributes.reason,
                    infrastructure.clock.now(),
                )
            return _answer(release, prefix)

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{actor.user_id}",
            key=idempotency_key,
            handler=roll_back,
        )

    @router.get(
        "/{game_id}/releases",
        response_model=ReleaseList,
        summary="A game's release history: publications and rollbacks, newest first",
        description=(
            "Each change of the live version: a publication or a rollback, who did it, when, "
            "from which version to which (and a rollback's reason). Any member of the account "
            "may read it; another account's game is 404."
        ),
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def releases(game_id: GameId, actor: CurrentMember) -> ReleaseList:
        async with portal_unit_of_work(infrastructure) as uow:
            history = await use_cases.release_history(uow, actor, game_id)
        return ReleaseList(data=[_resource(r, prefix) for r in history])

    return router
