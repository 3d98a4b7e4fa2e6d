"""parovoz_kit.storage against the real S3 endpoint (moto in server mode, started by the
platform): a client holding only pre-signed URLs uploads; the service reads back."""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import timedelta

import httpx
import pytest
from parovoz_kit.storage import ObjectStorage, StorageConfig

BUCKET = "developer-builds"
HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def storage() -> ObjectStorage:
    return ObjectStorage(
        StorageConfig(
            endpoint=os.environ.get("PAROVOZ_S3_ENDPOINT", "http://127.0.0.1:59000"),
            access_key="parovoz-dev",
            secret_key="parovoz-dev-secret",
        )
    )


async def test_a_presigned_put_stores_the_object_and_head_reads_it(storage: ObjectStorage) -> None:
    key = f"tests/{uuid.uuid4()}/one.bin"
    body = b"PK\x03\x04" + os.urandom(1000)
    url = storage.presigned_put(BUCKET, key, HOUR)
    async with httpx.AsyncClient() as http:
        answer = await http.put(url, content=body, headers={"Content-Type": "application/zip"})
    assert answer.status_code == 200, answer.text

    stored = await storage.head(BUCKET, key)
    assert stored is not None and stored.size == len(body)
    assert await storage.first_bytes(BUCKET, key, 4) == b"PK\x03\x04"
    assert await storage.sha256(BUCKET, key) == (hashlib.sha256(body).hexdigest(), len(body))
    await storage.delete(BUCKET, key)
    assert await storage.head(BUCKET, key) is None


async def test_a_multipart_upload_through_presigned_part_urls_resumes_and_completes(
    storage: ObjectStorage,
) -> None:
    key = f"tests/{uuid.uuid4()}/big.bin"
    part_size = 5 * 1024 * 1024
    parts = [os.urandom(part_size), os.urandom(part_size), b"tail"]
    upload_id = await storage.start_multipart(BUCKET, key, "application/octet-stream")
    async with httpx.AsyncClient() as http:
        for number, body in enumerate(parts[:2], start=1):
            url = storage.presigned_part(BUCKET, key, upload_id, number, HOUR)
            assert (await http.put(url, content=body)).status_code == 200
        # An interruption: the service lists what is stored, the client sends the rest.
        stored = await storage.stored_parts(BUCKET, key, upload_id)
        assert [(part.part_number, part.size) for part in stored] == [
            (1, part_size),
            (2, part_size),
        ]
        url = storage.presigned_part(BUCKET, key, upload_id, 3, HOUR)
        assert (await http.put(url, content=parts[2])).status_code == 200

    await storage.complete_multipart(
        BUCKET, key, upload_id, await storage.stored_parts(BUCKET, key, upload_id)
    )
    whole = b"".join(parts)
    assert await storage.sha256(BUCKET, key) == (hashlib.sha256(whole).hexdigest(), len(whole))
    await storage.delete(BUCKET, key)


async def test_aborting_an_upload_twice_is_harmless(storage: ObjectStorage) -> None:
    key = f"tests/{uuid.uuid4()}/aborted.bin"
    upload_id = await storage.start_multipart(BUCKET, key, "application/zip")
    await storage.abort_multipart(BUCKET, key, upload_id)
    await storage.abort_multipart(BUCKET, key, upload_id)
    assert await storage.head(BUCKET, key) is None


async def test_an_unreachable_storage_is_a_503_never_a_driver_error() -> None:
    from parovoz_kit.errors import Unavailable

    down = ObjectStorage(
        StorageConfig(endpoint="http://127.0.0.1:9", access_key="k", secret_key="s")
    )
    with pytest.raises(Unavailable) as refused:
        await down.head(BUCKET, "any")
    assert refused.value.code == "STORAGE_UNAVAILABLE"
    # Signing needs no network: the URL is still given.
    assert down.presigned_put(BUCKET, "any", HOUR).startswith("http://127.0.0.1:9/")
