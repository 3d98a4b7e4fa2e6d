"""Media of a game: screenshots, trailers and capsules per locale (plain Python, no I/O).

A client asks for an upload (``pending_upload``), PUTs the file straight to the media bucket
with a pre-signed URL, then says it is done. The stored object, not the client's word, decides:
its size (HEAD) must be the declared one and within the limit, and its first bytes (magic
numbers) must be the declared type. A good upload becomes ``ready`` at the end of its list
(game, locale, media type); a bad one ``rejected``, kept with its reason while its object is
deleted. Ready media of one list are numbered 1..n; reordering names exactly that list.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, NotFound, PayloadTooLarge, ValidationFailed

from parovoz_developer_portal.games.domain import Game, GameStatus, language_code
from parovoz_developer_portal.media.rules import MediaRules

_ATTRIBUTES = "/data/attributes"

JPEG = "image/jpeg"
PNG = "image/png"
MP4 = "video/mp4"


class MediaType(StrEnum):
    SCREENSHOT = "screenshot"
    TRAILER = "trailer"
    CAPSULE = "capsule"


class MediaStatus(StrEnum):
    PENDING_UPLOAD = "pending_upload"  # a pre-signed URL was handed out; nothing checked yet
    READY = "ready"  # the stored object was checked: shown, in its list's order
    REJECTED = "rejected"  # the stored object failed a check: deleted, the reason kept


#: Screenshots and capsules are pictures, trailers are videos (the rules' allowed types narrow
#: this further).
CONTENT_TYPES_OF: dict[MediaType, frozenset[str]] = {
    MediaType.SCREENSHOT: frozenset({JPEG, PNG}),
    MediaType.TRAILER: frozenset({MP4}),
    MediaType.CAPSULE: frozenset({JPEG, PNG}),
}

#: How many first bytes of a stored object tell its type.
SNIFF_BYTES = 12
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_MP4_BRAND_BOX = b"ftyp"

#: What survives of a client's file name in an object key: letters, digits, dot, dash, underscore.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_FILE_NAME = 255


@dataclass(frozen=True)
class Media:
    id: uuid.UUID
    game_id: uuid.UUID
    developer_id: uuid.UUID
    media_type: MediaType
    language_code: str
    file_name: str
    content_type: str
    file_size_bytes: int
    object_key: str
    status: MediaStatus
    created_by_user_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    #: 1-based place in its (game, locale, media type) list; only ready media have one.
    position: int | None = None
    completed_at: datetime | None = None
    rejection_code: str | None = None
    rejection_reason: str | None = None
    rejection_reason_ru: str | None = None


@dataclass(frozen=True)
class StoredFacts:
    """What the storage says about an uploaded object: its size and its first bytes."""

    size: int
    first_bytes: bytes


@dataclass(frozen=True)
class MediaRejection:
    code: str
    reason: str
    reason_ru: str

    def error(self) -> BusinessRuleViolation:
        return BusinessRuleViolation(self.reason, detail_ru=self.reason_ru, code=self.code)


def media_not_found(media_id: uuid.UUID) -> NotFound:
    """One answer for an unknown media id, another game's or another account's."""
    return NotFound(
        f"Media {media_id} was not found.",
        detail_ru=f"Медиафайл {media_id} не найден.",
        code="MEDIA_NOT_FOUND",
    )


def media_locale(value: str, *, pointer: str | None = None, parameter: str | None = None) -> str:
    """The locale of a media list, as metadata writes it (``games.domain.language_code``: a
    BCP 47 tag in canonical case, ``en-us`` -> ``en-US``); 400 INVALID_LANGUAGE_CODE pointing at
    where it came from otherwise."""
    try:
        return language_code(value)
    except ValidationFailed as refused:
        refused.pointer, refused.parameter = pointer, parameter
        raise


def _require_open_game(game: Game) -> None:
    if game.status is GameStatus.ARCHIVED:
        raise BusinessRuleViolation(
            f"Game {game.id} is archived: it takes no new media.",
            detail_ru=f"Игра {game.id} в архиве: новые медиафайлы к ней не загружаются.",
            code="MEDIA_GAME_ARCHIVED",
        )


def safe_file_name(file_name: str) -> str:
    """The client's file name as an object key's last segment: its base name (no folders),
    unsafe characters replaced by ``_``, no leading dots, at most 255 characters."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).lstrip(".")
    if len(cleaned) > MAX_FILE_NAME:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            cleaned = f"{stem[: MAX_FILE_NAME - len(extension) - 1]}.{extension}"
        else:
            cleaned = cleaned[:MAX_FILE_NAME]
    return cleaned or "file"


