"""The verification worker on the real engines: a build is leased to one runner at a time (two
runners at once hash each build once; a live lease is skipped, an expired one taken again, the
clock moved rather than slept on), and what review and releases ask of builds.service."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from parovoz_developer_portal.builds import service as builds
from parovoz_developer_portal.builds.domain import VersionStatus
from parovoz_developer_portal.builds.repository import SqlBuilds
from parovoz_developer_portal.builds.verification import (
    verify_next_build,
    verify_processing_builds,
)
from parovoz_developer_portal.team.domain import Actor, TeamRole
from parovoz_developer_portal.unit_of_work import portal_unit_of_work
from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.storage import ObjectStorage
from parovoz_testing.tokens import user_token
from sqlalchemy import text

PREFIX = "/api/v1/developer"


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


class CountingStorage:
    """The real storage, counting the streamed SHA-256 reads per key."""

    def __init__(self, storage: ObjectStorage) -> None:
        self._storage = storage
        self.hashed: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)

    async def sha256(self, bucket: str, key: str) -> tuple[str, int]:
        self.hashed[key] += 1
        await asyncio.sleep(0.05)  # a slow read: the other runner looks meanwhile
        return await self._storage.sha256(bucket, key)


async def processing_version(
    client: httpx.AsyncClient, owner: uuid.UUID, game_id: str, name: str, platforms: list[str]
) -> tuple[str, list[str]]:
    """A version whose builds (one per platform) are uploaded and completed: processing."""
    versions = f"{PREFIX}/games/{game_id}/versions"
    version = await client.post(
        versions,
        headers=auth(owner),
        json={"data": {"type": "gameVersionCreation", "attributes": {"version_name": name}}},
    )
    assert version.status_code == 201, version.text
    version_id = version.json()["data"]["id"]
    keys = []
    async with httpx.AsyncClient(timeout=60) as s3:
        for platform in platforms:
            data = os.urandom(64 * 1024)
            answer = await client.post(
                f"{versions}/{version_id}/builds/upload-url",
                headers=auth(owner),
                json={
                    "data": {
                        "type": "buildUploadRequest",
                        "attributes": {
                            "file_name": f"{platform}.zip",
                            "file_size_bytes": len(data),
                            "content_type": "application/zip",
                            "platform": platform,
                        },
                    }
                },
            )
            upload = answer.json()["data"]
            assert (await s3.put(upload["attributes"]["upload_url"], content=data)).is_success
            completed = await client.post(
                f"{versions}/{version_id}/builds/upload-complete",
                headers=auth(owner),
                json={
                    "data": {
                        "type": "buildUploadCompletion",
                        "attributes": {
                            "internal_build_id": upload["id"],
                            "s3_path": upload["attributes"]["s3_path"],
                            "file_hash_sha256": hashlib.sha256(data).hexdigest(),
                        },
                    }
                },
            )
            assert completed.status_code == 200, completed.text
            keys.append(upload["attributes"]["s3_path"])
    return version_id, keys


@pytest.fixture
async def game(new_studio: Callable[[], Awaitable[Any]]) -> tuple[Any, str]:
    studio = await new_studio()
    made = await studio.client.post(
        f"{PREFIX}/games",
        headers=auth(studio.owner),
        json={"data": {"type": "productCreation", "attributes": {"title": "Воркер"}}},
    )
    assert made.status_code == 201, made.text
    return studio, made.json()["data"]["id"]


async def test_two_runners_at_once_verify_each_build_once(
    game: tuple[Any, str], infrastructure: Infrastructure
) -> None:
    studio, game_id = game
    version_id, keys = await processing_version(
        studio.client, studio.owner, game_id, "1.0", ["windows_x64", "linux_x64", "macos_arm64"]
    )
    rules = infrastructure.settings.build_rules()  # type: ignore[attr-defined]
    storage = CountingStorage(infrastructure.storage())

    def unit_of_work() -> Any:
        return portal_unit_of_work(infrastructure)

    now = infrastructure.clock.now
    await asyncio.gather(
        verify_processing_builds(unit_of_work, storage, rules, "runner-a", now),
        verify_processing_builds(unit_of_work, storage, rules, "runner-b", now),
    )
    assert all(storage.hashed[key] <= 1 for key in keys), storage.hashed
    version = await studio.client.get(
        f"{PREFIX}/games/{game_id}/versions/{version_id}", headers=auth(studio.owner)
    )
    attributes = version.json()["data"]["attributes"]
    if attributes["status"] == "processing":  # the running service's runner held one
        await verify_processing_builds(unit_of_work, storage, rules, "runner-a", now)
        version = await studio.client.get(
            f"{PREFIX}/games/{game_id}/versions/{version_id}", headers=auth(studio.owner)
        )
        attributes = version.json()["data"]["attributes"]
    assert attributes["status"] == "ready_for_review"
    assert {b["status"] for b in attributes["builds"]} == {"verified"}

    # What review and releases ask of the version.
    actor = Actor(uuid.UUID(str(studio.developer_id)), studio.owner, TeamRole.OWNER)
    async with portal_unit_of_work(infrastructure) as uow:
        found = await builds.version_for_actor(
            uow, actor, uuid.UUID(game_id), uuid.UUID(version_id)
        )
        assert found.status is VersionStatus.READY_FOR_REVIEW
        await builds.require_complete_builds(uow, found)
        assert await builds.verified_platforms(uow, found.id) == [
            "linux_x64",
            "macos_arm64",
            "windows_x64",
        ]
        assert [v.id for v in await builds.versions_of_game(uow, found.game_id)] == [found.id]
        moved = await builds.save_version_status(
            uow, found, VersionStatus.IN_REVIEW, infrastructure.clock.now()
        )
        assert (await uow.builds.version(found.id)).status is VersionStatus.IN_REVIEW  # type: ignore[union-attr]
        assert moved.status is VersionStatus.IN_REVIEW
        # Not committed: the version stays ready_for_review.


async def test_a_live_lease_is_skipped_and_an_expired_one_taken_again(
    game: tuple[Any, str], infrastructure: Infrastructure
) -> None:
    """Claims in transactions that are never committed (no build is left leased)."""
    studio, game_id = game
    version_id, _ = await processing_version(
        studio.client, studio.owner, game_id, "2.0", ["windows_x64"]
    )
    async with infrastructure.session_factory() as session:
        mine = (
            await session.execute(
                text("SELECT id FROM game_builds WHERE version_id = :v"), {"v": version_id}
            )
        ).scalar_one()
    lease = timedelta(minutes=10)
    start = datetime.now(UTC)

    async def claim_all(repository: SqlBuilds, now: datetime, holder: str) -> set[uuid.UUID]:
        claimed: set[uuid.UUID] = set()
        for _ in range(200):
            build = await repository.claim_processing_build(now, lease, holder)
            if build is None:
                break
            claimed.add(build.id)
        return claimed

    async with infrastructure.session_factory() as first, infrastructure.session_factory() as other:
        runner_a = SqlBuilds(first)
        assert mine in await claim_all(runner_a, start, "a")
        # Another runner, meanwhile: the build is locked, then leased, never handed out twice.
        assert mine not in await claim_all(SqlBuilds(other), start, "b")
        await other.rollback()
        # The lease still runs: nobody takes the build; once it has passed, it is taken again.
        assert mine not in await claim_all(runner_a, start + lease / 2, "c")
        assert mine in await claim_all(runner_a, start + lease + timedelta(seconds=1), "d")
        await first.rollback()


async def test_no_build_no_review(game: tuple[Any, str], infrastructure: Infrastructure) -> None:
    studio, game_id = game
    made = await studio.client.post(
        f"{PREFIX}/games/{game_id}/versions",
        headers=auth(studio.owner),
        json={
            "data": {
                "type": "gameVersionCreation",
                "attributes": {"version_name": "3.0", "platforms": ["windows_x64", "linux_x64"]},
            }
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["data"]["attributes"]["platforms"] == ["windows_x64", "linux_x64"]
    actor = Actor(uuid.UUID(str(studio.developer_id)), studio.owner, TeamRole.OWNER)
    async with portal_unit_of_work(infrastructure) as uow:
        version = await builds.version_for_actor(
            uow, actor, uuid.UUID(game_id), uuid.UUID(made.json()["data"]["id"])
        )
        with pytest.raises(builds.BuildsIncomplete) as incomplete:
            await builds.require_complete_builds(uow, version)
    assert incomplete.value.code == "BUILDS_INCOMPLETE"
    assert incomplete.value.missing == ("windows_x64", "linux_x64")


async def test_an_archived_game_takes_no_version(
    game: tuple[Any, str], infrastructure: Infrastructure
) -> None:
    studio, game_id = game
    async with infrastructure.session_factory.begin() as session:
        await session.execute(
            text("UPDATE games SET status = 'archived' WHERE id = :id"), {"id": game_id}
        )
    refused = await studio.client.post(
        f"{PREFIX}/games/{game_id}/versions",
        headers=auth(studio.owner),
        json={"data": {"type": "gameVersionCreation", "attributes": {"version_name": "1"}}},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "GAME_ARCHIVED"


class FailingStorage(CountingStorage):
    """S3 that breaks while reading one key back."""

    def __init__(self, storage: ObjectStorage, broken_key: str) -> None:
        super().__init__(storage)
        self.broken_key = broken_key

    async def sha256(self, bucket: str, key: str) -> tuple[str, int]:
        if key == self.broken_key:
            raise ConnectionError("S3 went away")
        return await super().sha256(bucket, key)


async def test_a_build_s3_could_not_read_is_given_back_for_the_next_run(
    game: tuple[Any, str], infrastructure: Infrastructure
) -> None:
    studio, game_id = game
    version_id, [key] = await processing_version(
        studio.client, studio.owner, game_id, "4.0", ["windows_x64"]
    )
    rules = infrastructure.settings.build_rules()  # type: ignore[attr-defined]
    broken = FailingStorage(infrastructure.storage(), key)

    def unit_of_work() -> Any:
        return portal_unit_of_work(infrastructure)

    failed = False
    for _ in range(50):  # other processing builds may come first; they verify normally
        try:
            if (
                await verify_next_build(
                    unit_of_work, broken, rules, "runner-x", infrastructure.clock.now
                )
                is None
            ):
                break
        except ConnectionError:
            failed = True
            break
    async with infrastructure.session_factory() as session:
        row = (
            await session.execute(
                text(
                    "SELECT status, leased_until, lease_holder FROM game_builds "
                    "WHERE version_id = :v"
                ),
                {"v": version_id},
            )
        ).one()
    if failed:  # ours broke: back to processing with no lease, not held for an hour
        assert (row.status, row.leased_until, row.lease_holder) == ("processing", None, None)
    await verify_processing_builds(
        unit_of_work, infrastructure.storage(), rules, "runner-y", infrastructure.clock.now
    )
    version = await studio.client.get(
        f"{PREFIX}/games/{game_id}/versions/{version_id}", headers=auth(studio.owner)
    )
    assert version.json()["data"]["attributes"]["status"] == "ready_for_review"


async def test_a_completion_whose_answer_was_lost_completes_again(
    game: tuple[Any, str], infrastructure: Infrastructure
) -> None:
    """S3 completed the multipart upload, but the client never heard back: calling
    upload-complete again finds the whole object stored and goes on."""
    studio, game_id = game
    versions = f"{PREFIX}/games/{game_id}/versions"
    version = await studio.client.post(
        versions,
        headers=auth(studio.owner),
        json={"data": {"type": "gameVersionCreation", "attributes": {"version_name": "5.0"}}},
    )
    version_id = version.json()["data"]["id"]
    data = os.urandom(100 * 1024)
    answer = await studio.client.post(
        f"{versions}/{version_id}/builds/upload-url",
        headers=auth(studio.owner),
        json={
            "data": {
                "type": "buildUploadRequest",
                "attributes": {
                    "file_name": "lost.zip",
                    "file_size_bytes": len(data),
                    "content_type": "application/zip",
                    "platform": "linux_x64",
                    "upload_type": "multipart",
                },
            }
        },
    )
    upload = answer.json()["data"]
    key = upload["attributes"]["s3_path"]
    async with infrastructure.session_factory() as session:
        upload_id = (
            await session.execute(
                text("SELECT upload_id FROM game_builds WHERE id = :id"), {"id": upload["id"]}
            )
        ).scalar_one()
    storage = infrastructure.storage()
    url = storage.presigned_part("developer-builds", key, upload_id, 1, timedelta(minutes=5))
    async with httpx.AsyncClient() as s3:
        assert (await s3.put(url, content=data)).is_success
    parts = await storage.stored_parts("developer-builds", key, upload_id)
    await storage.complete_multipart("developer-builds", key, upload_id, parts)

    completed = await studio.client.post(
        f"{versions}/{version_id}/builds/upload-complete",
        headers=auth(studio.owner),
        json={
            "data": {
                "type": "buildUploadCompletion",
                "attributes": {
                    "internal_build_id": upload["id"],
                    "s3_path": key,
                    "file_hash_sha256": hashlib.sha256(data).hexdigest(),
                },
            }
        },
    )
    assert completed.status_code == 200, completed.text
    assert completed.json()["data"]["attributes"]["status"] == "processing"
