"""The upload of a version's builds: the version made (or found), each file hashed, its parts
put in parallel straight to S3 with pre-signed URLs, resumed from what S3 already holds, each
upload completed, and the portal's verification awaited."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from parovoz_upload.client import Portal, PortalError, StorageError, put_to_storage
from parovoz_upload.plan import (
    CHUNK_BYTES,
    LocalBuild,
    Part,
    file_chunks,
    missing_parts,
    plan_parts,
    read_part,
    sha256_of,
)
from parovoz_upload.state import StateFile, UploadState, state_name

#: Part URLs are asked for again when older than this (they live an hour).
PART_URL_MAX_AGE_SECONDS = 45 * 60
#: Tries of one part (or a single PUT) before the upload gives up.
PUT_ATTEMPTS = 4
#: Files larger than this are uploaded in parts (the portal's part size is 64 MiB): parallel,
#: and resumable after an interruption; smaller ones in one PUT.
MULTIPART_ABOVE_BYTES = 64 * 1024 * 1024
#: Build statuses after upload-complete.
DONE = {"processing", "verified", "failed"}


@dataclass
class Options:
    api_url: str
    api_key: str
    game_id: str
    version_name: str
    changelog: dict[str, str]
    builds: list[tuple[str, Path]]
    parallel: int = 4
    wait: bool = True
    wait_timeout_seconds: float = 3600.0
    poll_seconds: float = 2.0
    multipart_above_bytes: int = MULTIPART_ABOVE_BYTES
    state_directory: Path = field(default_factory=lambda: Path(".parovoz-upload"))


@dataclass
class Outcome:
    """What became of each platform's build: `verified`, `failed` (with the reason),
    `processing` (not awaited or timed out)."""

    version_id: str
    statuses: dict[str, str]
    reasons: dict[str, str]

    @property
    def all_verified(self) -> bool:
        return bool(self.statuses) and all(s == "verified" for s in self.statuses.values())


class PartUrls:
    """Pre-signed part URLs of one build, fetched 100 at a time when first needed and again
    when they grow old (a long upload outlives the first ones)."""

    def __init__(self, portal: Portal, game_id: str, version_id: str, build_id: str) -> None:
        self._portal, self._ids = portal, (game_id, version_id, build_id)
        self._urls: dict[int, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._wanted: list[int] = []

    def want(self, numbers: list[int]) -> None:
        self._wanted = sorted(numbers)

    def url(self, number: int) -> str:
        with self._lock:
            known = self._urls.get(number)
            if known is None or time.monotonic() - known[1] > PART_URL_MAX_AGE_SECONDS:
                batch = [n for n in self._wanted if n >= number][:100] or [number]
                now = time.monotonic()
                for part_number, url in self._portal.part_urls(*self._ids, batch):
                    self._urls[part_number] = (url, now)
            return self._urls[number][0]


@dataclass
class BuildUpload:
    local: LocalBuild
    state: UploadState
    state_file: StateFile
    todo: list[Part]
    completed: bool
    upload_url: str | None = None


class Uploader:
    def __init__(
        self,
        options: Options,
        console: Console | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``transport`` (tests) carries both the portal's and the storage's requests."""
        self.options = options
        self.console = console or Console(stderr=True)
        self.portal = Portal(options.api_url, options.api_key, transport=transport)
        self.storage = httpx.Client(timeout=httpx.Timeout(60.0, write=600.0), transport=transport)
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(binary_units=True),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )

    def close(self) -> None:
        self.portal.close()
        self.storage.close()

    def say(self, text: str) -> None:
        self.console.print(text, highlight=False)

    # --- the whole run ------------------------------------------------------------------------
    def run(self) -> Outcome:
        with self.progress:
            local = [self._hashed(platform, path) for platform, path in self.options.builds]
            version_id = self._version([build.platform for build in local])
            uploads = [self._prepare(version_id, build) for build in local]
            self._transfer(version_id, uploads)
        for upload in uploads:
            if not upload.completed:
                self._complete(version_id, upload)
        if not self.options.wait:
            statuses = {upload.local.platform: "processing" for upload in uploads}
            return Outcome(version_id, statuses, {})
        return self._await_verification(version_id, [u.state.build_id for u in uploads])

    def _hashed(self, platform: str, path: Path) -> LocalBuild:
        size = path.stat().st_size
        task = self.progress.add_task(f"SHA-256 {platform}", total=size)
        digest = sha256_of(path, lambda n: self.progress.advance(task, n))
        self.progress.update(task, visible=False)
        return LocalBuild(platform, path, size, digest)

    def _version(self, platforms: list[str]) -> str:
        options = self.options
        try:
            version = self.portal.create_version(
                options.game_id, options.version_name, options.changelog, platforms
            )
            self.say(f"Created version {options.version_name} ({version['id']}).")
        except PortalError as error:
            if error.status != 409:
                raise
            found = self.portal.version_named(options.game_id, options.version_name)
            if found is None:
                raise
            version = found
            self.say(
                f"Version {options.version_name} exists ({version['id']}, "
                f"{version['attributes']['status']}): uploading to it."
            )
        return str(version["id"])

    # --- one build ----------------------------------------------------------------------------
    def _prepare(self, version_id: str, build: LocalBuild) -> BuildUpload:
        options = self.options
        name = state_name(
            options.api_url, options.game_id, options.version_name, build.platform, build.sha256
        )
        state_file = StateFile(options.state_directory, name)
        resumed = self._resumed(version_id, build, state_file)
        if resumed is not None:
            return resumed
        answer = self.portal.upload_url(
            options.game_id,
            version_id,
            file_name=build.file_name,
            size=build.size,
            content_type=build.content_type,
            platform=build.platform,
            multipart=build.size > options.multipart_above_bytes,
        )
        attributes = answer["attributes"]
        state = UploadState(
            build_id=str(attributes.get("internal_build_id") or answer["id"]),
            version_id=version_id,
            platform=build.platform,
            file_sha256=build.sha256,
            file_size=build.size,
            s3_path=str(attributes["s3_path"]),
            upload_type=str(attributes["upload_type"]),
            part_size=attributes.get("part_size_bytes"),
            part_count=attributes.get("part_count"),
        )
        state_file.save(state)
        todo = self._parts(state)
        return BuildUpload(build, state, state_file, todo, False, attributes.get("upload_url"))

    def _parts(self, state: UploadState) -> list[Part]:
        if state.upload_type != "multipart" or state.part_size is None:
            return [Part(1, 0, state.file_size)]
        return plan_parts(state.file_size, state.part_size, state.part_count)

    def _resumed(
        self, version_id: str, build: LocalBuild, state_file: StateFile
    ) -> BuildUpload | None:
        state = state_file.load()
        if state is None or state.version_id != version_id or state.file_sha256 != build.sha256:
            return None
        try:
            stored_build = self.portal.build(self.options.game_id, version_id, state.build_id)
        except PortalError as error:
            if error.status == 404:
                return None
            raise
        status = stored_build["attributes"]["status"]
        if status in DONE:
            self.say(f"{build.platform}: already uploaded ({status}).")
            return BuildUpload(build, state, state_file, [], True)
        if status != "uploading" or state.upload_type != "multipart":
            return None  # a single PUT starts again with a fresh URL
        stored = self.portal.stored_parts(self.options.game_id, version_id, state.build_id)
        parts = self._parts(state)
        todo = missing_parts(parts, stored)
        self.say(
            f"{build.platform}: resuming upload {state.build_id}: "
            f"{len(parts) - len(todo)} of {len(parts)} parts already stored, "
            f"{len(todo)} to upload."
        )
        state.parts_done = sorted(set(stored) & {part.number for part in parts})
        state_file.save(state)
        return BuildUpload(build, state, state_file, todo, False)

    # --- the bytes ------------------------------------------------------------------------------
    def _transfer(self, version_id: str, uploads: list[BuildUpload]) -> None:
        jobs: list[Callable[[], None]] = []
        for upload in uploads:
            if upload.completed:
                continue
            done = upload.local.size - sum(part.size for part in upload.todo)
            task = self.progress.add_task(
                f"{upload.local.platform}", total=upload.local.size, completed=done
            )
            if upload.state.upload_type == "multipart":
                urls = PartUrls(
                    self.portal, self.options.game_id, version_id, upload.state.build_id
                )
                urls.want([part.number for part in upload.todo])
                jobs += [self._part_job(upload, part, urls, task) for part in upload.todo]
            else:
                jobs.append(self._single_job(upload, task))
        if not jobs:
            return
        pool = ThreadPoolExecutor(max_workers=max(1, self.options.parallel))
        try:
            futures: list[Future[None]] = [pool.submit(job) for job in jobs]
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in finished:
                error = future.exception()
                if error is not None:
                    raise error
        except BaseException:
            # The parts done are in the state file; the rest are not started.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()

    def _with_retries(self, put: Callable[[Callable[[int], None]], None], task: TaskID) -> None:
        for attempt in range(PUT_ATTEMPTS):
            sent = 0

            def advance(count: int) -> None:
                nonlocal sent
                sent += count
                self.progress.advance(task, count)

            try:
                put(advance)
                return
            except StorageError as error:
                self.progress.advance(task, -sent)
                if not error.retryable or attempt + 1 == PUT_ATTEMPTS:
                    raise
                time.sleep(2**attempt)

    def _part_job(
        self, upload: BuildUpload, part: Part, urls: PartUrls, task: TaskID
    ) -> Callable[[], None]:
        def job() -> None:
            data = read_part(upload.local.path, part)

            def put(advance: Callable[[int], None]) -> None:
                put_to_storage(
                    self.storage, urls.url(part.number), _chunks(data, advance), part.size
                )

            self._with_retries(put, task)
            upload.state_file.part_done(upload.state, part.number)

        return job

    def _single_job(self, upload: BuildUpload, task: TaskID) -> Callable[[], None]:
        def job() -> None:
            def put(advance: Callable[[int], None]) -> None:
                url = upload.upload_url
                if url is None:
                    raise StorageError("the portal gave no upload URL", retryable=False)
                chunks = file_chunks(upload.local.path, advance)
                put_to_storage(
                    self.storage, url, chunks, upload.local.size, upload.local.content_type
                )

            self._with_retries(put, task)

        return job

    def _complete(self, version_id: str, upload: BuildUpload) -> None:
        self.portal.complete(
            self.options.game_id,
            version_id,
            upload.state.build_id,
            upload.state.s3_path,
            upload.local.sha256,
        )
        upload.state_file.remove()
        self.say(f"{upload.local.platform}: uploaded; the portal verifies it now.")

    # --- verification ---------------------------------------------------------------------------
    def _await_verification(self, version_id: str, build_ids: list[str]) -> Outcome:
        deadline = time.monotonic() + self.options.wait_timeout_seconds
        with self.console.status("Waiting for the portal to verify size and SHA-256…"):
            while True:
                version = self.portal.version(self.options.game_id, version_id)
                ours = [b for b in version["attributes"]["builds"] if str(b["id"]) in build_ids]
                if all(b["status"] in ("verified", "failed") for b in ours) or (
                    time.monotonic() >= deadline
                ):
                    break
                time.sleep(self.options.poll_seconds)
        return _outcome(version_id, version, ours)


def _outcome(version_id: str, version: dict[str, Any], ours: list[dict[str, Any]]) -> Outcome:
    statuses = {str(b["platform"]): str(b["status"]) for b in ours}
    reasons = {
        str(b["platform"]): " — ".join(
            str(x) for x in (b.get("failure_reason"), b.get("failure_detail")) if x
        )
        for b in ours
        if b["status"] == "failed"
    }
    return Outcome(version_id, statuses, reasons)


def _chunks(data: bytes, advance: Callable[[int], None]) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), CHUNK_BYTES):
        chunk = view[start : start + CHUNK_BYTES]
        advance(len(chunk))
        yield bytes(chunk)