def object_key(
    developer_id: uuid.UUID,
    game_id: uuid.UUID,
    media_type: MediaType,
    media_id: uuid.UUID,
    name: str,
) -> str:
    """Seed 001 §4.2.2: ``<developer_id>/<game_id>/media/<media_type>/<media_id>/<file_name>``
    (the media id keeps two uploads of one name apart)."""
    return f"{developer_id}/{game_id}/media/{media_type}/{media_id}/{safe_file_name(name)}"


def normalized_content_type(content_type: str) -> str:
    return content_type.strip().lower()


def request_upload(
    rules: MediaRules,
    game: Game,
    user_id: uuid.UUID,
    media_type: MediaType,
    locale: str,
    file_name: str,
    content_type: str,
    file_size_bytes: int,
    now: datetime,
) -> Media:
    """A new media awaiting its upload, if the game takes uploads and the file is allowed."""
    locale = media_locale(locale, pointer=f"{_ATTRIBUTES}/language_code")
    _require_open_game(game)
    declared = normalized_content_type(content_type)
    allowed = CONTENT_TYPES_OF[media_type] & rules.allowed_content_types
    if declared not in allowed:
        names = ", ".join(sorted(allowed))
        raise BusinessRuleViolation(
            f"A {media_type} is uploaded as {names}, not {content_type!r}.",
            detail_ru=f"Тип файла для «{media_type}» — {names}, а не {content_type!r}.",
            code="UNSUPPORTED_MEDIA_CONTENT_TYPE",
            pointer=f"{_ATTRIBUTES}/content_type",
        )
    if file_size_bytes > rules.max_file_bytes:
        raise PayloadTooLarge(
            f"A media file is at most {rules.max_file_bytes} bytes; this one is {file_size_bytes}.",
            detail_ru=f"Медиафайл — не больше {rules.max_file_bytes} байт, а этот "
            f"{file_size_bytes}.",
            pointer=f"{_ATTRIBUTES}/file_size_bytes",
        )
    media_id = uuid.uuid4()
    return Media(
        id=media_id,
        game_id=game.id,
        developer_id=game.developer_id,
        media_type=media_type,
        language_code=locale,
        file_name=file_name,
        content_type=declared,
        file_size_bytes=file_size_bytes,
        object_key=object_key(game.developer_id, game.id, media_type, media_id, file_name),
        status=MediaStatus.PENDING_UPLOAD,
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )


def sniffed_content_type(first_bytes: bytes) -> str | None:
    """The type the first bytes announce (magic numbers), or None when none we take."""
    if first_bytes.startswith(_JPEG_SIGNATURE):
        return JPEG
    if first_bytes.startswith(_PNG_SIGNATURE):
        return PNG
    if first_bytes[4:8] == _MP4_BRAND_BOX:
        return MP4
    return None


def media_not_uploaded(media: Media) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        f"Nothing is stored for media {media.id} yet: upload the file with its URL, then "
        "complete again.",
        detail_ru=f"Файл медиа {media.id} ещё не загружен: загрузите его по выданной ссылке "
        "и повторите завершение.",
        code="MEDIA_NOT_UPLOADED",
    )


def require_completable(media: Media, game: Game) -> None:
    """Completion is for a media still awaiting its upload, of a game that takes uploads."""
    _require_open_game(game)
    if media.status is MediaStatus.REJECTED:
        raise BusinessRuleViolation(
            f"Media {media.id} was rejected ({media.rejection_reason}); request a new upload.",
            detail_ru=f"Медиафайл {media.id} отклонён ({media.rejection_reason_ru}): "
            "запросите новую загрузку.",
            code="MEDIA_ALREADY_REJECTED",
        )


