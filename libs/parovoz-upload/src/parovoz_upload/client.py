"""The developer portal's REST API as the uploader uses it (versions and builds, by API key),
and S3's pre-signed URLs (the file's bytes go straight there, never through the portal)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

PREFIX = "/api/v1/developer"
#: Part URLs asked for at once (the portal signs at most 100 per call).
PART_URLS_PER_CALL = 100


class PortalError(Exception):
    """The portal refused a request: its status, and its errors' codes and details."""

    def __init__(self, status: int, errors: list[dict[str, Any]], what: str) -> None:
        self.status = status
        self.errors = errors
        self.codes = [str(error.get("code")) for error in errors]
        details = (
            "; ".join(f"{error.get('code')}: {error.get('detail')}" for error in errors)
            or f"HTTP {status}"
        )
        super().__init__(f"{what}: {details}")


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        errors = response.json().get("errors")
    except ValueError:
        return []
    return errors if isinstance(errors, list) else []


class Portal:
    """Calls of the portal with ``X-Api-Key``; a 429 waits ``Retry-After`` and retries, a
    connection error or 5xx is retried a few times."""

    def __init__(
        self,
        api_url: str,
        api_key: str,
        *,
        timeout: float = 60.0,
        retries: int = 5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=api_url.rstrip("/"),
            headers={"X-Api-Key": api_key, "Accept-Language": "en"},
            timeout=timeout,
            transport=transport,
        )
        self._retries = retries

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(self._retries + 1):
            try:
                response = self._http.request(method, f"{PREFIX}{path}", **kwargs)
            except httpx.TransportError:
                if attempt == self._retries:
                    raise
                time.sleep(min(2**attempt, 20))
                continue
            if response.status_code == 429 and attempt < self._retries:
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code >= 500 and attempt < self._retries:
                time.sleep(min(2**attempt, 20))
                continue
            if response.status_code >= 400:
                raise PortalError(response.status_code, _errors(response), what)
            return response
        raise AssertionError("unreachable")

    # --- versions -----------------------------------------------------------------------------
    def versions(self, game_id: str) -> list[dict[str, Any]]:
        answer = self._call("GET", f"/games/{game_id}/versions", "list versions")
        return list(answer.json()["data"])

    def version(self, game_id: str, version_id: str) -> dict[str, Any]:
        answer = self._call("GET", f"/games/{game_id}/versions/{version_id}", "read version")
        return dict(answer.json()["data"])

    def create_version(
        self, game_id: str, version_name: str, changelog: dict[str, str], platforms: list[str]
    ) -> dict[str, Any]:
        body = {
            "data": {
                "type": "gameVersionCreation",
                "attributes": {
                    "version_name": version_name,
                    "changelog": changelog,
                    "platforms": platforms,
                },
            }
        }
        answer = self._call("POST", f"/games/{game_id}/versions", "create version", json=body)
        return dict(answer.json()["data"])

    def version_named(self, game_id: str, version_name: str) -> dict[str, Any] | None:
        return next(
            (v for v in self.versions(game_id) if v["attributes"]["version_name"] == version_name),
            None,
        )

    # --- builds -------------------------------------------------------------------------------
    def _builds(self, game_id: str, version_id: str) -> str:
        return f"/games/{game_id}/versions/{version_id}/builds"

    def upload_url(
        self,
        game_id: str,
        version_id: str,
        *,
        file_name: str,
        size: int,
        content_type: str,
        platform: str,
        multipart: bool,
    ) -> dict[str, Any]:
        attributes: dict[str, Any] = {
            "file_name": file_name,
            "file_size_bytes": size,
            "content_type": content_type,
            "platform": platform,
        }
        if multipart:
            # Parts in parallel and resumable, even below the portal's 5 GiB single-PUT limit.
            attributes["upload_type"] = "multipart"
        body = {"data": {"type": "buildUploadRequest", "attributes": attributes}}
        answer = self._call(
            "POST",
            f"{self._builds(game_id, version_id)}/upload-url",
            f"upload URL for {platform}",
            json=body,
        )
        return dict(answer.json()["data"])

    def part_urls(
        self, game_id: str, version_id: str, build_id: str, numbers: Iterable[int]
    ) -> Iterator[tuple[int, str]]:
        wanted = list(numbers)
        for start in range(0, len(wanted), PART_URLS_PER_CALL):
            body = {
                "data": {
                    "type": "buildPartUrls",
                    "attributes": {"part_numbers": wanted[start : start + PART_URLS_PER_CALL]},
                }
            }
            answer = self._call(
                "POST",
                f"{self._builds(game_id, version_id)}/{build_id}/parts",
                "part URLs",
                json=body,
            )
            for part in answer.json()["data"]["attributes"]["parts"]:
                yield int(part["part_number"]), str(part["upload_url"])

    def stored_parts(self, game_id: str, version_id: str, build_id: str) -> dict[int, int]:
        answer = self._call(
            "GET", f"{self._builds(game_id, version_id)}/{build_id}/parts", "stored parts"
        )
        return {
            int(part["part_number"]): int(part["size_bytes"])
            for part in answer.json()["data"]["attributes"]["parts"]
        }

    def build(self, game_id: str, version_id: str, build_id: str) -> dict[str, Any]:
        answer = self._call("GET", f"{self._builds(game_id, version_id)}/{build_id}", "read build")
        return dict(answer.json()["data"])

    def complete(
        self, game_id: str, version_id: str, build_id: str, s3_path: str, sha256: str
    ) -> dict[str, Any]:
        body = {
            "data": {
                "type": "buildUploadCompletion",
                "attributes": {
                    "internal_build_id": build_id,
                    "s3_path": s3_path,
                    "file_hash_sha256": sha256,
                },
            }
        }
        answer = self._call(
            "POST",
            f"{self._builds(game_id, version_id)}/upload-complete",
            "complete upload",
            json=body,
        )
        return dict(answer.json()["data"])


class StorageError(Exception):
    """S3 refused or could not be reached; ``retryable`` when another try may succeed."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def put_to_storage(
    http: httpx.Client,
    url: str,
    content: bytes | Iterator[bytes],
    size: int,
    content_type: str | None = None,
) -> str:
    """One PUT of ``size`` bytes to a pre-signed S3 URL (with Content-Length, never chunked);
    answers the ETag."""
    headers = {"Content-Length": str(size)}
    if content_type:
        headers["Content-Type"] = content_type
    try:
        response = http.put(url, content=content, headers=headers)
    except httpx.TransportError as error:
        raise StorageError(f"storage unreachable: {error!r}", retryable=True) from error
    if response.status_code >= 300:
        raise StorageError(
            f"storage answered HTTP {response.status_code} to the upload",
            retryable=response.status_code >= 500 or response.status_code == 408,
        )
    return str(response.headers.get("ETag", "")).strip('"')
