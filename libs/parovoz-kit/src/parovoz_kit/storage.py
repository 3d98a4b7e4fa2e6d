"""Object storage (S3 protocol, through the ``minio`` client): pre-signed uploads, multipart
uploads driven by the client, and the reads a service needs to check what was stored.

Plumbing only: which bucket, which key, which limits are the services' business. No object
byte passes through a service's REST request: clients PUT straight to the storage with URLs
signed here, and services read back only what they must verify (a HEAD, the first bytes, or
a streamed read by a worker).

``minio`` is synchronous; every call that talks to the storage runs in a worker thread.
Signing a URL needs no network (the region is configured), so it runs inline.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from minio import Minio
from minio.datatypes import Part
from minio.error import InvalidResponseError, S3Error, ServerError
from urllib3.exceptions import HTTPError

from parovoz_kit.errors import Unavailable

_CHUNK = 8 * 1024 * 1024
_T = TypeVar("_T")


async def _run(fn: Callable[..., _T], *args: Any) -> _T:
    """``fn(*args)`` in a worker thread; the storage unreachable or failing is 503
    STORAGE_UNAVAILABLE (never a 500 with the driver's text)."""
    try:
        return await asyncio.to_thread(fn, *args)
    except UploadNotFound:
        raise
    except (S3Error, ServerError, InvalidResponseError, HTTPError, OSError) as error:
        raise Unavailable(
            "The object storage is unavailable; try again shortly.",
            detail_ru="Хранилище файлов недоступно: повторите чуть позже.",
            code="STORAGE_UNAVAILABLE",
        ) from error


class UploadNotFound(LookupError):
    """The multipart upload named is gone: aborted, completed, or never opened."""


@dataclass(frozen=True)
class StorageConfig:
    endpoint: str  #: e.g. ``http://127.0.0.1:59000``: where the service talks to the storage
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    #: The address clients use, when it differs (a CDN or a public host): URLs are signed for it.
    public_endpoint: str | None = None


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str | None
    etag: str


@dataclass(frozen=True)
class StoredPart:
    part_number: int
    size: int
    etag: str


def _client(endpoint: str, config: StorageConfig) -> Minio:
    url = urlsplit(endpoint)
    if url.scheme not in {"http", "https"} or not url.netloc:
        raise ValueError(f"storage endpoint must be an http(s) URL, got {endpoint!r}")
    return Minio(
        url.netloc,
        access_key=config.access_key,
        secret_key=config.secret_key,
        secure=url.scheme == "https",
        region=config.region,
    )


class ObjectStorage:
    """One S3 endpoint. Methods name the bucket explicitly: a service may use several."""

    def __init__(self, config: StorageConfig) -> None:
        self._client = _client(config.endpoint, config)
        self._signer = _client(config.public_endpoint or config.endpoint, config)

    # --- signing (no network) -------------------------------------------------------------

    def presigned_put(self, bucket: str, key: str, expires: timedelta) -> str:
        """A URL a client PUTs the whole object to, valid for ``expires``."""
        return self._signer.presigned_put_object(bucket, key, expires=expires)

    def presigned_part(
        self, bucket: str, key: str, upload_id: str, part_number: int, expires: timedelta
    ) -> str:
        """A URL a client PUTs one part of a multipart upload to."""
        return self._signer.get_presigned_url(
            "PUT",
            bucket,
            key,
            expires=expires,
            extra_query_params={"partNumber": str(part_number), "uploadId": upload_id},
        )

    def presigned_get(self, bucket: str, key: str, expires: timedelta) -> str:
        return self._signer.presigned_get_object(bucket, key, expires=expires)

    # --- multipart uploads -----------------------------------------------------------------

    async def start_multipart(self, bucket: str, key: str, content_type: str) -> str:
        """Open a multipart upload; returns its upload id."""
        return await _run(
            self._client._create_multipart_upload,
            bucket,
            key,
            {"Content-Type": content_type},
        )

    async def stored_parts(self, bucket: str, key: str, upload_id: str) -> list[StoredPart]:
        """The parts the storage holds for an open multipart upload (all pages)."""

        def list_all() -> list[StoredPart]:
            parts: list[StoredPart] = []
            marker = 0
            while True:
                try:
                    result = self._client._list_parts(
                        bucket, key, upload_id, max_parts=1000, part_number_marker=str(marker)
                    )
                except S3Error as error:
                    if error.code == "NoSuchUpload":
                        raise UploadNotFound(upload_id) from None
                    raise
                parts.extend(
                    StoredPart(part.part_number, int(part.size or 0), part.etag)
                    for part in result.parts
                )
                if not result.is_truncated or not result.parts:
                    return parts
                marker = int(result.next_part_number_marker or parts[-1].part_number)

        return await _run(list_all)

    async def complete_multipart(
        self, bucket: str, key: str, upload_id: str, parts: Sequence[StoredPart]
    ) -> None:
        ordered = sorted(parts, key=lambda part: part.part_number)
        await _run(
            self._client._complete_multipart_upload,
            bucket,
            key,
            upload_id,
            [Part(part.part_number, part.etag) for part in ordered],
        )

    async def abort_multipart(self, bucket: str, key: str, upload_id: str) -> None:
        def abort() -> None:
            try:
                self._client._abort_multipart_upload(bucket, key, upload_id)
            except S3Error as error:
                if error.code != "NoSuchUpload":  # already gone: aborting twice is fine
                    raise

        await _run(abort)

    # --- reading back ----------------------------------------------------------------------

    async def head(self, bucket: str, key: str) -> StoredObject | None:
        """Size, type and ETag of a stored object; None when there is none."""

        def stat() -> StoredObject | None:
            try:
                found = self._client.stat_object(bucket, key)
            except S3Error as error:
                if error.code in {"NoSuchKey", "NoSuchObject", "NotFound", "NoSuchBucket"}:
                    return None
                raise
            return StoredObject(int(found.size or 0), found.content_type, found.etag or "")

        return await _run(stat)

    async def first_bytes(self, bucket: str, key: str, count: int) -> bytes:
        """The first ``count`` bytes of an object (fewer if it is shorter)."""

        def read() -> bytes:
            response = self._client.get_object(bucket, key, offset=0, length=count)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        return await _run(read)

    async def sha256(self, bucket: str, key: str) -> tuple[str, int]:
        """SHA-256 (hex) and size of a stored object, by a streamed read in chunks."""

        def digest() -> tuple[str, int]:
            response = self._client.get_object(bucket, key)
            hasher, size = hashlib.sha256(), 0
            try:
                for chunk in response.stream(_CHUNK):
                    hasher.update(chunk)
                    size += len(chunk)
            finally:
                response.close()
                response.release_conn()
            return hasher.hexdigest(), size

        return await _run(digest)

    async def delete(self, bucket: str, key: str) -> None:
        await _run(self._client.remove_object, bucket, key)
