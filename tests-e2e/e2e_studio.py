"""A studio at developer-portal through the gateway, shared by the end-to-end tests: an account
owned by a fresh user, its game, and a version whose build goes straight to S3 with the
pre-signed URLs only (no credentials, no byte through the gateway) and is verified by the
builds worker run on developer-portal's internal port."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from typing import Any

import httpx
from e2e_payments import auth, open_developer_account
from parovoz_testing.platform import GATEWAY
from parovoz_testing.tokens import user_token

PORTAL = f"{GATEWAY}/api/v1/developer"
PORTAL_JOBS = "http://127.0.0.1:8081/internal/jobs"


class PortalStudio:
    """A new developer account owned by a fresh user (``owner``, ``token``)."""

    def __init__(self, timeout: float = 120) -> None:
        self.http = httpx.Client(timeout=timeout)
        self.owner = str(uuid.uuid4())
        self.token = user_token(self.owner)
        self.developer_id = open_developer_account(self.token)

    def call(self, method: str, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
        body = None if data is None else {"data": data}
        return self.http.request(method, f"{PORTAL}{path}", json=body, headers=auth(self.token))

    def ok(self, method: str, path: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.call(method, path, data)
        assert answer.status_code in (200, 201), answer.text
        return dict(answer.json()["data"])

    def ok_list(self, path: str) -> list[dict[str, Any]]:
        answer = self.call("GET", path)
        assert answer.status_code == 200, answer.text
        return list(answer.json()["data"])

    def account(self) -> dict[str, Any]:
        return self.ok("GET", "/accounts/me")["attributes"]

    def draft(self, title: str) -> None:
        """A draft game titled ``title`` and a unique suffix: ``game_id``, ``game`` (its path)."""
        game = self.ok(
            "POST",
            "/games",
            {"type": "productCreation", "attributes": {"title": f"{title} {uuid.uuid4()}"}},
        )
        self.game_id = str(game["id"])
        self.game = f"/games/{self.game_id}"

    def version_with_build(self, name: str, file_stem: str, size: int = 256 * 1024) -> str:
        """A version of the game with one windows_x64 build of ``size`` random bytes, uploaded
        straight to S3 and verified by the builds worker: ``ready_for_review``. Its id."""
        version = self.ok(
            "POST",
            f"{self.game}/versions",
            {
                "type": "gameVersionCreation",
                "attributes": {
                    "version_name": name,
                    "changelog": {"ru-RU": f"Версия {name}."},
                    "platforms": ["windows_x64"],
                },
            },
        )
        path = f"{self.game}/versions/{version['id']}"
        data = os.urandom(size)
        upload = self.ok(
            "POST",
            f"{path}/builds/upload-url",
            {
                "type": "buildUploadRequest",
                "attributes": {
                    "file_name": f"{file_stem}_{name}_windows_x64.zip",
                    "file_size_bytes": len(data),
                    "content_type": "application/zip",
                    "platform": "windows_x64",
                },
            },
        )
        stored = httpx.put(upload["attributes"]["upload_url"], content=data, timeout=120)
        assert stored.status_code == 200, stored.text
        self.ok(
            "POST",
            f"{path}/builds/upload-complete",
            {
                "type": "buildUploadCompletion",
                "attributes": {
                    "internal_build_id": upload["id"],
                    "s3_path": upload["attributes"]["s3_path"],
                    "file_hash_sha256": hashlib.sha256(data).hexdigest(),
                },
            },
        )
        assert self.verified(path) == "ready_for_review"
        return str(version["id"])

    def verified(self, path: str) -> str:
        """Run builds-verify on developer-portal's internal port until the version at ``path``
        leaves ``processing`` (the service's own runner may take the build first)."""
        admin = auth(user_token(str(uuid.uuid4()), roles=("admin",)))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ran = httpx.post(
                f"{PORTAL_JOBS}/builds-verify/run",
                params={"period": f"e2e-{uuid.uuid4().hex}"},
                headers=admin,
                timeout=120,
            )
            assert ran.status_code == 200, ran.text
            status = str(self.ok("GET", path)["attributes"]["status"])
            if status != "processing":
                return status
            time.sleep(0.3)
        raise AssertionError("the version stayed processing")

    def submit_for_review(self, version_id: str) -> httpx.Response:
        return self.call("POST", f"{self.game}/versions/{version_id}/submit-for-review")
