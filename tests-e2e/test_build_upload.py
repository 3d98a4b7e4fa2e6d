"""Build uploads through the gateway against the running services and the real S3 endpoint:
the client holds only the pre-signed URLs developer-portal hands out and PUTs the bytes to S3
itself (no build byte passes through the gateway); ``builds-verify`` (run on demand on the
service's internal port) reads the stored file back and verifies its size and SHA-256."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from typing import Any

import httpx
import pytest
from parovoz_testing.platform import GATEWAY
from parovoz_testing.tokens import user_token

PORTAL = f"{GATEWAY}/api/v1/developer"
JOBS = "http://127.0.0.1:8081/internal/jobs"
MIB = 1024 * 1024


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Studio:
    """A developer account with a game and one version, through the gateway."""

    def __init__(self) -> None:
        self.http = httpx.Client(timeout=120)
        self.token = user_token(str(uuid.uuid4()))
        account = self.post(
            f"{PORTAL}/accounts",
            {
                "type": "developerAccountCreation",
                "attributes": {
                    "company_name": "Студия Билдов",
                    "legal_entity_type": "llc",
                    "tax_id": "7707083893",
                    "contact_email": "builds@example.com",
                    "country_code": "RU",
                },
            },
        )
        assert account.status_code == 201, account.text
        game = self.post(
            f"{PORTAL}/games",
            {"type": "productCreation", "attributes": {"title": f"Билды {uuid.uuid4()}"}},
        )
        assert game.status_code == 201, game.text
        self.versions = f"{PORTAL}/games/{game.json()['data']['id']}/versions"
        version = self.post(
            self.versions,
            {
                "type": "gameVersionCreation",
                "attributes": {
                    "version_name": "1.0.1",
                    "changelog": {"ru-RU": "Исправлены ошибки, улучшена производительность."},
                },
            },
        )
        assert version.status_code == 201, version.text
        self.version = f"{self.versions}/{version.json()['data']['id']}"

    def post(self, url: str, data: dict[str, Any]) -> httpx.Response:
        return self.http.post(url, json={"data": data}, headers=_headers(self.token))

    def get(self, url: str) -> httpx.Response:
        return self.http.get(url, headers=_headers(self.token))

    def upload_url(self, size: int, **attributes: Any) -> dict[str, Any]:
        answer = self.post(
            f"{self.version}/builds/upload-url",
            {
                "type": "buildUploadRequest",
                "attributes": {
                    "file_name": "mygame_v1.0.1_windows_x64.zip",
                    "file_size_bytes": size,
                    "content_type": "application/zip",
                    "platform": "windows_x64",
                    **attributes,
                },
            },
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]

    def put_parts(self, upload: dict[str, Any], data: bytes, numbers: list[int]) -> None:
        signed = self.post(
            f"{self.version}/builds/{upload['id']}/parts",
            {"type": "buildPartUrls", "attributes": {"part_numbers": numbers}},
        )
        assert signed.status_code == 200, signed.text
        size = upload["attributes"]["part_size_bytes"]
        for part in signed.json()["data"]["attributes"]["parts"]:
            number = part["part_number"]
            # Straight to S3 with the URL only: no credentials, nothing through the gateway.
            stored = httpx.put(
                part["upload_url"], content=data[(number - 1) * size : number * size], timeout=120
            )
            assert stored.status_code == 200, stored.text

    def complete(self, upload: dict[str, Any], sha256: str) -> httpx.Response:
        return self.post(
            f"{self.version}/builds/upload-complete",
            {
                "type": "buildUploadCompletion",
                "attributes": {
                    "internal_build_id": upload["id"],
                    "s3_path": upload["attributes"]["s3_path"],
                    "file_hash_sha256": sha256,
                },
            },
        )

    def verified(self) -> dict[str, Any]:
        """Run builds-verify until the version leaves ``processing`` (the service's own runner
        may hold the build meanwhile; its lease keeps the two apart)."""
        admin = _headers(user_token(str(uuid.uuid4()), roles=("admin",)))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ran = httpx.post(
                f"{JOBS}/builds-verify/run",
                params={"period": f"e2e-{uuid.uuid4().hex}"},
                headers=admin,
                timeout=120,
            )
            assert ran.status_code == 200, ran.text
            version = self.get(self.version).json()["data"]
            if version["attributes"]["status"] != "processing":
                return version
            time.sleep(0.5)
        raise AssertionError("the version stayed processing")


@pytest.fixture
def studio() -> Studio:
    return Studio()


def test_a_200_mib_build_in_64_mib_parts_is_verified(studio: Studio) -> None:
    data = os.urandom(200 * MIB)
    upload = studio.upload_url(len(data), upload_type="multipart")
    attributes = upload["attributes"]
    assert attributes["upload_type"] == "multipart" and attributes["upload_url"] is None
    assert attributes["part_size_bytes"] == 64 * MIB and attributes["part_count"] == 4
    assert attributes["expires_in_seconds"] == 3600
    studio.put_parts(upload, data, [1, 2, 3, 4])

    completed = studio.complete(upload, hashlib.sha256(data).hexdigest())
    assert completed.status_code == 200, completed.text
    assert completed.json()["data"]["attributes"]["status"] == "processing"

    version = studio.verified()
    assert version["attributes"]["status"] == "ready_for_review"
    [build] = version["attributes"]["builds"]
    assert build["status"] == "verified" and build["file_size_bytes"] == len(data)


def test_an_upload_interrupted_after_two_parts_resumes(studio: Studio) -> None:
    data = os.urandom(3 * 64 * MIB + 5 * MIB)
    upload = studio.upload_url(len(data), upload_type="multipart")
    studio.put_parts(upload, data, [1, 2])  # ... and the connection drops
    early = studio.complete(upload, hashlib.sha256(data).hexdigest())
    assert early.status_code == 422
    assert early.json()["errors"][0]["code"] == "BUILD_PARTS_MISSING"

    stored = studio.get(f"{studio.version}/builds/{upload['id']}/parts")
    assert stored.status_code == 200, stored.text
    held = stored.json()["data"]["attributes"]
    present = {part["part_number"] for part in held["parts"]}
    assert present == {1, 2}
    missing = [n for n in range(1, held["part_count"] + 1) if n not in present]
    assert missing == [3, 4]
    studio.put_parts(upload, data, missing)

    completed = studio.complete(upload, hashlib.sha256(data).hexdigest())
    assert completed.status_code == 200, completed.text
    assert studio.verified()["attributes"]["status"] == "ready_for_review"


def test_a_wrong_hash_fails_processing_with_the_reason(studio: Studio) -> None:
    data = os.urandom(2 * MIB)
    upload = studio.upload_url(len(data))
    assert upload["attributes"]["upload_type"] == "single"
    stored = httpx.put(upload["attributes"]["upload_url"], content=data, timeout=120)
    assert stored.status_code == 200, stored.text
    completed = studio.complete(upload, hashlib.sha256(b"another file").hexdigest())
    assert completed.status_code == 200, completed.text

    version = studio.verified()
    assert version["attributes"]["status"] == "failed_processing"
    assert "hash_mismatch" in version["attributes"]["status_reason"]
    build = studio.get(f"{studio.version}/builds/{upload['id']}").json()["data"]["attributes"]
    assert build["status"] == "failed" and build["failure_reason"] == "hash_mismatch"
