"""A fake developer portal and S3 behind one httpx.MockTransport, per the REST contract the
CLI is written against (versions, upload-url, part URLs, stored parts, upload-complete); the
"worker" verifies size and SHA-256 at upload-complete."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

PREFIX = "/api/v1/developer"
S3 = "http://s3.fake"


@dataclass
class FakeBuild:
    id: str
    version_id: str
    platform: str
    file_name: str
    size: int
    upload_type: str
    part_size: int | None
    part_count: int | None
    s3_path: str
    status: str = "uploading"
    failure_reason: str | None = None
    parts: dict[int, bytes] = field(default_factory=dict)
    body: bytes | None = None

    def document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "status": self.status,
            "failure_reason": self.failure_reason,
            "failure_detail": "the stored file's SHA-256 differs" if self.failure_reason else None,
            "upload_type": self.upload_type,
        }


@dataclass
class FakePortal:
    api_key: str = "pk_live_" + "k" * 43
    part_size: int = 8
    single_put_max: int = 10
    #: The storage refuses part PUTs once this many were stored (an interruption).
    fail_after_parts: int | None = None
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)
    builds: dict[str, FakeBuild] = field(default_factory=dict)
    part_puts: list[int] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)
    corrupt_storage: bool = False

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "s3.fake":
            return self._s3(request)
        if request.headers.get("X-Api-Key") != self.api_key:
            return _error(401, "API_KEY_INVALID")
        path = request.url.path.removeprefix(PREFIX)
        body = json.loads(request.content) if request.content else {}
        for pattern, method, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match and request.method == method:
                return handler(body, **match.groupdict())  # type: ignore[operator]
        return _error(404, "RESOURCE_NOT_FOUND")

    def _routes(self) -> list[tuple[str, str, Any]]:
        version = r"/games/(?P<game_id>[^/]+)/versions/(?P<version_id>[^/]+)"
        return [
            (r"/games/(?P<game_id>[^/]+)/versions", "POST", self._create_version),
            (r"/games/(?P<game_id>[^/]+)/versions", "GET", self._list_versions),
            (version, "GET", self._get_version),
            (version + "/builds/upload-url", "POST", self._upload_url),
            (version + "/builds/upload-complete", "POST", self._complete),
            (version + r"/builds/(?P<build_id>[^/]+)/parts", "POST", self._part_urls),
            (version + r"/builds/(?P<build_id>[^/]+)/parts", "GET", self._stored_parts),
            (version + r"/builds/(?P<build_id>[^/]+)", "GET", self._get_build),
        ]

    def _version_document(self, version_id: str) -> dict[str, Any]:
        version = self.versions[version_id]
        builds = [b.document() for b in self.builds.values() if b.version_id == version_id]
        return {
            "type": "gameVersion",
            "id": version_id,
            "attributes": {**version, "builds": builds},
        }

    def _create_version(self, body: dict[str, Any], game_id: str) -> httpx.Response:
        attributes = body["data"]["attributes"]
        if any(v["version_name"] == attributes["version_name"] for v in self.versions.values()):
            return _error(409, "RESOURCE_ALREADY_EXISTS")
        version_id = str(uuid.uuid4())
        self.versions[version_id] = {
            "version_name": attributes["version_name"],
            "changelog": attributes["changelog"],
            "platforms": attributes.get("platforms", []),
            "status": "uploading",
        }
        return httpx.Response(201, json={"data": self._version_document(version_id)})

    def _list_versions(self, body: dict[str, Any], game_id: str) -> httpx.Response:
        return httpx.Response(
            200, json={"data": [self._version_document(v) for v in self.versions]}
        )

    def _get_version(self, body: dict[str, Any], game_id: str, version_id: str) -> httpx.Response:
        return httpx.Response(200, json={"data": self._version_document(version_id)})

    def _upload_url(self, body: dict[str, Any], game_id: str, version_id: str) -> httpx.Response:
        attributes = body["data"]["attributes"]
        size = attributes["file_size_bytes"]
        multipart = size > self.single_put_max or attributes.get("upload_type") == "multipart"
        build = FakeBuild(
            id=str(uuid.uuid4()),
            version_id=version_id,
            platform=attributes["platform"],
            file_name=attributes["file_name"],
            size=size,
            upload_type="multipart" if multipart else "single",
            part_size=self.part_size if multipart else None,
            part_count=-(-size // self.part_size) if multipart else None,
            s3_path=f"dev/{game_id}/{version_id}/{attributes['platform']}/{attributes['file_name']}",
        )
        self.builds[build.id] = build
        return httpx.Response(
            200,
            json={
                "data": {
                    "type": "presignedUploadUrl",
                    "id": build.id,
                    "attributes": {
                        "internal_build_id": build.id,
                        "platform": build.platform,
                        "s3_path": build.s3_path,
                        "upload_type": build.upload_type,
                        "upload_url": None if multipart else f"{S3}/single/{build.id}",
                        "method": "PUT",
                        "expires_in_seconds": 3600,
                        "part_size_bytes": build.part_size,
                        "part_count": build.part_count,
                    },
                }
            },
        )

    def _part_urls(
        self, body: dict[str, Any], game_id: str, version_id: str, build_id: str
    ) -> httpx.Response:
        numbers = body["data"]["attributes"]["part_numbers"]
        assert 1 <= len(numbers) <= 100
        parts = [{"part_number": n, "upload_url": f"{S3}/part/{build_id}/{n}"} for n in numbers]
        return httpx.Response(
            200,
            json={
                "data": {
                    "type": "buildPartUrls",
                    "attributes": {"expires_in_seconds": 3600, "parts": parts},
                }
            },
        )

    def _stored_parts(
        self, body: dict[str, Any], game_id: str, version_id: str, build_id: str
    ) -> httpx.Response:
        build = self.builds[build_id]
        parts = [
            {"part_number": n, "size_bytes": len(data), "etag": hashlib.md5(data).hexdigest()}
            for n, data in sorted(build.parts.items())
        ]
        return httpx.Response(
            200,
            json={
                "data": {
                    "type": "storedBuildParts",
                    "attributes": {
                        "part_size_bytes": build.part_size,
                        "part_count": build.part_count,
                        "parts": parts,
                    },
                }
            },
        )

    def _get_build(
        self, body: dict[str, Any], game_id: str, version_id: str, build_id: str
    ) -> httpx.Response:
        build = self.builds.get(build_id)
        if build is None:
            return _error(404, "RESOURCE_NOT_FOUND")
        return httpx.Response(
            200, json={"data": {"type": "build", "id": build.id, "attributes": build.document()}}
        )

    def _complete(self, body: dict[str, Any], game_id: str, version_id: str) -> httpx.Response:
        attributes = body["data"]["attributes"]
        self.completions.append(attributes)
        build = self.builds[attributes["internal_build_id"]]
        assert attributes["s3_path"] == build.s3_path
        if build.upload_type == "multipart":
            missing = [n for n in range(1, (build.part_count or 0) + 1) if n not in build.parts]
            if missing:
                return _error(422, "BUILD_PARTS_MISSING")
            build.body = b"".join(build.parts[n] for n in sorted(build.parts))
        stored = build.body or b""
        if self.corrupt_storage:
            stored = b"#" + stored[1:]
        ok = (
            len(stored) == build.size
            and hashlib.sha256(stored).hexdigest() == attributes["file_hash_sha256"]
        )
        build.status = "verified" if ok else "failed"
        build.failure_reason = None if ok else "hash_mismatch"
        return httpx.Response(200, json={"data": self._version_document(version_id)})

    def _s3(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "PUT"
        assert "X-Api-Key" not in request.headers  # the key never goes to the storage
        assert request.headers["Content-Length"] == str(len(request.content))
        kind, build_id, *rest = request.url.path.strip("/").split("/")
        build = self.builds[build_id]
        if kind == "single":
            build.body = request.content
            return httpx.Response(200, headers={"ETag": '"single"'})
        if self.fail_after_parts is not None and len(self.part_puts) >= self.fail_after_parts:
            return httpx.Response(403)
        number = int(rest[0])
        build.parts[number] = request.content
        self.part_puts.append(number)
        return httpx.Response(200, headers={"ETag": f'"{number}"'})


def _error(status: int, code: str) -> httpx.Response:
    return httpx.Response(
        status, json={"errors": [{"status": str(status), "code": code, "detail": code}]}
    )


@pytest.fixture
def fake_portal() -> type[FakePortal]:
    """The fake portal's class (a test makes one with its own knobs)."""
    return FakePortal
