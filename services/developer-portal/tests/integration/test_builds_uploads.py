"""Versions and build uploads on the real engines (PostgreSQL, Redis, the S3 endpoint): the app
runs in this process with its own settings (parts of 5 MiB above 5 MiB, so a multipart upload
is small), the client holds only the pre-signed URLs and PUTs the bytes to S3 itself, and the
``builds-verify`` job reads them back."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from parovoz_developer_portal.main import SERVICE
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_kit.storage import UploadNotFound
from parovoz_testing.tokens import user_token
from sqlalchemy import text

PREFIX = "/api/v1/developer"
MIB = 1024 * 1024
PART = 5 * MIB


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


@pytest.fixture(scope="module")
async def infrastructure() -> AsyncIterator[Infrastructure]:
    settings = DeveloperPortalSettings(
        environment="test", build_part_size_bytes=PART, build_single_put_max_bytes=PART
    )
    async with open_infrastructure(settings) as infra:
        yield infra


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
        yield http


class Game:
    """A studio's game and the calls of its versions and builds."""

    def __init__(self, account: Any) -> None:
        self.client: httpx.AsyncClient = account.client
        self.owner: uuid.UUID = account.owner
        self.member = account.member
        self.s3 = httpx.AsyncClient(timeout=60)

    async def draft(self) -> Game:
        game = await self.client.post(
            f"{PREFIX}/games",
            headers=auth(self.owner),
            json={"data": {"type": "productCreation", "attributes": {"title": "Билды"}}},
        )
        assert game.status_code == 201, game.text
        self.id = game.json()["data"]["id"]
        self.versions = f"{PREFIX}/games/{self.id}/versions"
        return self

    async def version(self, name: str = "1.0.0", **attributes: Any) -> dict[str, Any]:
        answer = await self.client.post(
            self.versions,
            headers=auth(self.owner),
            json={
                "data": {
                    "type": "gameVersionCreation",
                    "attributes": {
                        "version_name": name,
                        "changelog": {"ru-RU": "Исправлены ошибки."},
                        **attributes,
                    },
                }
            },
        )
        assert answer.status_code == 201, answer.text
        return answer.json()["data"]

    async def upload_url(
        self, version_id: str, size: int, user: uuid.UUID | None = None, **changes: Any
    ) -> httpx.Response:
        attributes = {
            "file_name": "game.zip",
            "file_size_bytes": size,
            "content_type": "application/zip",
            "platform": "windows_x64",
            **changes,
        }
        return await self.client.post(
            f"{self.versions}/{version_id}/builds/upload-url",
            headers=auth(user or self.owner),
            json={"data": {"type": "buildUploadRequest", "attributes": attributes}},
        )

    async def part_urls(self, version_id: str, build_id: str, numbers: list[int]) -> dict:
        answer = await self.client.post(
            f"{self.versions}/{version_id}/builds/{build_id}/parts",
            headers=auth(self.owner),
            json={"data": {"type": "buildPartUrls", "attributes": {"part_numbers": numbers}}},
        )
        assert answer.status_code == 200, answer.text
        return {
            part["part_number"]: part["upload_url"]
            for part in answer.json()["data"]["attributes"]["parts"]
        }

    async def put_parts(self, urls: dict[int, str], data: bytes, part_size: int) -> None:
        for number, url in urls.items():
            chunk = data[(number - 1) * part_size : number * part_size]
            stored = await self.s3.put(url, content=chunk)
            assert stored.status_code == 200, stored.text

    async def complete(self, version_id: str, upload: dict, sha256: str) -> httpx.Response:
        return await self.client.post(
            f"{self.versions}/{version_id}/builds/upload-complete",
            headers=auth(self.owner),
            json={
                "data": {
                    "type": "buildUploadCompletion",
                    "attributes": {
                        "internal_build_id": upload["id"],
                        "s3_path": upload["attributes"]["s3_path"],
                        "file_hash_sha256": sha256,
                    },
                }
            },
        )

    async def get(self, path: str, user: uuid.UUID | None = None) -> httpx.Response:
        return await self.client.get(f"{self.versions}{path}", headers=auth(user or self.owner))

    async def verify(self, version_id: str) -> dict[str, Any]:
        """Run the worker until the version leaves ``processing`` (the running service's own
        worker may hold a build for a moment)."""
        admin = {"Authorization": f"Bearer {user_token(str(uuid.uuid4()), roles=('admin',))}"}
        for _ in range(30):
            ran = await self.client.post(
                "/internal/jobs/builds-verify/run",
                params={"period": f"test-{uuid.uuid4().hex}"},
                headers=admin,
            )
            assert ran.status_code == 200, ran.text
            version = (await self.get(f"/{version_id}")).json()["data"]
            if version["attributes"]["status"] != "processing":
                return version
        raise AssertionError("the version stayed processing")


