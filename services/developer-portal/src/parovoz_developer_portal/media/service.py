"""media: use cases, one function per action, over the unit of work.

Tenant isolation comes first (``games.service.game_for_actor``: another account's game is
RESOURCE_NOT_FOUND, and so is its media: MEDIA_NOT_FOUND); then the role: reading needs VIEW,
changing needs MANAGE_GAMES. No media byte passes through here: the client PUTs to the URL
signed here, and completion reads back only the stored object's HEAD and first bytes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from parovoz_kit.errors import BusinessRuleViolation

from parovoz_developer_portal.accounts.domain import DeveloperStatus
from parovoz_developer_portal.games.service import game_for_actor
from parovoz_developer_portal.media.domain import (
    SNIFF_BYTES,
    Media,
    MediaStatus,
    MediaType,
    StoredFacts,
    abandoned_before,
    check_stored_object,
    is_abandoned,
    mark_ready,
    mark_rejected,
    media_locale,
    media_not_found,
    media_not_uploaded,
    numbered,
    reordered,
    request_upload,
    require_completable,
)
from parovoz_developer_portal.media.ports import MediaObjects, MediaUnitOfWork
from parovoz_developer_portal.media.rules import MediaRules
from parovoz_developer_portal.team.domain import Actor, Permission


@dataclass(frozen=True)
class MediaUpload:
    """A media awaiting its upload and where to PUT it."""

    media: Media
    upload_url: str
    expires_in_seconds: int
    headers: dict[str, str]


@dataclass(frozen=True)
class ShownMedia:
    """A media as shown: a ready one with a short-lived URL to display it."""

    media: Media
    url: str | None
    url_expires_in_seconds: int | None


async def start_media_upload(
    uow: MediaUnitOfWork,
    objects: MediaObjects,
    rules: MediaRules,
    actor: Actor,
    game_id: uuid.UUID,
    media_type: MediaType,
    language_code: str,
    file_name: str,
    content_type: str,
    file_size_bytes: int,
    now: datetime,
) -> MediaUpload:
    """A new ``pending_upload`` media of the game and a pre-signed PUT URL for its file."""
    game = await game_for_actor(uow, actor, game_id, Permission.MANAGE_GAMES)
    account = await uow.accounts.get(game.developer_id)
    if account is None or account.status is DeveloperStatus.SUSPENDED:
        raise BusinessRuleViolation(
            "A suspended developer account cannot upload media.", code="ACCOUNT_SUSPENDED"
        )
    media = request_upload(
        rules,
        game,
        actor.user_id,
        media_type,
        language_code,
        file_name,
        content_type,
        file_size_bytes,
        now,
    )
    await uow.media.add(media)
    await uow.commit()
    ttl = rules.upload_url_ttl_seconds
    url = objects.presigned_put(rules.bucket, media.object_key, timedelta(seconds=ttl))
    return MediaUpload(media, url, ttl, {"Content-Type": media.content_type})


async def complete_media_upload(
    uow: MediaUnitOfWork,
    objects: MediaObjects,
    rules: MediaRules,
    actor: Actor,
    game_id: uuid.UUID,
    media_id: uuid.UUID,
    now: datetime,
) -> ShownMedia:
    """Check the stored object (HEAD: size; first bytes: type). Good: ``ready``, last of its
    list. Bad: ``rejected`` with the reason (kept), the object deleted, and the reason raised
    (422). Nothing stored yet: MEDIA_NOT_UPLOADED, nothing changes (the client may retry).
    Completing a ready media again answers it as it is."""
    game = await game_for_actor(uow, actor, game_id, Permission.MANAGE_GAMES)
    media = await _media_of(uow, game_id, media_id)
    require_completable(media, game)
    if media.status is MediaStatus.READY:
        return _shown(objects, rules, media)
    await uow.media.lock_list(game_id, media.language_code, media.media_type)
    media = await _media_of(uow, game_id, media_id)  # as it is under the lock
    require_completable(media, game)
    if media.status is MediaStatus.READY:
        return _shown(objects, rules, media)
    head = await objects.head(rules.bucket, media.object_key)
    if head is None:
        raise media_not_uploaded(media)
    first_bytes = await objects.first_bytes(rules.bucket, media.object_key, SNIFF_BYTES)
    rejection = check_stored_object(rules, media, StoredFacts(head.size, first_bytes))
    if rejection is not None:
        await objects.delete(rules.bucket, media.object_key)
        await uow.media.save(mark_rejected(media, rejection, now))
        await uow.commit()
        raise rejection.error()
    ready_list = await uow.media.ready_list(game_id, media.language_code, media.media_type)
    ready = mark_ready(media, len(ready_list) + 1, now)
    await uow.media.save(ready)
    await uow.commit()
    return _shown(objects, rules, ready)


async def game_media(
    uow: MediaUnitOfWork,
    objects: MediaObjects,
    rules: MediaRules,
    actor: Actor,
    game_id: uuid.UUID,
    language_code: str | None,
    media_type: MediaType | None,
    status: MediaStatus = MediaStatus.READY,
) -> list[ShownMedia]:
    """A game's media in one status (ready by default, in order), each ready one with a
    display URL."""
    if language_code is not None:
        language_code = media_locale(language_code, parameter="filter[language_code]")
    await game_for_actor(uow, actor, game_id, Permission.VIEW)
    listed = await uow.media.listed(game_id, status, language_code, media_type)
    return [_shown(objects, rules, media) for media in listed]


async def one_media(
    uow: MediaUnitOfWork,
    objects: MediaObjects,
    rules: MediaRules,
    actor: Actor,
    game_id: uuid.UUID,
    media_id: uuid.UUID,
) -> ShownMedia:
    await game_for_actor(uow, actor, game_id, Permission.VIEW)
    return _shown(objects, rules, await _media_of(uow, game_id, media_id))


async def reorder_media(
    uow: MediaUnitOfWork,
    objects: MediaObjects,
    rules: MediaRules,
    actor: Actor,
    game_id: uuid.UUID,
    language_code: str,
    media_type: MediaType,
    media_ids: list[uuid.UUID],
    now: datetime,
) -> list[ShownMedia]:
    """Put one list's ready media in the order given (every one of them, once each)."""
    language_code = media_locale(language_code, pointer="/data/attributes/language_code")
    await game_for_actor(uow, actor, game_id, Permission.MANAGE_GAMES)
    await uow.media.lock_list(game_id, language_code, media_type)
    ready = await uow.media.ready_list(game_id, language_code, media_type)
    moved = reordered(ready, media_ids, now)
    if moved:
        await uow.media.save_positions(moved)
        await uow.commit()
    ordered = await uow.media.ready_list(game_id, language_code, media_type)
    return [_shown(objects, rules, media) for media in ordered]


