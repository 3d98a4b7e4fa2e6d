"""builds: the verification of completed uploads (the ``builds-verify`` job's use case).

Each ``processing`` build is leased to one worker (``claim_processing_build``: a lease column
taken with ``FOR UPDATE SKIP LOCKED``, so two runners never verify the same build, and a dead
runner's build is taken again once its lease has passed). The stored object is read back from
S3 (a HEAD, then a streamed SHA-256 when the size is right) outside any transaction; the
verdict, and what it makes of the version, is stored under the version's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from parovoz_developer_portal.builds.ports import BuildStorage, BuildsUnitOfWork
from parovoz_developer_portal.builds.rules import BuildRules
from parovoz_developer_portal.builds.uploads import (
    BuildStatus,
    GameBuild,
    settle_version,
    verify_build,
)
from parovoz_developer_portal.notifications import service as notifications

UnitOfWorkFactory = Callable[[], AbstractAsyncContextManager[BuildsUnitOfWork]]


@dataclass(frozen=True)
class VerificationRun:
    verified: tuple[GameBuild, ...] = ()
    failed: tuple[GameBuild, ...] = ()


async def _verdict(
    storage: BuildStorage, rules: BuildRules, build: GameBuild
) -> tuple[int | None, str | None]:
    stored = await storage.head(rules.bucket, build.s3_path)
    if stored is None:
        return None, None
    if stored.size != build.file_size_bytes:
        return stored.size, None
    sha256, size = await storage.sha256(rules.bucket, build.s3_path)
    return size, sha256


async def verify_next_build(
    unit_of_work: UnitOfWorkFactory,
    storage: BuildStorage,
    rules: BuildRules,
    holder: str,
    now: Callable[[], datetime],
) -> GameBuild | None:
    """Verify one processing build nobody holds; the build as verified (or failed), or None
    when there is nothing to verify."""
    lease = timedelta(seconds=rules.verify_lease_seconds)
    async with unit_of_work() as uow:
        claimed = await uow.builds.claim_processing_build(now(), lease, holder)
        await uow.commit()
    if claimed is None:
        return None
    try:
        stored_size, stored_sha256 = await _verdict(storage, rules, claimed)
    except Exception:
        # S3 did not answer: the build is given back for the next run rather than held
        # until its lease passes.
        async with unit_of_work() as uow:
            await uow.builds.release_lease(claimed.id, holder)
            await uow.commit()
        raise
    async with unit_of_work() as uow:
        version = await uow.builds.version_for_update(claimed.version_id)
        current = await uow.builds.build(claimed.id)
        if version is None or current is None or current.status is not BuildStatus.PROCESSING:
            return current  # gone or changed meanwhile: nothing to decide
        checked = verify_build(current, stored_size, stored_sha256, now())
        await uow.builds.save_build(checked)
        settled = settle_version(version, await uow.builds.builds_of_version(version.id), now())
        if settled is not None:
            await uow.builds.save_version(settled)
        # The account's inbox hears the verdict in the same transaction.
        await notifications.on_build_checked(
            uow,  # the portal's unit of work, with the inbox
            developer_id=checked.developer_id,
            game_id=checked.game_id,
            version_id=checked.version_id,
            build_id=checked.id,
            file_name=checked.file_name,
            platform=checked.platform.value,
            verified=checked.status is BuildStatus.VERIFIED,
            failure=checked.failure_reason.value if checked.failure_reason else None,
            now=now(),
        )
        await uow.commit()
    return checked


async def verify_processing_builds(
    unit_of_work: UnitOfWorkFactory,
    storage: BuildStorage,
    rules: BuildRules,
    holder: str,
    now: Callable[[], datetime],
    limit: int = 100,
) -> VerificationRun:
    """Verify processing builds one after another until none is left (or ``limit``)."""
    verified: list[GameBuild] = []
    failed: list[GameBuild] = []
    for _ in range(limit):
        build = await verify_next_build(unit_of_work, storage, rules, holder, now)
        if build is None:
            break
        if build.status is BuildStatus.VERIFIED:
            verified.append(build)
        elif build.status is BuildStatus.FAILED:
            failed.append(build)
    return VerificationRun(tuple(verified), tuple(failed))
