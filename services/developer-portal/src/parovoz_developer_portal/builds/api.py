"""`/games/{game_id}/versions`: versions of a game and the uploads of their build files
(seed 001 §3.1.3), by a team member's token or an API key (``CurrentActor``). Build bytes go
straight to S3 with the pre-signed URLs answered here; none passes through these routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.builds import service as versions
from parovoz_developer_portal.builds import upload_service as uploads
from parovoz_developer_portal.builds.schemas import (
    BuildAttributes,
    CompletionDocument,
    PartUrl,
    PartUrlsAttributesOut,
    PartUrlsDocument,
    PresignedUploadAttributes,
    StoredPartBody,
    StoredPartsAttributes,
    UploadRequestDocument,
    VersionAttributes,
    VersionCreationDocument,
    VersionList,
    build_document,
    build_link,
    version_document,
    version_resource,
)
from parovoz_developer_portal.fields import GameId, VersionId
from parovoz_developer_portal.schemas import Document, Resource, created
from parovoz_developer_portal.team.api import CurrentActor
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

BuildId = Annotated[uuid.UUID, Path(description="The build's id (UUID).")]

_WRITE = "Owner, admin or editor, or an API key (403 `TEAM_ROLE_FORBIDS` otherwise)"
_NOT_FOUND = "another account's game, version or build (or none) is 404 `RESOURCE_NOT_FOUND`"


def builds_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules = infrastructure.settings.build_rules()  # type: ignore[attr-defined]
    router = APIRouter(prefix=f"{prefix}/games/{{game_id}}/versions", tags=["builds"])

    def files() -> uploads.Uploads:
        return uploads.Uploads(infrastructure.storage(), rules)

    def now() -> datetime:
        return infrastructure.clock.now()

    @router.post(
        "",
        status_code=201,
        response_model=Document[VersionAttributes],
        summary="Create a version of a game (before uploading its builds)",
        description=(
            f"{_WRITE}; {_NOT_FOUND}. The version starts `uploading`; its page is in "
            "`Location`. A name the game already has is 409 `RESOURCE_ALREADY_EXISTS`; an "
            "archived game is 422 `GAME_ARCHIVED`. `platforms` (optional) lists the platforms "
            "it targets. `Idempotency-Key` is optional."
        ),
        responses=error_responses(
            {
                400: ["INVALID_LOCALE", "TOO_MANY_LOCALES", "DUPLICATE_PLATFORM"],
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                409: ["RESOURCE_ALREADY_EXISTS"],
                422: ["GAME_ARCHIVED"],
            }
        ),
    )
    async def create_version(
        game_id: GameId,
        body: VersionCreationDocument,
        request: Request,
        actor: CurrentActor,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes

        async def create() -> Response:
            async with portal_unit_of_work(infrastructure) as uow:
                view = await versions.create_version(
                    uow,
                    actor,
                    game_id,
                    attributes.version_name,
                    attributes.changelog,
                    attributes.platforms or [],
                    now(),
                )
            document = version_document(view, prefix)
            return created(document)

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"developer:{actor.developer_id}:{actor.api_key_id or actor.user_id}",
            key=idempotency_key,
            handler=create,
            success_status=201,
        )

    @router.get(
        "",
        response_model=VersionList,
        summary="A game's versions, newest first, with their builds",
        description=f"Any member of the account, or an API key; {_NOT_FOUND}.",
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def list_versions(game_id: GameId, actor: CurrentActor) -> VersionList:
        async with portal_unit_of_work(infrastructure) as uow:
            views = await versions.version_views(uow, actor, game_id)
        return VersionList(data=[version_resource(view, prefix) for view in views])

    @router.get(
        "/{version_id}",
        response_model=Document[VersionAttributes],
        summary="A version with its builds",
        description=f"Any member of the account, or an API key; {_NOT_FOUND}.",
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def get_version(
        game_id: GameId, version_id: VersionId, actor: CurrentActor
    ) -> Document[VersionAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            view = await versions.version_view(uow, actor, game_id, version_id)
        return version_document(view, prefix)

    @router.post(
        "/{version_id}/builds/upload-url",
        response_model=Document[PresignedUploadAttributes],
        summary="Where to upload a build file: one pre-signed PUT, or a multipart upload",
        description=(
            f"{_WRITE}; {_NOT_FOUND}. Up to 5 GiB the file is PUT whole to `upload_url`; above "
            "(or when `upload_type` asks for `multipart`), it is a multipart upload of "
            "`part_count` parts of `part_size_bytes` (the last "
            "smaller), each PUT to the URL `POST .../builds/{build_id}/parts` signs. URLs live "
            "`expires_in_seconds`. A new upload for a platform replaces its previous build "
            "(409 `BUILD_PROCESSING` while that one is being verified). A file over 100 GB is "
            "413 `FILE_TOO_LARGE`; a type other than zip / octet-stream 422 "
            "`UNSUPPORTED_BUILD_TYPE`; a platform the version does not target 422 "
            "`PLATFORM_NOT_TARGETED`; a version past its build stages 422 "
            "`VERSION_BUILDS_CLOSED`."
        ),
        responses=error_responses(
            {
                400: ["INVALID_FILE_NAME"],
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                409: ["BUILD_PROCESSING"],
                413: ["FILE_TOO_LARGE"],
                422: [
                    "UNSUPPORTED_BUILD_TYPE",
                    "SINGLE_PUT_TOO_LARGE",
                    "PLATFORM_NOT_TARGETED",
                    "VERSION_BUILDS_CLOSED",
                ],
            }
        ),
    )
    async def request_upload(
        game_id: GameId, version_id: VersionId, body: UploadRequestDocument, actor: CurrentActor
    ) -> Document[PresignedUploadAttributes]:
        attributes = body.data.attributes
        async with portal_unit_of_work(infrastructure) as uow:
            upload = await uploads.request_upload(
                uow,
                files(),
                actor,
                game_id,
                version_id,
                attributes.platform,
                attributes.file_name,
                attributes.file_size_bytes,
                attributes.content_type,
                now(),
                attributes.upload_type,
            )
        build = upload.build
        return Document(
            data=Resource(
                type="presignedUploadUrl",
                id=build.id,
                attributes=PresignedUploadAttributes(
                    internal_build_id=build.id,
                    platform=build.platform.value,
                    s3_path=build.s3_path,
                    upload_type=build.upload_type.value,
                    upload_url=upload.upload_url,
                    method="PUT",
                    expires_in_seconds=rules.upload_url_ttl_seconds,
                    part_size_bytes=build.part_size_bytes,
                    part_count=build.part_count,
                ),
                links={"self": build_link(prefix, build)},
            )
        )

    @router.post(
        "/{version_id}/builds/{build_id}/parts",
        response_model=Document[PartUrlsAttributesOut],
        summary="Pre-signed PUT URLs of parts of a multipart upload",
        description=(
            f"{_WRITE}; {_NOT_FOUND}. Up to 100 part numbers a call, each 1..`part_count` (400 "
            "`INVALID_PART_NUMBER`); a build that is not a multipart upload in progress is 422 "
            "`BUILD_NOT_MULTIPART_UPLOADING`."
        ),
        responses=error_responses(
            {
                400: ["INVALID_PART_NUMBER"],
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                422: ["BUILD_NOT_MULTIPART_UPLOADING"],
            }
        ),
    )
    async def part_urls(
        game_id: GameId,
        version_id: VersionId,
        build_id: BuildId,
        body: PartUrlsDocument,
        actor: CurrentActor,
    ) -> Document[PartUrlsAttributesOut]:
        async with portal_unit_of_work(infrastructure) as uow:
            signed = await uploads.part_upload_urls(
                uow,
                files(),
                actor,
                game_id,
                version_id,
                build_id,
                body.data.attributes.part_numbers,
            )
        return Document(
            data=Resource(
                type="buildPartUrls",
                id=build_id,
                attributes=PartUrlsAttributesOut(
                    expires_in_seconds=rules.upload_url_ttl_seconds,
                    parts=[PartUrl(part_number=n, upload_url=url) for n, url in signed],
                ),
                links={"self": f"{prefix}/games/{game_id}/versions/{version_id}/builds/{build_id}"},
            )
        )

    @router.get(
        "/{version_id}/builds/{build_id}/parts",
        response_model=Document[StoredPartsAttributes],
        summary="The parts S3 already holds of a multipart upload (to resume it)",
        description=(
            f"Any member of the account, or an API key; {_NOT_FOUND}. Upload the parts not "
            "listed (or listed with another size), then complete. A build that is not a "
            "multipart upload in progress is 422."
        ),
        responses=error_responses(
            {404: ["RESOURCE_NOT_FOUND"], 422: ["BUILD_NOT_MULTIPART_UPLOADING"]}
        ),
    )
    async def list_stored_parts(
        game_id: GameId, version_id: VersionId, build_id: BuildId, actor: CurrentActor
    ) -> Document[StoredPartsAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            build, parts = await uploads.stored_parts(
                uow, files(), actor, game_id, version_id, build_id
            )
        return Document(
            data=Resource(
                type="storedBuildParts",
                id=build.id,
                attributes=StoredPartsAttributes(
                    part_size_bytes=build.part_size_bytes,
                    part_count=build.part_count,
                    parts=[
                        StoredPartBody(
                            part_number=part.part_number, size_bytes=part.size, etag=part.etag
                        )
                        for part in parts
                    ],
                ),
                links={"self": build_link(prefix, build)},
            )
        )

    @router.get(
        "/{version_id}/builds/{build_id}",
        response_model=Document[BuildAttributes],
        summary="A build: its upload and its verification",
        description=f"Any member of the account, or an API key; {_NOT_FOUND}.",
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def get_build(
        game_id: GameId, version_id: VersionId, build_id: BuildId, actor: CurrentActor
    ) -> Document[BuildAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            build = await uploads.build_for_actor(uow, actor, game_id, version_id, build_id)
        return build_document(build, prefix)

    @router.delete(
        "/{version_id}/builds/{build_id}",
        status_code=204,
        summary="Abort a build's upload (its multipart upload and stored object removed)",
        description=(
            f"{_WRITE}; {_NOT_FOUND}. The build becomes `aborted`; deleting it again changes "
            "nothing. A build being verified is 409 `BUILD_PROCESSING`; a version past its "
            "build stages 422 `VERSION_BUILDS_CLOSED`."
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                409: ["BUILD_PROCESSING"],
                422: ["VERSION_BUILDS_CLOSED"],
            }
        ),
    )
    async def abort_build(
        game_id: GameId, version_id: VersionId, build_id: BuildId, actor: CurrentActor
    ) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            await uploads.abort_upload(uow, files(), actor, game_id, version_id, build_id, now())
        return Response(status_code=204)

    @router.post(
        "/{version_id}/builds/upload-complete",
        response_model=Document[VersionAttributes],
        summary="The build file is uploaded: verify it",
        description=(
            f"{_WRITE}; {_NOT_FOUND}. `s3_path` must be the build's (422 "
            "`BUILD_PATH_MISMATCH`). A multipart upload is completed from the parts S3 holds "
            "(422 `BUILD_PARTS_MISSING` names those missing). The build and the version become "
            "`processing`; a worker then checks the stored file's size and SHA-256 and moves "
            "the version to `ready_for_review` or `failed_processing` (with the reason). "
            "Repeating the call changes nothing; another hash for a completed build is 409 "
            "`BUILD_ALREADY_COMPLETED`; an aborted or failed build is 422 `BUILD_NOT_UPLOADING`."
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                409: ["BUILD_ALREADY_COMPLETED"],
                422: [
                    "BUILD_PATH_MISMATCH",
                    "BUILD_PARTS_MISSING",
                    "BUILD_NOT_UPLOADING",
                    "VERSION_BUILDS_CLOSED",
                ],
            }
        ),
    )
    async def complete_upload(
        game_id: GameId, version_id: VersionId, body: CompletionDocument, actor: CurrentActor
    ) -> Document[VersionAttributes]:
        attributes = body.data.attributes
        async with portal_unit_of_work(infrastructure) as uow:
            view = await uploads.complete_upload(
                uow,
                files(),
                actor,
                game_id,
                version_id,
                attributes.internal_build_id,
                attributes.s3_path,
                attributes.file_hash_sha256,
                now(),
            )
        return version_document(view, prefix)

    return router
