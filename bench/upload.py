"""Build upload: developer-portal's pre-signed flow against a direct S3 upload of the same file.

    .venv/bin/python bench/upload.py [--quick] [--strict] [--size-mib 256] [--part-mib 64]
                                     [--parallel 4] [--rounds 3] [--portal URL]

(a) through developer-portal, as the upload CLI does: create a version, ``builds/upload-url``,
the part URLs (``…/builds/{id}/parts``), PUT of the parts straight to S3 (``--parallel`` at a
time), ``upload-complete``. (b) the same file to the same S3 endpoint and bucket, multipart with
the same part size and parallelism, signed by the kit's ``ObjectStorage`` here (no service in
between). The figure is ratio = (b) time / (a) time: the service moves no byte, so its share is
a few small requests and the ratio should stay >= 0.95. The file's SHA-256 is computed once,
before both (every client has to; it is not what is compared).

The running service answers a single PUT up to ``build_single_put_max_bytes`` (5 GiB), so by
default (a) runs against a side instance of developer-portal (``bench/side_portal.py``: the
checkout's code, the platform's engines, REST only) started with the single-PUT limit lowered
to one part and ``--part-mib`` parts: a 256 MiB file then goes multipart. ``--portal
http://127.0.0.1:8080/api/v1/developer`` uses the running service instead (a single PUT on
both sides when it answers ``single``).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from benchlib import (
    Developer,
    SidePortal,
    draft_games,
    expect,
    open_developer,
    print_table,
    record,
    verdict,
)
from parovoz_kit.storage import ObjectStorage, StorageConfig, StoredPart

GOAL = 0.95
MIB = 1024 * 1024
BUCKET = "developer-builds"
CONTENT_TYPE = "application/octet-stream"
S3 = StorageConfig(
    endpoint=os.environ.get("PAROVOZ_S3", "http://127.0.0.1:59000"),
    access_key="parovoz-dev",
    secret_key="parovoz-dev-secret",
)
SIDE_PORT = 18181


@dataclass(frozen=True)
class Upload:
    seconds: float
    upload_type: str
    part_size: int | None
    parts: int
    key: str


def _slices(data: bytes, part_size: int) -> list[tuple[int, bytes]]:
    return [
        (n + 1, data[offset : offset + part_size])
        for n, offset in enumerate(range(0, len(data), part_size))
    ]


async def _put_parts(
    s3: httpx.AsyncClient, urls: dict[int, str], parts: list[tuple[int, bytes]], parallel: int
) -> list[StoredPart]:
    """PUT each part to its URL, ``parallel`` at a time; the parts with S3's ETags."""
    gate = asyncio.Semaphore(parallel)

    async def put(number: int, chunk: bytes) -> StoredPart:
        async with gate:
            response = await s3.put(urls[number], content=chunk)
        if response.status_code != 200:
            sys.exit(
                f"PUT part {number}: S3 answered {response.status_code}: {response.text[:300]}"
            )
        return StoredPart(number, len(chunk), response.headers["ETag"].strip('"'))

    return list(await asyncio.gather(*(put(number, chunk) for number, chunk in parts)))


