"""`/games/{game_id}/media`: screenshots, trailers and capsules of a game, per locale.

Files go straight to the media bucket with pre-signed URLs (no media byte passes through
here): ask for an upload URL, PUT the file to it, then say it is complete; the service checks
the stored object itself. Parse -> one use case (``media.service``) -> document.
"""

from __future__ import annotations

import uuid
from typing import Annotated, cast

from fastapi import APIRouter, Path, Query, Request, Response
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.fields import GameId
from parovoz_developer_portal.media import service as use_cases
from parovoz_developer_portal.media.domain import MediaStatus, MediaType
from parovoz_developer_portal.media.ports import MediaObjects
from parovoz_developer_portal.media.repository import LANGUAGE_CODE_COLUMN
from parovoz_developer_portal.media.schemas import (
    MediaAttributes,
    MediaListDocument,
    MediaOrderDocument,
    MediaUploadAttributes,
    MediaUploadRequestDocument,
    media_document,
    media_list_document,
    upload_document,
)
from parovoz_developer_portal.schemas import Document, created
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.team.api import CurrentMember
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

MediaId = Annotated[uuid.UUID, Path(description="The media's id (UUID), from its upload URL.")]
_NOT_FOUND = {404: ["RESOURCE_NOT_FOUND", "MEDIA_NOT_FOUND"]}
_FORBIDDEN = {403: ["TEAM_ROLE_FORBIDS"]}


