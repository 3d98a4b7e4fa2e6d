"""builds: use cases of uploading build files straight to S3 with pre-signed URLs (no build
byte passes through the service): request an upload, sign part URLs, list stored parts, abort,
complete (hand the file to the verification worker)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from parovoz_developer_portal.builds.domain import GameVersion, Platform, require_builds_open
from parovoz_developer_portal.builds.ports import BuildStorage, BuildsUnitOfWork, StoredPartLike
from parovoz_developer_portal.builds.rules import BuildRules
from parovoz_developer_portal.builds.service import (
    VersionView,
    build_of_version,
    locked_version_for_actor,
    version_for_actor,
    view_of,
)
from parovoz_developer_portal.builds.uploads import (
    BuildStatus,
    GameBuild,
    UploadType,
    abort_build,
    build_key,
    check_file_name,
    check_part_numbers,
    check_upload_request,
    complete_build,
    missing_parts,
    new_build,
    parts_missing_error,
    plan_upload,
    require_multipart,
    require_replaceable,
    require_targeted,
    settle_version,
)
from parovoz_developer_portal.team.domain import Actor, Permission


@dataclass(frozen=True)
class BuildUpload:
    build: GameBuild
    #: The pre-signed PUT of a single upload; None for a multipart one (parts are signed apart).
    upload_url: str | None


@dataclass(frozen=True)
class Uploads:
    """Where builds go and how long their URLs live."""

    storage: BuildStorage
    rules: BuildRules

    @property
    def ttl(self) -> timedelta:
        return timedelta(seconds=self.rules.upload_url_ttl_seconds)

    async def discard(self, build: GameBuild) -> None:
        """Abort the build's multipart upload and remove its object (either may be absent)."""
        if build.upload_id is not None:
            await self.storage.abort_multipart(self.rules.bucket, build.s3_path, build.upload_id)
        await self.storage.delete(self.rules.bucket, build.s3_path)


async def _settle(uow: BuildsUnitOfWork, version: GameVersion, now: datetime) -> GameVersion:
    builds = await uow.builds.builds_of_version(version.id)
    settled = settle_version(version, builds, now)
    if settled is None:
        return version
    await uow.builds.save_version(settled)
    return settled


async def request_upload(
    uow: BuildsUnitOfWork,
    uploads: Uploads,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    platform: Platform,
    file_name: str,
    file_size_bytes: int,
    content_type: str,
    now: datetime,
    upload_type: UploadType | None = None,
) -> BuildUpload:
    """A new build of ``platform`` (replacing its unfinished, failed or verified one) and how
    to upload it: one pre-signed PUT, or a multipart upload opened in S3."""
    version = await locked_version_for_actor(
        uow, actor, game_id, version_id, Permission.MANAGE_GAMES
    )
    require_builds_open(version)
    require_targeted(version, platform)
    check_file_name(file_name)
    check_upload_request(file_size_bytes, content_type, uploads.rules)
    for current in await uow.builds.builds_of_version(version.id):
        if current.platform is platform and current.status is not BuildStatus.ABORTED:
            require_replaceable(current)
            await uploads.discard(current)
            await uow.builds.save_build(abort_build(current, now))
    plan = plan_upload(file_size_bytes, uploads.rules, upload_type)
    upload_id = None
    if plan.upload_type is UploadType.MULTIPART:
        upload_id = await uploads.storage.start_multipart(
            uploads.rules.bucket, build_key(version, platform, file_name), content_type
        )
    build = new_build(
        version, platform, file_name, file_size_bytes, content_type, plan, upload_id, now
    )
    await uow.builds.add_build(build)
    await _settle(uow, version, now)
    await uow.commit()
    url = None
    if plan.upload_type is UploadType.SINGLE:
        url = uploads.storage.presigned_put(uploads.rules.bucket, build.s3_path, uploads.ttl)
    return BuildUpload(build, url)


async def _uploading_multipart(
    uow: BuildsUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    build_id: uuid.UUID,
    permission: Permission = Permission.MANAGE_GAMES,
) -> GameBuild:
    version = await version_for_actor(uow, actor, game_id, version_id, permission)
    build = await build_of_version(uow, version, build_id)
    require_multipart(build)
    return build