@pytest.fixture
async def game(new_studio: Callable[[], Awaitable[Any]]) -> AsyncIterator[Game]:
    made = await Game(await new_studio()).draft()
    yield made
    await made.s3.aclose()


async def test_a_single_upload_with_the_url_only_is_verified(game: Game) -> None:
    version = await game.version()
    assert version["attributes"]["status"] == "uploading"
    assert version["attributes"]["builds"] == []
    data = os.urandom(3 * MIB)
    answer = await game.upload_url(version["id"], len(data))
    assert answer.status_code == 200, answer.text
    upload = answer.json()["data"]
    attributes = upload["attributes"]
    assert upload["type"] == "presignedUploadUrl"
    assert attributes["upload_type"] == "single" and attributes["method"] == "PUT"
    assert attributes["internal_build_id"] == upload["id"]
    assert attributes["expires_in_seconds"] == 3600
    assert attributes["part_count"] is None
    assert attributes["s3_path"].endswith(f"/{game.id}/{version['id']}/windows_x64/game.zip")
    stored = await game.s3.put(attributes["upload_url"], content=data)
    assert stored.status_code == 200, stored.text

    completed = await game.complete(version["id"], upload, hashlib.sha256(data).hexdigest())
    assert completed.status_code == 200, completed.text
    assert completed.json()["data"]["attributes"]["status"] == "processing"
    again = await game.complete(version["id"], upload, hashlib.sha256(data).hexdigest())
    assert again.status_code == 200, again.text

    verified = await game.verify(version["id"])
    assert verified["attributes"]["status"] == "ready_for_review"
    assert verified["attributes"]["platforms"] == ["windows_x64"]
    [build] = verified["attributes"]["builds"]
    assert build["status"] == "verified" and build["verified_at"]
    one = await game.get(f"/{version['id']}/builds/{upload['id']}")
    assert one.json()["data"]["attributes"]["status"] == "verified"


async def test_a_multipart_upload_resumes_with_the_missing_parts(game: Game) -> None:
    version = await game.version(platforms=["windows_x64", "linux_x64"])
    untargeted = await game.upload_url(version["id"], 10, platform="macos_x64")
    assert untargeted.status_code == 422
    assert untargeted.json()["errors"][0]["code"] == "PLATFORM_NOT_TARGETED"
    data = os.urandom(2 * PART + 123)
    answer = await game.upload_url(version["id"], len(data), platform="linux_x64")
    assert answer.status_code == 200, answer.text
    upload = answer.json()["data"]
    attributes = upload["attributes"]
    assert attributes["upload_type"] == "multipart" and attributes["upload_url"] is None
    assert (attributes["part_size_bytes"], attributes["part_count"]) == (PART, 3)

    # Two parts, then the client stops.
    await game.put_parts(await game.part_urls(version["id"], upload["id"], [1, 2]), data, PART)
    early = await game.complete(version["id"], upload, hashlib.sha256(data).hexdigest())
    assert early.status_code == 422
    assert early.json()["errors"][0]["code"] == "BUILD_PARTS_MISSING"
    assert "3" in early.json()["errors"][0]["detail"]

    # Resume: what is stored, then the rest.
    parts = await game.get(f"/{version['id']}/builds/{upload['id']}/parts")
    assert parts.status_code == 200, parts.text
    stored = parts.json()["data"]["attributes"]
    assert [p["part_number"] for p in stored["parts"]] == [1, 2]
    assert all(p["size_bytes"] == PART and p["etag"] for p in stored["parts"])
    missing = [n for n in range(1, stored["part_count"] + 1) if n not in {1, 2}]
    await game.put_parts(await game.part_urls(version["id"], upload["id"], missing), data, PART)

    completed = await game.complete(version["id"], upload, hashlib.sha256(data).hexdigest())
    assert completed.status_code == 200, completed.text
    verified = await game.verify(version["id"])
    # linux is verified, but windows (a target) has no build yet: still uploading.
    assert verified["attributes"]["status"] == "uploading"
    assert [b["status"] for b in verified["attributes"]["builds"]] == ["verified"]