def media_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules = cast(DeveloperPortalSettings, infrastructure.settings).media_rules()
    router = APIRouter(prefix=f"{prefix}/games", tags=["media"])
    max_mb = rules.max_file_bytes // 1024**2

    def objects() -> MediaObjects:
        return infrastructure.storage()

    @router.post(
        "/{game_id}/media/upload-url",
        status_code=201,
        response_model=Document[MediaUploadAttributes],
        summary="Start a media upload: a pre-signed PUT URL (owner, admin or editor)",
        description=(
            "Creates a `pending_upload` media (screenshot, trailer or capsule of one locale) and "
            "answers the URL to PUT its file to, straight to the media bucket, with the headers "
            "to send (`Content-Type`) and how long the URL lives. Screenshots and capsules are "
            "`image/jpeg` or `image/png`, trailers `video/mp4` (422 "
            "`UNSUPPORTED_MEDIA_CONTENT_TYPE`); a file over "
            f"{rules.max_file_bytes} bytes ({max_mb} MiB) is 413 `FILE_TOO_LARGE`. An archived "
            "game takes no media (422 `MEDIA_GAME_ARCHIVED`), nor does a suspended account "
            "(422 `ACCOUNT_SUSPENDED`). Then call `upload-complete`. Another account's game is "
            "404; viewer and finance get 403. `Idempotency-Key` is optional."
        ),
        responses=error_responses(
            {
                400: ["INVALID_LANGUAGE_CODE"],
                **_FORBIDDEN,
                404: ["RESOURCE_NOT_FOUND"],
                413: ["FILE_TOO_LARGE"],
                422: ["UNSUPPORTED_MEDIA_CONTENT_TYPE", "MEDIA_GAME_ARCHIVED", "ACCOUNT_SUSPENDED"],
            }
        ),
    )
    async def start_upload(
        game_id: GameId,
        body: MediaUploadRequestDocument,
        request: Request,
        actor: CurrentMember,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes

        async def start() -> Response:
            async with portal_unit_of_work(infrastructure) as uow:
                upload = await use_cases.start_media_upload(
                    uow,
                    objects(),
                    rules,
                    actor,
                    game_id,
                    attributes.media_type,
                    attributes.language_code,
                    attributes.file_name,
                    attributes.content_type,
                    attributes.file_size_bytes,
                    infrastructure.clock.now(),
                )
            document = upload_document(upload, prefix)
            return created(document)

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{actor.user_id}",
            key=idempotency_key,
            handler=start,
            success_status=201,
        )

    @router.post(
        "/{game_id}/media/{media_id}/upload-complete",
        response_model=Document[MediaAttributes],
        summary="Finish a media upload: the stored file is checked (owner, admin or editor)",
        description=(
            "The service reads the stored object back (never the client's word): its size "
            "(HEAD) must equal the declared size and be within the limit, and its first bytes "
            "(JPEG `FF D8 FF`, PNG `89 50 4E 47 0D 0A 1A 0A`, MP4 `ftyp` at offset 4) must be "
            "the declared type. Good: the media is `ready`, last in its list (game, locale, "
            "media type). Bad: 422 with the reason (`MEDIA_SIZE_MISMATCH`, "
            "`STORED_FILE_TOO_LARGE`, `MEDIA_CONTENT_UNRECOGNIZED`, "
            "`MEDIA_CONTENT_TYPE_MISMATCH`); the object is deleted and the media stays "
            "`rejected` with its reason. Nothing stored yet: 422 `MEDIA_NOT_UPLOADED`, nothing "
            "changes (upload, then complete again). A ready media is answered as it is; a "
            "rejected one is 422 `MEDIA_ALREADY_REJECTED`."
        ),
        responses=error_responses(
            {
                **_FORBIDDEN,
                **_NOT_FOUND,
                422: [
                    "MEDIA_NOT_UPLOADED",
                    "MEDIA_SIZE_MISMATCH",
                    "STORED_FILE_TOO_LARGE",
                    "MEDIA_CONTENT_UNRECOGNIZED",
                    "MEDIA_CONTENT_TYPE_MISMATCH",
                    "MEDIA_ALREADY_REJECTED",
                    "MEDIA_GAME_ARCHIVED",
                ],
            }
        ),
    )
    async def complete_upload(
        game_id: GameId, media_id: MediaId, actor: CurrentMember
    ) -> Document[MediaAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            shown = await use_cases.complete_media_upload(
                uow, objects(), rules, actor, game_id, media_id, infrastructure.clock.now()
            )
        return media_document(shown, prefix)

    @router.get(
        "/{game_id}/media",
        response_model=MediaListDocument,
        summary="A game's media, in order, with display URLs (any member)",
        description=(
            "Ready media by default, ordered by locale, media type, then position, each with a "
            "short-lived pre-signed GET `url`. `filter[status]` shows `pending_upload` or "
            "`rejected` ones instead (with their rejection reasons, no URL). Another account's "
            "game is 404."
        ),
        responses=error_responses({400: ["INVALID_LANGUAGE_CODE"], 404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def list_media(
        game_id: GameId,
        actor: CurrentMember,
        language_code: Annotated[
            str | None,
            Query(
                alias="filter[language_code]",
                description="Only this locale's media, e.g. `ru-RU` (a BCP 47 tag).",
                max_length=LANGUAGE_CODE_COLUMN,
            ),
        ] = None,
        media_type: Annotated[
            MediaType | None,
            Query(
                alias="filter[media_type]",
                description="Only `screenshot`, `trailer` or `capsule` media.",
            ),
        ] = None,
        status: Annotated[
            MediaStatus,
            Query(
                alias="filter[status]",
                description="`ready` (the default), `pending_upload` or `rejected`.",
            ),
        ] = MediaStatus.READY,
    ) -> MediaListDocument:
        async with portal_unit_of_work(infrastructure) as uow:
            shown = await use_cases.game_media(
                uow, objects(), rules, actor, game_id, language_code, media_type, status
            )
        return media_list_document(shown, game_id, prefix)

    @router.get(
        "/{game_id}/media/{media_id}",
        response_model=Document[MediaAttributes],
        summary="One media of a game (any member)",
        description=(
            "With a short-lived display `url` when ready; a rejected one shows its reason. "
            "Another account's game or media, or an unknown id, is 404."
        ),
        responses=error_responses(_NOT_FOUND),
    )
    async def get_media(
        game_id: GameId, media_id: MediaId, actor: CurrentMember
    ) -> Document[MediaAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            shown = await use_cases.one_media(uow, objects(), rules, actor, game_id, media_id)
        return media_document(shown, prefix)

    @router.put(
        "/{game_id}/media/order",
        response_model=MediaListDocument,
        summary="Reorder one list of ready media (owner, admin or editor)",
        description=(
            "`media_ids` names every ready media of the list (game, `language_code`, "
            "`media_type`) exactly once, in the new order; anything else (a missing, unknown, "
            "not ready or repeated id) is 422 `MEDIA_ORDER_MISMATCH` and nothing moves. "
            "Answers the list in its new order."
        ),
        responses=error_responses(
            {
                400: ["INVALID_LANGUAGE_CODE"],
                **_FORBIDDEN,
                404: ["RESOURCE_NOT_FOUND"],
                422: ["MEDIA_ORDER_MISMATCH"],
            }
        ),
    )
    async def reorder(
        game_id: GameId, body: MediaOrderDocument, actor: CurrentMember
    ) -> MediaListDocument:
        attributes = body.data.attributes
        async with portal_unit_of_work(infrastructure) as uow:
            shown = await use_cases.reorder_media(
                uow,
                objects(),
                rules,
                actor,
                game_id,
                attributes.language_code,
                attributes.media_type,
                list(attributes.media_ids),
                infrastructure.clock.now(),
            )
        return media_list_document(shown, game_id, prefix)

    @router.delete(
        "/{game_id}/media/{media_id}",
        status_code=204,
        summary="Delete a media: its file and its row (owner, admin or editor)",
        description=(
            "The stored file is deleted from the bucket and the media is gone; the ones after "
            "it in its list move up. Any status may be deleted. Another account's game or "
            "media is 404."
        ),
        responses=error_responses({**_FORBIDDEN, **_NOT_FOUND}),
    )
    async def delete(game_id: GameId, media_id: MediaId, actor: CurrentMember) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            await use_cases.delete_media(
                uow, objects(), rules, actor, game_id, media_id, infrastructure.clock.now()
            )
        return Response(status_code=204)

    return router
