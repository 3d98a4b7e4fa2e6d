"""builds: request and response bodies (seed 001 §3.1.3), and the documents of the domain's
versions and builds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from parovoz_kit.http.fields import Count, RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from parovoz_developer_portal.builds.domain import MAX_CHANGELOG_LOCALES, Platform
from parovoz_developer_portal.builds.repository import (
    CONTENT_TYPE_COLUMN,
    FILE_NAME_COLUMN,
    S3_PATH_COLUMN,
    VERSION_NAME_COLUMN,
)
from parovoz_developer_portal.builds.service import VersionView
from parovoz_developer_portal.builds.uploads import GameBuild, UploadType
from parovoz_developer_portal.fields import left_out_not_null
from parovoz_developer_portal.schemas import Document, Resource

#: A changelog entry's length (characters).
CHANGELOG_TEXT = 10_000
#: Most part URLs signed in one call.
MAX_PARTS_PER_CALL = 100


def _trimmed(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("a version name is not blank")
    return value


VersionName = Annotated[str, Text(VERSION_NAME_COLUMN, min_length=1), AfterValidator(_trimmed)]
LocaleTag = Annotated[str, Text(16, min_length=2)]
ChangelogText = Annotated[str, Text(CHANGELOG_TEXT)]
Sha256 = Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9a-fA-F]{64}$")]

VERSION_CREATION_EXAMPLE = {
    "data": {
        "type": "gameVersionCreation",
        "attributes": {
            "version_name": "1.0.1",
            "changelog": {"ru-RU": "Исправлены ошибки, улучшена производительность."},
        },
    }
}
UPLOAD_REQUEST_EXAMPLE = {
    "data": {
        "type": "buildUploadRequest",
        "attributes": {
            "file_name": "mygame_v1.0.1_windows_x64.zip",
            "file_size_bytes": 1073741824,
            "content_type": "application/zip",
            "platform": "windows_x64",
        },
    }
}
COMPLETION_EXAMPLE = {
    "data": {
        "type": "buildUploadCompletion",
        "attributes": {
            "internal_build_id": "3f1c2a4e-8d2b-4c56-9a7e-1b2c3d4e5f60",
            "s3_path": "<developer_id>/<game_id>/<version_id>/windows_x64/mygame.zip",
            "file_hash_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        },
    }
}


# --- requests ---------------------------------------------------------------------------------
class VersionCreationAttributes(RequestModel):
    version_name: VersionName = Field(
        description=(
            f"Required, 1-{VERSION_NAME_COLUMN} characters, unique among the game's versions "
            "(409 `RESOURCE_ALREADY_EXISTS` otherwise)."
        ),
        examples=["1.0.1"],
    )
    changelog: dict[LocaleTag, ChangelogText] = Field(
        default_factory=dict,
        description=(
            f"Optional: what changed, per language tag (`ru-RU`, `en-US`...), at most "
            f"{MAX_CHANGELOG_LOCALES} languages of up to {CHANGELOG_TEXT} characters."
        ),
    )
    platforms: list[Platform] | None = Field(
        default=None,
        max_length=len(Platform),
        description=(
            "Optional: the platforms the version targets (each needs a verified build before "
            "review). Left out: the platforms it has builds for."
        ),
        json_schema_extra=left_out_not_null,
    )


class VersionCreationData(RequestModel):
    type: Literal["gameVersionCreation"] = Field(description="Always `gameVersionCreation`.")
    attributes: VersionCreationAttributes = Field(description="The version to create.")


class VersionCreationDocument(RequestModel):
    """Seed 001 §3.1.3: create a version of a game (before its builds are uploaded)."""

    model_config = ConfigDict(json_schema_extra={"examples": [VERSION_CREATION_EXAMPLE]})

    data: VersionCreationData = Field(description="The version to create.")


class UploadRequestAttributes(RequestModel):
    file_name: Annotated[str, Text(FILE_NAME_COLUMN, min_length=1)] = Field(
        description="Required: the file's name (no path), the last segment of its S3 key.",
        examples=["mygame_v1.0.1_windows_x64.zip"],
    )
    file_size_bytes: Count = Field(
        ge=1,
        description="Required: the file's exact size in bytes (at most 100 GB: 413 above).",
        examples=[1073741824],
    )
    content_type: Annotated[str, Text(CONTENT_TYPE_COLUMN, min_length=1)] = Field(
        description="Required: `application/zip` or `application/octet-stream` (422 otherwise).",
        examples=["application/zip"],
    )
    platform: Platform = Field(
        description="Required: `windows_x64`, `linux_x64`, `macos_arm64` or `macos_x64`."
    )
    upload_type: UploadType | None = Field(
        default=None,
        description=(
            "Optional: `multipart` to upload even a small file in parts (in parallel, "
            "resumable); `single` for one PUT (at most 5 GiB: 422 `SINGLE_PUT_TOO_LARGE` "
            "above). Left out: one PUT up to 5 GiB, parts above."
        ),
        json_schema_extra=left_out_not_null,
    )


class UploadRequestData(RequestModel):
    type: Literal["buildUploadRequest"] = Field(description="Always `buildUploadRequest`.")
    attributes: UploadRequestAttributes = Field(description="The file to upload.")


class UploadRequestDocument(RequestModel):
    """Seed 001 §3.1.3: ask where to upload a build file."""

    model_config = ConfigDict(json_schema_extra={"examples": [UPLOAD_REQUEST_EXAMPLE]})

    data: UploadRequestData = Field(description="The file to upload.")


class PartUrlsAttributes(RequestModel):
    part_numbers: list[Annotated[int, Field(strict=True, ge=1, le=10_000)]] = Field(
        min_length=1,
        max_length=MAX_PARTS_PER_CALL,
        description=f"Required: 1 to {MAX_PARTS_PER_CALL} part numbers, each 1..part_count.",
        examples=[[1, 2, 3]],
    )


class PartUrlsData(RequestModel):
    type: Literal["buildPartUrls"] = Field(description="Always `buildPartUrls`.")
    attributes: PartUrlsAttributes = Field(description="The parts to sign.")


class PartUrlsDocument(RequestModel):
    """Which parts of a multipart upload to sign PUT URLs for."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"data": {"type": "buildPartUrls", "attributes": {"part_numbers": [1, 2, 3]}}}
            ]
        }
    )

    data: PartUrlsData = Field(description="The parts to sign.")