async def through_portal(
    api: httpx.AsyncClient,
    s3: httpx.AsyncClient,
    developer: Developer,
    game_id: str,
    data: bytes,
    digest: str,
    parallel: int,
) -> Upload:
    versions = f"{developer.base}/games/{game_id}/versions"
    started = time.perf_counter()
    version = expect(
        await api.post(
            versions,
            json={
                "data": {
                    "type": "gameVersionCreation",
                    "attributes": {
                        "version_name": f"bench-{uuid.uuid4().hex[:12]}",
                        "changelog": {"ru-RU": "Замер загрузки."},
                    },
                }
            },
        ),
        201,
    )
    version_url = f"{versions}/{version['data']['id']}"
    answer = expect(
        await api.post(
            f"{version_url}/builds/upload-url",
            json={
                "data": {
                    "type": "buildUploadRequest",
                    "attributes": {
                        "file_name": "bench.bin",
                        "file_size_bytes": len(data),
                        "content_type": CONTENT_TYPE,
                        "platform": "windows_x64",
                    },
                }
            },
        ),
        200,
    )
    attributes: dict[str, Any] = answer["data"]["attributes"]
    build_id = attributes["internal_build_id"]
    if attributes["upload_type"] == "multipart":
        part_size, count = attributes["part_size_bytes"], attributes["part_count"]
        urls: dict[int, str] = {}
        for first in range(1, count + 1, 100):
            body = expect(
                await api.post(
                    f"{version_url}/builds/{build_id}/parts",
                    json={
                        "data": {
                            "type": "buildPartUrls",
                            "attributes": {
                                "part_numbers": list(range(first, min(first + 100, count + 1)))
                            },
                        }
                    },
                ),
                200,
            )
            urls.update(
                (part["part_number"], part["upload_url"])
                for part in body["data"]["attributes"]["parts"]
            )
        await _put_parts(s3, urls, _slices(data, part_size), parallel)
    else:
        part_size, count = None, 1
        response = await s3.put(attributes["upload_url"], content=data)
        if response.status_code != 200:
            sys.exit(f"single PUT: S3 answered {response.status_code}: {response.text[:300]}")
    expect(
        await api.post(
            f"{version_url}/builds/upload-complete",
            json={
                "data": {
                    "type": "buildUploadCompletion",
                    "attributes": {
                        "internal_build_id": build_id,
                        "s3_path": attributes["s3_path"],
                        "file_hash_sha256": digest,
                    },
                }
            },
        ),
        200,
    )
    seconds = time.perf_counter() - started
    return Upload(seconds, attributes["upload_type"], part_size, count, attributes["s3_path"])


async def direct(
    storage: ObjectStorage,
    s3: httpx.AsyncClient,
    data: bytes,
    part_size: int | None,
    parallel: int,
) -> Upload:
    key = f"bench/{uuid.uuid4()}/bench.bin"
    expires = timedelta(hours=1)
    started = time.perf_counter()
    if part_size is None:
        response = await s3.put(storage.presigned_put(BUCKET, key, expires), content=data)
        if response.status_code != 200:
            sys.exit(f"direct single PUT: S3 answered {response.status_code}")
        count = 1
    else:
        upload_id = await storage.start_multipart(BUCKET, key, CONTENT_TYPE)
        parts = _slices(data, part_size)
        urls = {
            number: storage.presigned_part(BUCKET, key, upload_id, number, expires)
            for number, _ in parts
        }
        stored = await _put_parts(s3, urls, parts, parallel)
        await storage.complete_multipart(BUCKET, key, upload_id, stored)
        count = len(parts)
    seconds = time.perf_counter() - started
    return Upload(seconds, "multipart" if part_size else "single", part_size, count, key)