async def delete_media(
    uow: MediaUnitOfWork,
    objects: MediaObjects,
    rules: MediaRules,
    actor: Actor,
    game_id: uuid.UUID,
    media_id: uuid.UUID,
    now: datetime,
) -> None:
    """The object and the row go; the media after it in its list move up one place. The
    object is deleted first (deleting a missing object is fine), so a retry finishes a
    deletion whose commit failed."""
    await game_for_actor(uow, actor, game_id, Permission.MANAGE_GAMES)
    media = await _media_of(uow, game_id, media_id)
    await uow.media.lock_list(game_id, media.language_code, media.media_type)
    media = await _media_of(uow, game_id, media_id)
    await objects.delete(rules.bucket, media.object_key)
    await uow.media.remove(media.id)
    if media.status is MediaStatus.READY:
        rest = await uow.media.ready_list(game_id, media.language_code, media.media_type)
        await uow.media.save_positions(numbered(rest, now))
    await uow.commit()


async def expire_abandoned_uploads(
    unit_of_work: Callable[[], AbstractAsyncContextManager[MediaUnitOfWork]],
    objects: MediaObjects,
    rules: MediaRules,
    now: datetime,
    limit: int = 500,
) -> int:
    """Delete media still awaiting their upload long after their URL expired, with whatever
    was stored for them (an upload never completed); one transaction each, under its list's
    lock, so a completion at the same moment wins or loses whole. Returns how many went."""
    async with unit_of_work() as uow:
        candidates = await uow.media.abandoned(abandoned_before(rules, now), limit)
    expired = 0
    for candidate in candidates:
        async with unit_of_work() as uow:
            await uow.media.lock_list(
                candidate.game_id, candidate.language_code, candidate.media_type
            )
            media = await uow.media.get(candidate.game_id, candidate.id)
            if media is None or not is_abandoned(rules, media, now):
                continue
            await objects.delete(rules.bucket, media.object_key)
            await uow.media.remove(media.id)
            await uow.commit()
            expired += 1
    return expired


async def screenshot_count(uow: MediaUnitOfWork, game_id: uuid.UUID) -> int:
    """Ready screenshots of a game, in any locale (publication needs a few)."""
    return await uow.media.count_ready(game_id, MediaType.SCREENSHOT)


async def _media_of(uow: MediaUnitOfWork, game_id: uuid.UUID, media_id: uuid.UUID) -> Media:
    media = await uow.media.get(game_id, media_id)
    if media is None:
        raise media_not_found(media_id)
    return media


def _shown(objects: MediaObjects, rules: MediaRules, media: Media) -> ShownMedia:
    if media.status is not MediaStatus.READY:
        return ShownMedia(media, None, None)
    ttl = rules.display_url_ttl_seconds
    url = objects.presigned_get(rules.bucket, media.object_key, timedelta(seconds=ttl))
    return ShownMedia(media, url, ttl)