class CompletionAttributes(RequestModel):
    internal_build_id: uuid.UUID = Field(description="Required: the build's id (upload-url).")
    s3_path: Annotated[str, Text(S3_PATH_COLUMN, min_length=1)] = Field(
        description="Required: the build's `s3_path` as upload-url answered it."
    )
    file_hash_sha256: Sha256 = Field(
        description="Required: SHA-256 of the whole file, 64 hex digits; the worker checks it."
    )


class CompletionData(RequestModel):
    type: Literal["buildUploadCompletion"] = Field(description="Always `buildUploadCompletion`.")
    attributes: CompletionAttributes = Field(description="The uploaded build.")


class CompletionDocument(RequestModel):
    """Seed 001 §3.1.3: the build file is uploaded."""

    model_config = ConfigDict(json_schema_extra={"examples": [COMPLETION_EXAMPLE]})

    data: CompletionData = Field(description="The uploaded build.")


# --- responses --------------------------------------------------------------------------------
class BuildAttributes(BaseModel):
    platform: str = Field(description="`windows_x64`, `linux_x64`, `macos_arm64` or `macos_x64`.")
    file_name: str = Field(description="The file's name.")
    file_size_bytes: int = Field(description="Its declared size in bytes.")
    content_type: str = Field(description="`application/zip` or `application/octet-stream`.")
    s3_path: str = Field(description="Its key in the builds bucket.")
    upload_type: str = Field(description="`single` (one PUT) or `multipart`.")
    status: str = Field(description="`uploading`, `processing`, `verified`, `failed` or `aborted`.")
    failure_reason: str | None = Field(
        description="When failed: `size_mismatch`, `hash_mismatch` or `object_missing`."
    )
    failure_detail: str | None = Field(description="When failed: what was found, in words.")
    file_hash_sha256: str | None = Field(description="The declared SHA-256, once completed.")
    part_size_bytes: int | None = Field(description="Multipart: size of every part but the last.")
    part_count: int | None = Field(description="Multipart: how many parts.")
    created_at: datetime = Field(description="When the upload was requested.")
    verified_at: datetime | None = Field(description="When the worker verified it.")


class VersionBuild(BuildAttributes):
    id: uuid.UUID = Field(description="The build's id.")