def check_stored_object(
    rules: MediaRules, media: Media, stored: StoredFacts
) -> MediaRejection | None:
    """Why the stored object cannot be this media, or None when it is what was declared."""
    if stored.size > rules.max_file_bytes:
        return MediaRejection(
            "STORED_FILE_TOO_LARGE",
            f"The stored file is {stored.size} bytes, over the {rules.max_file_bytes} bytes "
            "a media file may have.",
            f"Загруженный файл — {stored.size} байт, больше допустимых {rules.max_file_bytes}.",
        )
    if stored.size != media.file_size_bytes:
        return MediaRejection(
            "MEDIA_SIZE_MISMATCH",
            f"The stored file is {stored.size} bytes, not the {media.file_size_bytes} declared.",
            f"Загруженный файл — {stored.size} байт, а заявлено {media.file_size_bytes}.",
        )
    found = sniffed_content_type(stored.first_bytes)
    if found is None:
        return MediaRejection(
            "MEDIA_CONTENT_UNRECOGNIZED",
            f"The stored file is not a JPEG, PNG or MP4 (declared {media.content_type}).",
            f"Загруженный файл — не JPEG, не PNG и не MP4 (заявлен {media.content_type}).",
        )
    if found != media.content_type:
        return MediaRejection(
            "MEDIA_CONTENT_TYPE_MISMATCH",
            f"The stored file is {found}, not the {media.content_type} declared.",
            f"Загруженный файл — {found}, а заявлен {media.content_type}.",
        )
    if found not in CONTENT_TYPES_OF[media.media_type]:  # declared types are checked at request
        return MediaRejection(
            "MEDIA_CONTENT_TYPE_MISMATCH",
            f"A {media.media_type} cannot be {found}.",
            f"Файл типа {found} не может быть «{media.media_type}».",
        )
    return None


def abandoned_before(rules: MediaRules, now: datetime) -> datetime:
    """A media still awaiting its upload that was asked for before this was abandoned."""
    return now - timedelta(seconds=rules.abandoned_upload_after_seconds)


def is_abandoned(rules: MediaRules, media: Media, now: datetime) -> bool:
    return media.status is MediaStatus.PENDING_UPLOAD and media.created_at < abandoned_before(
        rules, now
    )


def mark_ready(media: Media, position: int, now: datetime) -> Media:
    return replace(
        media, status=MediaStatus.READY, position=position, completed_at=now, updated_at=now
    )


def mark_rejected(media: Media, rejection: MediaRejection, now: datetime) -> Media:
    return replace(
        media,
        status=MediaStatus.REJECTED,
        position=None,
        completed_at=now,
        updated_at=now,
        rejection_code=rejection.code,
        rejection_reason=rejection.reason,
        rejection_reason_ru=rejection.reason_ru,
    )


def numbered(ready: Sequence[Media], now: datetime) -> list[Media]:
    """The list numbered 1..n in the given order; only the media whose place changed."""
    return [
        replace(media, position=place, updated_at=now)
        for place, media in enumerate(ready, start=1)
        if media.position != place
    ]


def reordered(ready: Sequence[Media], media_ids: Sequence[uuid.UUID], now: datetime) -> list[Media]:
    """The ready media of one list in the order ``media_ids`` gives, which must name each of
    them exactly once (MEDIA_ORDER_MISMATCH otherwise); returns those whose place changed."""
    pointer = f"{_ATTRIBUTES}/media_ids"
    by_id = {media.id: media for media in ready}
    duplicates = sorted(str(i) for i, times in Counter(media_ids).items() if times > 1)
    if duplicates:
        raise BusinessRuleViolation(
            f"media_ids names {', '.join(duplicates)} more than once.",
            detail_ru=f"В media_ids несколько раз указан {', '.join(duplicates)}.",
            code="MEDIA_ORDER_MISMATCH",
            pointer=pointer,
        )
    unknown = [str(i) for i in media_ids if i not in by_id]
    named = set(media_ids)
    missing = [str(media.id) for media in ready if media.id not in named]
    if unknown or missing:
        parts_en, parts_ru = [], []
        if unknown:
            parts_en.append(f"not ready media of this list: {', '.join(unknown)}")
            parts_ru.append(f"не готовые медиа этого списка: {', '.join(unknown)}")
        if missing:
            parts_en.append(f"left out: {', '.join(missing)}")
            parts_ru.append(f"пропущены: {', '.join(missing)}")
        raise BusinessRuleViolation(
            f"media_ids must name every ready media of the list exactly once ({len(ready)}); "
            + "; ".join(parts_en)
            + ".",
            detail_ru=f"media_ids должен назвать каждый готовый медиафайл списка ровно один раз "
            f"({len(ready)}); " + "; ".join(parts_ru) + ".",
            code="MEDIA_ORDER_MISMATCH",
            pointer=pointer,
        )
    return numbered([by_id[media_id] for media_id in media_ids], now)