async def test_a_wrong_hash_fails_processing_with_the_reason(game: Game) -> None:
    version = await game.version()
    data = os.urandom(MIB)
    upload = (await game.upload_url(version["id"], len(data))).json()["data"]
    await game.s3.put(upload["attributes"]["upload_url"], content=data)
    completed = await game.complete(version["id"], upload, hashlib.sha256(b"other").hexdigest())
    assert completed.status_code == 200, completed.text
    failed = await game.verify(version["id"])
    assert failed["attributes"]["status"] == "failed_processing"
    assert "hash_mismatch" in failed["attributes"]["status_reason"]
    build = (await game.get(f"/{version['id']}/builds/{upload['id']}")).json()["data"]
    assert build["attributes"]["status"] == "failed"
    assert build["attributes"]["failure_reason"] == "hash_mismatch"

    # A new upload of the platform replaces the failed build.
    again = await game.upload_url(version["id"], len(data))
    assert again.status_code == 200, again.text
    replaced = (await game.get(f"/{version['id']}")).json()["data"]["attributes"]
    assert replaced["status"] == "uploading"
    assert [b["id"] for b in replaced["builds"]] == [again.json()["data"]["id"]]


async def test_a_short_file_fails_with_size_mismatch(game: Game) -> None:
    version = await game.version()
    data = os.urandom(MIB)
    upload = (await game.upload_url(version["id"], len(data) + 1)).json()["data"]
    await game.s3.put(upload["attributes"]["upload_url"], content=data)
    await game.complete(version["id"], upload, hashlib.sha256(data).hexdigest())
    failed = await game.verify(version["id"])
    assert failed["attributes"]["status"] == "failed_processing"
    assert "size_mismatch" in failed["attributes"]["status_reason"]


async def test_an_upload_is_aborted(game: Game, infrastructure: Infrastructure) -> None:
    version = await game.version()
    data = os.urandom(PART + 10)
    upload = (await game.upload_url(version["id"], len(data))).json()["data"]
    await game.put_parts(await game.part_urls(version["id"], upload["id"], [1]), data, PART)
    path = f"{game.versions}/{version['id']}/builds/{upload['id']}"
    deleted = await game.client.delete(path, headers=auth(game.owner))
    assert deleted.status_code == 204, deleted.text
    assert (await game.client.delete(path, headers=auth(game.owner))).status_code == 204
    build = (await game.get(f"/{version['id']}/builds/{upload['id']}")).json()["data"]
    assert build["attributes"]["status"] == "aborted"
    # The multipart upload is gone from S3: its parts can no longer be listed.
    async with infrastructure.session_factory() as session:
        upload_id = (
            await session.execute(
                text("SELECT upload_id FROM game_builds WHERE id = :id"), {"id": upload["id"]}
            )
        ).scalar_one()
    storage, key = infrastructure.storage(), upload["attributes"]["s3_path"]
    with pytest.raises(UploadNotFound):
        await storage.stored_parts("developer-builds", key, upload_id)
    assert await storage.head("developer-builds", key) is None
    late = await game.complete(version["id"], upload, hashlib.sha256(data).hexdigest())
    assert late.status_code == 422
    assert late.json()["errors"][0]["code"] == "BUILD_NOT_UPLOADING"
    listed = (await game.get(f"/{version['id']}")).json()["data"]["attributes"]
    assert listed["builds"] == [] and listed["status"] == "uploading"


async def test_size_and_type_are_refused(game: Game) -> None:
    version = await game.version()
    too_large = await game.upload_url(version["id"], 100 * 1000**3 + 1)
    assert too_large.status_code == 413
    error = too_large.json()["errors"][0]
    assert error["code"] == "FILE_TOO_LARGE"
    assert error["source"]["pointer"] == "/data/attributes/file_size_bytes"
    wrong_type = await game.upload_url(version["id"], 10, content_type="image/png")
    assert wrong_type.status_code == 422
    assert wrong_type.json()["errors"][0]["code"] == "UNSUPPORTED_BUILD_TYPE"
    one_put = await game.upload_url(version["id"], PART + 1, upload_type="single")
    assert one_put.status_code == 422
    assert one_put.json()["errors"][0]["code"] == "SINGLE_PUT_TOO_LARGE"
    in_parts = await game.upload_url(version["id"], 10, upload_type="multipart")
    assert in_parts.json()["data"]["attributes"]["part_count"] == 1
    no_platform = await game.upload_url(version["id"], 10, platform="amiga")
    assert no_platform.status_code == 400
    path = await game.upload_url(version["id"], 10, file_name="../evil.zip")
    assert path.status_code == 400
    assert path.json()["errors"][0]["code"] == "INVALID_FILE_NAME"