async def part_upload_urls(
    uow: BuildsUnitOfWork,
    uploads: Uploads,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    build_id: uuid.UUID,
    part_numbers: Sequence[int],
) -> list[tuple[int, str]]:
    """Pre-signed PUT URLs of the given parts of a multipart upload in progress."""
    build = await _uploading_multipart(uow, actor, game_id, version_id, build_id)
    check_part_numbers(build, part_numbers)
    upload_id = build.upload_id or ""
    return [
        (
            number,
            uploads.storage.presigned_part(
                uploads.rules.bucket, build.s3_path, upload_id, number, uploads.ttl
            ),
        )
        for number in part_numbers
    ]


async def stored_parts(
    uow: BuildsUnitOfWork,
    uploads: Uploads,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    build_id: uuid.UUID,
) -> tuple[GameBuild, list[StoredPartLike]]:
    """The parts S3 holds of a multipart upload in progress (to resume with the others)."""
    build = await _uploading_multipart(uow, actor, game_id, version_id, build_id, Permission.VIEW)
    parts = await uploads.storage.stored_parts(
        uploads.rules.bucket, build.s3_path, build.upload_id or ""
    )
    return build, sorted(parts, key=lambda part: part.part_number)


async def build_for_actor(
    uow: BuildsUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    build_id: uuid.UUID,
) -> GameBuild:
    version = await version_for_actor(uow, actor, game_id, version_id, Permission.VIEW)
    return await build_of_version(uow, version, build_id)


async def abort_upload(
    uow: BuildsUnitOfWork,
    uploads: Uploads,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    build_id: uuid.UUID,
    now: datetime,
) -> None:
    """Abort the build's upload (its multipart upload and object removed); ``aborted``."""
    version = await locked_version_for_actor(
        uow, actor, game_id, version_id, Permission.MANAGE_GAMES
    )
    build = await build_of_version(uow, version, build_id)
    if build.status is BuildStatus.ABORTED:
        return
    require_builds_open(version)
    aborted = abort_build(build, now)
    await uploads.discard(build)
    await uow.builds.save_build(aborted)
    await _settle(uow, version, now)
    await uow.commit()


async def complete_upload(
    uow: BuildsUnitOfWork,
    uploads: Uploads,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    build_id: uuid.UUID,
    s3_path: str,
    file_hash_sha256: str,
    now: datetime,
) -> VersionView:
    """The client says the file is uploaded: a multipart upload is completed from the parts S3
    holds (BUILD_PARTS_MISSING names those it lacks); the build and version go ``processing``
    for the worker. Repeating it for a build processing or verified changes nothing."""
    version = await locked_version_for_actor(
        uow, actor, game_id, version_id, Permission.MANAGE_GAMES
    )
    build = await build_of_version(uow, version, build_id)
    completed = complete_build(build, s3_path, file_hash_sha256.lower(), now)
    if completed is not build:
        require_builds_open(version)
        if build.upload_type is UploadType.MULTIPART:
            await _complete_multipart(uploads, build)
        await uow.builds.save_build(completed)
        version = await _settle(uow, version, now)
        await uow.commit()
    return await view_of(uow, version)


async def _complete_multipart(uploads: Uploads, build: GameBuild) -> None:
    bucket, upload_id = uploads.rules.bucket, build.upload_id or ""
    stored = await uploads.storage.head(bucket, build.s3_path)
    if stored is not None and stored.size == build.file_size_bytes:
        return  # completed in S3 by an earlier call whose answer was lost
    parts = await uploads.storage.stored_parts(bucket, build.s3_path, upload_id)
    missing = missing_parts(build, ((part.part_number, part.size) for part in parts))
    if missing:
        raise parts_missing_error(missing)
    wanted = [part for part in parts if part.part_number <= (build.part_count or 0)]
    await uploads.storage.complete_multipart(bucket, build.s3_path, upload_id, wanted)
