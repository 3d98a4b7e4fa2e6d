"""Request and response bodies of the media routes (JSON:API-ish, as seed 001 writes them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from parovoz_kit.http.fields import INT64_MAX, RequestModel, Text
from pydantic import BaseModel, ConfigDict, Field, Strict

from parovoz_developer_portal.media.domain import MediaStatus, MediaType
from parovoz_developer_portal.media.repository import (
    CONTENT_TYPE_COLUMN,
    FILE_NAME_COLUMN,
    LANGUAGE_CODE_COLUMN,
)
from parovoz_developer_portal.media.service import MediaUpload, ShownMedia
from parovoz_developer_portal.schemas import Document, Resource

#: A reorder names at most this many media (far more than any list holds).
MAX_ORDERED_MEDIA = 1000

#: A BCP 47 tag as metadata takes it (``ru-RU``, ``en-US``, ``zh-Hant-TW``); its form is the
#: domain's (400 ``INVALID_LANGUAGE_CODE``).
LanguageCode = Annotated[str, Text(LANGUAGE_CODE_COLUMN, min_length=1)]
FileSize = Annotated[int, Strict(), Field(ge=1, le=INT64_MAX)]

UPLOAD_REQUEST_EXAMPLE = {
    "data": {
        "type": "mediaUploadRequest",
        "attributes": {
            "media_type": "screenshot",
            "language_code": "ru-RU",
            "file_name": "screenshot_01.png",
            "content_type": "image/png",
            "file_size_bytes": 1048576,
        },
    }
}
ORDER_EXAMPLE = {
    "data": {
        "type": "mediaOrder",
        "attributes": {
            "language_code": "ru-RU",
            "media_type": "screenshot",
            "media_ids": [
                "6f1c2a4e-1b7d-4c55-9f0e-3d2b8a7c9e10",
                "0b9d7e52-8f3a-4e61-a2c4-5d6e7f8a9b01",
            ],
        },
    }
}


# --- requests ---------------------------------------------------------------------------------
class MediaUploadRequestAttributes(RequestModel):
    media_type: MediaType = Field(
        description="Required: `screenshot`, `trailer` or `capsule`.", examples=["screenshot"]
    )
    language_code: LanguageCode = Field(
        description=(
            "Required: the locale the media is for, a BCP 47 tag as metadata uses (`ru-RU`, "
            "`en-US`; answered in canonical case); a malformed one is 400 "
            "`INVALID_LANGUAGE_CODE`."
        ),
        examples=["ru-RU"],
    )
    file_name: Annotated[str, Text(FILE_NAME_COLUMN, min_length=1)] = Field(
        description=(
            "Required, 1-255 characters: the file's name (its base name, letters, digits, `.`, "
            "`-` and `_` kept, goes into the object key)."
        ),
        examples=["screenshot_01.png"],
    )
    content_type: Annotated[str, Text(CONTENT_TYPE_COLUMN, min_length=1)] = Field(
        description=(
            "Required: `image/jpeg` or `image/png` for screenshots and capsules, `video/mp4` for "
            "trailers (any other is 422 `UNSUPPORTED_MEDIA_CONTENT_TYPE`); the stored file's "
            "first bytes must match it."
        ),
        examples=["image/png"],
    )
    file_size_bytes: FileSize = Field(
        description=(
            "Required: the file's exact size in bytes, a JSON integer (over the limit, 2 GiB by "
            "default, is 413 `FILE_TOO_LARGE`); the stored file must have it."
        ),
        examples=[1048576],
    )


class MediaUploadRequestData(RequestModel):
    type: Literal["mediaUploadRequest"] = Field(description="Always `mediaUploadRequest`.")
    attributes: MediaUploadRequestAttributes = Field(description="The file to upload.")


class MediaUploadRequestDocument(RequestModel):
    """Ask for a pre-signed URL to upload one media file."""

    model_config = ConfigDict(json_schema_extra={"examples": [UPLOAD_REQUEST_EXAMPLE]})

    data: MediaUploadRequestData = Field(description="The upload asked for.")


class MediaOrderAttributes(RequestModel):
    language_code: LanguageCode = Field(
        description="Required: the list's locale, e.g. `ru-RU`.", examples=["ru-RU"]
    )
    media_type: MediaType = Field(
        description="Required: the list's media type (`screenshot`, `trailer`, `capsule`).",
        examples=["screenshot"],
    )
    media_ids: list[uuid.UUID] = Field(
        max_length=MAX_ORDERED_MEDIA,
        description=(
            "Required: every ready media of that list, each once, in the new order (first "
            "shown first)."
        ),
    )


class MediaOrderData(RequestModel):
    type: Literal["mediaOrder"] = Field(description="Always `mediaOrder`.")
    attributes: MediaOrderAttributes = Field(description="The list and its new order.")


class MediaOrderDocument(RequestModel):
    """A new order of one list (game, locale, media type) of ready media."""

    model_config = ConfigDict(json_schema_extra={"examples": [ORDER_EXAMPLE]})

    data: MediaOrderData = Field(description="The list and its new order.")


# --- responses --------------------------------------------------------------------------------
class MediaAttributes(BaseModel):
    game_id: uuid.UUID = Field(description="The game the media belongs to.")
    media_type: MediaType = Field(description="`screenshot`, `trailer` or `capsule`.")
    language_code: str = Field(description="The locale it is shown in, e.g. `ru-RU`.")
    file_name: str = Field(description="The file name the client gave.")
    content_type: str = Field(description="`image/jpeg`, `image/png` or `video/mp4`.")
    file_size_bytes: int = Field(description="The declared (and, once ready, checked) size.")
    status: MediaStatus = Field(description="`pending_upload`, `ready` or `rejected`.")
    position: int | None = Field(
        description="1-based place in its list (game, locale, media type); null unless ready."
    )
    url: str | None = Field(
        description="A short-lived pre-signed GET URL to display it; null unless ready."
    )
    url_expires_in_seconds: int | None = Field(description="How long `url` lives; null with it.")
    rejection_code: str | None = Field(
        description="Why the stored file was rejected (an error code); null unless rejected."
    )
    rejection_reason: str | None = Field(description="The reason in English; null unless rejected.")
    rejection_reason_ru: str | None = Field(
        description="The reason in Russian; null unless rejected."
    )
    created_by_user_id: uuid.UUID = Field(description="The member who started the upload.")
    created_at: datetime = Field(description="When the upload was asked for (ISO 8601, UTC).")
    updated_at: datetime = Field(description="When it last changed (ISO 8601, UTC).")
    completed_at: datetime | None = Field(
        description="When the stored file was checked (ready or rejected); null before."
    )


class MediaUploadAttributes(BaseModel):
    media_id: uuid.UUID = Field(
        description="The new media's id (also `id`): complete the upload with it."
    )
    upload_url: str = Field(description="Where to PUT the file (pre-signed; no token needed).")
    method: Literal["PUT"] = Field(description="Always `PUT`.")
    expires_in_seconds: int = Field(description="How long `upload_url` lives.")
    headers: dict[str, str] = Field(description="Headers to send with the PUT.")
    media_type: MediaType = Field(description="`screenshot`, `trailer` or `capsule`.")
    language_code: str = Field(description="The locale, e.g. `ru-RU`.")
    file_name: str = Field(description="The file name given.")
    content_type: str = Field(description="The declared type; the file must be one.")
    file_size_bytes: int = Field(description="The declared size; the file must have it.")
    status: MediaStatus = Field(description="`pending_upload` until `upload-complete`.")


class MediaListLinks(BaseModel):
    self: str = Field(description="Where this list is read.")


class MediaListDocument(BaseModel):
    data: list[Resource[MediaAttributes]] = Field(description="The media, in order.")
    links: MediaListLinks = Field(description="`self`: where the list is read.")


def _media_path(prefix: str, game_id: uuid.UUID, media_id: uuid.UUID) -> str:
    return f"{prefix}/games/{game_id}/media/{media_id}"


def media_resource(shown: ShownMedia, prefix: str) -> Resource[MediaAttributes]:
    media = shown.media
    attributes = MediaAttributes(
        game_id=media.game_id,
        media_type=media.media_type,
        language_code=media.language_code,
        file_name=media.file_name,
        content_type=media.content_type,
        file_size_bytes=media.file_size_bytes,
        status=media.status,
        position=media.position,
        url=shown.url,
        url_expires_in_seconds=shown.url_expires_in_seconds,
        rejection_code=media.rejection_code,
        rejection_reason=media.rejection_reason,
        rejection_reason_ru=media.rejection_reason_ru,
        created_by_user_id=media.created_by_user_id,
        created_at=media.created_at,
        updated_at=media.updated_at,
        completed_at=media.completed_at,
    )
    return Resource(
        type="media",
        id=media.id,
        attributes=attributes,
        links={"self": _media_path(prefix, media.game_id, media.id)},
    )


def media_document(shown: ShownMedia, prefix: str) -> Document[MediaAttributes]:
    return Document(data=media_resource(shown, prefix))


def media_list_document(
    shown: list[ShownMedia], game_id: uuid.UUID, prefix: str
) -> MediaListDocument:
    return MediaListDocument(
        data=[media_resource(item, prefix) for item in shown],
        links=MediaListLinks(self=f"{prefix}/games/{game_id}/media"),
    )


def upload_document(upload: MediaUpload, prefix: str) -> Document[MediaUploadAttributes]:
    media = upload.media
    attributes = MediaUploadAttributes(
        media_id=media.id,
        upload_url=upload.upload_url,
        method="PUT",
        expires_in_seconds=upload.expires_in_seconds,
        headers=upload.headers,
        media_type=media.media_type,
        language_code=media.language_code,
        file_name=media.file_name,
        content_type=media.content_type,
        file_size_bytes=media.file_size_bytes,
        status=media.status,
    )
    path = _media_path(prefix, media.game_id, media.id)
    return Document(
        data=Resource(
            type="presignedMediaUpload",
            id=media.id,
            attributes=attributes,
            links={"self": path, "complete": f"{path}/upload-complete"},
        )
    )