async def test_versions_are_named_once_listed_newest_first(game: Game) -> None:
    first = await game.version("1.0.0")
    second = await game.version("1.0.1")
    duplicate = await game.client.post(
        game.versions,
        headers=auth(game.owner),
        json={"data": {"type": "gameVersionCreation", "attributes": {"version_name": "1.0.0"}}},
    )
    assert duplicate.status_code == 409
    listed = (await game.get("")).json()["data"]
    assert [v["id"] for v in listed] == [second["id"], first["id"]]
    assert listed[1]["attributes"]["changelog"] == {"ru-RU": "Исправлены ошибки."}
    created = await game.client.post(
        game.versions,
        headers={**auth(game.owner), "Idempotency-Key": str(uuid.uuid4())},
        json={"data": {"type": "gameVersionCreation", "attributes": {"version_name": "2"}}},
    )
    assert created.status_code == 201
    assert created.headers["Location"].endswith(created.json()["data"]["id"])


async def test_another_account_never_reaches_the_versions_and_builds(
    game: Game, new_studio: Callable[[], Awaitable[Any]]
) -> None:
    version = await game.version()
    upload = (await game.upload_url(version["id"], 10)).json()["data"]
    other = await Game(await new_studio()).draft()
    stranger = other.owner
    paths = [
        ("GET", f"{game.versions}"),
        ("GET", f"{game.versions}/{version['id']}"),
        ("GET", f"{game.versions}/{version['id']}/builds/{upload['id']}"),
        ("DELETE", f"{game.versions}/{version['id']}/builds/{upload['id']}"),
        # Their own game with our version id, and their own version with our build id.
        ("GET", f"{other.versions}/{version['id']}"),
    ]
    for method, path in paths:
        answer = await game.client.request(method, path, headers=auth(stranger))
        assert answer.status_code == 404, (method, path, answer.text)
    theirs = await other.version()
    crossed = await other.get(f"/{theirs['id']}/builds/{upload['id']}")
    assert crossed.status_code == 404
    assert (await game.upload_url(version["id"], 10, user=stranger)).status_code == 404
    await other.s3.aclose()


async def test_a_viewer_reads_but_does_not_write(game: Game) -> None:
    version = await game.version()
    viewer = await game.member("viewer")
    assert (await game.get(f"/{version['id']}", user=viewer)).status_code == 200
    refused = await game.upload_url(version["id"], 10, user=viewer)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "TEAM_ROLE_FORBIDS"
    create = await game.client.post(
        game.versions,
        headers=auth(viewer),
        json={"data": {"type": "gameVersionCreation", "attributes": {"version_name": "v"}}},
    )
    assert create.status_code == 403
    editor = await game.member("editor")
    assert (await game.upload_url(version["id"], 10, user=editor)).status_code == 200


async def test_an_api_key_acts_as_its_accounts_editor(
    game: Game, new_studio: Callable[[], Awaitable[Any]]
) -> None:
    async def key_of(owner: uuid.UUID) -> dict[str, str]:
        created = await game.client.post(
            f"{PREFIX}/api-keys",
            headers=auth(owner),
            json={"data": {"type": "apiKeyCreation", "attributes": {"name": "CI"}}},
        )
        assert created.status_code == 201, created.text
        return {"X-Api-Key": created.json()["data"]["attributes"]["key"]}

    key = await key_of(game.owner)
    made = await game.client.post(
        game.versions,
        headers=key,
        json={"data": {"type": "gameVersionCreation", "attributes": {"version_name": "ci-1"}}},
    )
    assert made.status_code == 201, made.text
    version_id = made.json()["data"]["id"]
    upload = await game.client.post(
        f"{game.versions}/{version_id}/builds/upload-url",
        headers=key,
        json={
            "data": {
                "type": "buildUploadRequest",
                "attributes": {
                    "file_name": "ci.zip",
                    "file_size_bytes": 10,
                    "content_type": "application/zip",
                    "platform": "linux_x64",
                },
            }
        },
    )
    assert upload.status_code == 200, upload.text
    # Another account's key never reaches this game.
    stranger = await key_of((await new_studio()).owner)
    assert (await game.client.get(game.versions, headers=stranger)).status_code == 404
    assert (
        await game.client.get(f"{game.versions}/{version_id}", headers=stranger)
    ).status_code == 404