class VersionAttributes(BaseModel):
    version_name: str = Field(description="The version's name.")
    changelog: dict[str, str] = Field(description="What changed, per language.")
    status: str = Field(
        description=(
            "`uploading`, `processing`, `failed_processing`, `ready_for_review`, `in_review`, "
            "`approved`, `rejected`, `live` or `deprecated`."
        )
    )
    status_reason: str | None = Field(
        description="Why it is `failed_processing` or `rejected`; else null."
    )
    platforms: list[str] = Field(
        description="The target platforms (declared, or those it has builds for)."
    )
    builds: list[VersionBuild] = Field(description="Its builds (aborted ones left out).")
    created_at: datetime = Field(description="When it was created.")
    updated_at: datetime = Field(description="When its status last changed.")


def _build_attributes(build: GameBuild) -> BuildAttributes:
    return BuildAttributes(
        platform=build.platform.value,
        file_name=build.file_name,
        file_size_bytes=build.file_size_bytes,
        content_type=build.content_type,
        s3_path=build.s3_path,
        upload_type=build.upload_type.value,
        status=build.status.value,
        failure_reason=build.failure_reason.value if build.failure_reason else None,
        failure_detail=build.failure_detail,
        file_hash_sha256=build.file_hash_sha256,
        part_size_bytes=build.part_size_bytes,
        part_count=build.part_count,
        created_at=build.created_at,
        verified_at=build.verified_at,
    )


def version_link(prefix: str, game_id: uuid.UUID, version_id: uuid.UUID) -> str:
    return f"{prefix}/games/{game_id}/versions/{version_id}"


def build_link(prefix: str, build: GameBuild) -> str:
    return f"{version_link(prefix, build.game_id, build.version_id)}/builds/{build.id}"


def version_resource(view: VersionView, prefix: str) -> Resource[VersionAttributes]:
    version = view.version
    return Resource(
        type="gameVersion",
        id=version.id,
        attributes=VersionAttributes(
            version_name=version.version_name,
            changelog=version.changelog,
            status=version.status.value,
            status_reason=version.status_reason,
            platforms=list(view.platforms),
            builds=[
                VersionBuild(id=b.id, **_build_attributes(b).model_dump()) for b in view.builds
            ],
            created_at=version.created_at,
            updated_at=version.updated_at,
        ),
        links={"self": version_link(prefix, version.game_id, version.id)},
    )


def version_document(view: VersionView, prefix: str) -> Document[VersionAttributes]:
    return Document(data=version_resource(view, prefix))


def build_document(build: GameBuild, prefix: str) -> Document[BuildAttributes]:
    return Document(
        data=Resource(
            type="build",
            id=build.id,
            attributes=_build_attributes(build),
            links={"self": build_link(prefix, build)},
        )
    )


class VersionList(BaseModel):
    data: list[Resource[VersionAttributes]] = Field(description="The versions, newest first.")


class PresignedUploadAttributes(BaseModel):
    internal_build_id: uuid.UUID = Field(description="The build's id (for upload-complete).")
    platform: str = Field(description="The build's platform.")
    s3_path: str = Field(description="Its key in the builds bucket (for upload-complete).")
    upload_type: str = Field(description="`single` (PUT `upload_url`) or `multipart`.")
    upload_url: str | None = Field(
        description="Single: the pre-signed URL to PUT the whole file to; multipart: null."
    )
    method: str = Field(description="Always `PUT`.")
    expires_in_seconds: int = Field(description="How long the URL(s) live.")
    part_size_bytes: int | None = Field(
        description="Multipart: every part but the last has this size."
    )
    part_count: int | None = Field(description="Multipart: parts 1..part_count.")


class PartUrl(BaseModel):
    part_number: int = Field(description="The part's number.")
    upload_url: str = Field(description="Pre-signed URL to PUT this part to.")


class PartUrlsAttributesOut(BaseModel):
    expires_in_seconds: int = Field(description="How long the URLs live.")
    parts: list[PartUrl] = Field(description="One URL per requested part.")


class StoredPartBody(BaseModel):
    part_number: int = Field(description="The part's number.")
    size_bytes: int = Field(description="Its stored size.")
    etag: str = Field(description="Its ETag in S3.")


class StoredPartsAttributes(BaseModel):
    part_size_bytes: int | None = Field(description="Every part but the last has this size.")
    part_count: int | None = Field(description="Parts 1..part_count make the file.")
    parts: list[StoredPartBody] = Field(description="The parts S3 holds, by number.")