async def measure(args: argparse.Namespace, base: str) -> dict[str, Any]:
    size = args.size_mib * MIB
    data = os.urandom(size)
    digest = hashlib.sha256(data).hexdigest()
    with httpx.Client(timeout=30) as http:
        developer = open_developer(http, base)
        (game_id,) = draft_games(http, developer, 1)
    storage = ObjectStorage(S3)
    limits = httpx.Limits(max_connections=args.parallel, max_keepalive_connections=args.parallel)
    rounds: list[tuple[Upload, Upload]] = []
    async with (
        httpx.AsyncClient(headers=developer.headers, timeout=60) as api,
        httpx.AsyncClient(limits=limits, timeout=600) as s3,
    ):
        for number in range(args.rounds):
            # Alternate which goes first, so neither always meets a warmer (or busier) S3.
            if number % 2 == 0:
                portal = await through_portal(
                    api, s3, developer, game_id, data, digest, args.parallel
                )
                plain = await direct(storage, s3, data, portal.part_size, args.parallel)
            else:
                probe_part = rounds[0][0].part_size if rounds else None
                plain = await direct(storage, s3, data, probe_part, args.parallel)
                portal = await through_portal(
                    api, s3, developer, game_id, data, digest, args.parallel
                )
            rounds.append((portal, plain))
            # The bench's objects are not kept (the portal's build then fails verification as
            # object_missing: a bench account's version, nobody's release).
            await storage.delete(BUCKET, portal.key)
            await storage.delete(BUCKET, plain.key)
            print(
                f"  round {number + 1}: portal {portal.seconds:.2f} s ({portal.upload_type}, "
                f"{portal.parts} parts), direct {plain.seconds:.2f} s"
            )
    portal_best = min(portal.seconds for portal, _ in rounds)
    direct_best = min(plain.seconds for _, plain in rounds)
    first = rounds[0][0]
    return {
        "file_bytes": size,
        "upload_type": first.upload_type,
        "part_size_bytes": first.part_size,
        "parts": first.parts,
        "parallel": args.parallel,
        "rounds": args.rounds,
        "portal_seconds": [round(portal.seconds, 3) for portal, _ in rounds],
        "direct_seconds": [round(plain.seconds, 3) for _, plain in rounds],
        "portal_best_seconds": round(portal_best, 3),
        "direct_best_seconds": round(direct_best, 3),
        "portal_mib_per_s": round(size / MIB / portal_best, 1),
        "direct_mib_per_s": round(size / MIB / direct_best, 1),
        "ratio": round(direct_best / portal_best, 3),
        "ratio_definition": "direct best time / portal best time (1.0 = the service adds nothing)",
        "floor": "direct multipart upload to the same S3 endpoint, same part size and parallelism",
        "goal": GOAL,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="32 MiB in 8 MiB parts, one round")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the ratio misses")
    parser.add_argument("--size-mib", type=int, default=None, help="file size (default 256)")
    parser.add_argument("--part-mib", type=int, default=None, help="part size (default 64)")
    parser.add_argument("--parallel", type=int, default=4, help="parts PUT at a time")
    parser.add_argument("--rounds", type=int, default=None, help="timed rounds (default 3)")
    parser.add_argument(
        "--portal", default=None, help="developer-portal base URL to use instead of a side instance"
    )
    args = parser.parse_args()
    args.size_mib = args.size_mib or (32 if args.quick else 256)
    args.part_mib = args.part_mib or (8 if args.quick else 64)
    args.rounds = args.rounds or (1 if args.quick else 3)
    if args.part_mib < 5:
        parser.error("S3 parts are at least 5 MiB (--part-mib)")

    print(
        f"upload: {args.size_mib} MiB, {args.part_mib} MiB parts, {args.parallel} in parallel, "
        f"{args.rounds} round(s)"
    )
    if args.portal:
        figures = asyncio.run(measure(args, args.portal.rstrip("/")))
        figures["portal"] = args.portal
    else:
        overrides = {
            "build_part_size_bytes": str(args.part_mib * MIB),
            "build_single_put_max_bytes": str(args.part_mib * MIB),
        }
        with SidePortal(SIDE_PORT, overrides) as side:
            figures = asyncio.run(measure(args, side.base))
        figures["portal"] = "side instance (bench/side_portal.py): single-PUT limit = one part"
    figures["verdict"] = verdict(figures["ratio"], GOAL)
    figures["quick"] = args.quick
    path = record("developer_portal_upload", figures)
    print_table(
        ["upload", "portal s", "direct s", "portal MiB/s", "direct MiB/s", "ratio", "goal", ""],
        [
            [
                f"{args.size_mib} MiB {figures['upload_type']}",
                figures["portal_best_seconds"],
                figures["direct_best_seconds"],
                figures["portal_mib_per_s"],
                figures["direct_mib_per_s"],
                figures["ratio"],
                f">= {GOAL}",
                figures["verdict"],
            ]
        ],
    )
    print(f"written to {path}")
    if args.strict and figures["verdict"] == "FAIL":
        sys.exit(1)


if __name__ == "__main__":
    main()
