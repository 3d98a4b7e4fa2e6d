"""Build files of a version (plain Python, like ``domain.py``): how a file is uploaded (one
pre-signed PUT or a multipart upload in parts), its life (uploading -> processing -> verified /
failed, or aborted), what verification decides, and what a version's builds make of its status.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import (
    BusinessRuleViolation,
    Conflict,
    PayloadTooLarge,
    ValidationFailed,
)

from parovoz_developer_portal.builds.domain import (
    BUILDS_OPEN,
    GameVersion,
    Platform,
    VersionStatus,
    move_version,
)
from parovoz_developer_portal.builds.rules import BuildRules

#: S3 allows at most 10,000 parts in one multipart upload.
MAX_PARTS = 10_000
_MIB = 1024 * 1024
_ATTRIBUTES = "/data/attributes"


class BuildStatus(StrEnum):
    UPLOADING = "uploading"  # URLs handed out; the client uploads
    PROCESSING = "processing"  # upload complete; the worker verifies size and SHA-256
    VERIFIED = "verified"
    FAILED = "failed"  # verification failed (reason kept); a new upload replaces it
    ABORTED = "aborted"  # abandoned or replaced; its multipart upload and object are gone


class UploadType(StrEnum):
    SINGLE = "single"
    MULTIPART = "multipart"


class FailureReason(StrEnum):
    SIZE_MISMATCH = "size_mismatch"
    HASH_MISMATCH = "hash_mismatch"
    OBJECT_MISSING = "object_missing"


@dataclass(frozen=True)
class UploadPlan:
    upload_type: UploadType
    part_size_bytes: int | None = None
    part_count: int | None = None


def plan_upload(
    file_size_bytes: int, rules: BuildRules, requested: UploadType | None = None
) -> UploadPlan:
    """One PUT up to ``single_put_max_bytes``; above, parts of ``part_size_bytes`` (grown to
    whole MiB when the file would need more than S3's 10,000 parts). A client may ask for a
    multipart upload of a smaller file (to send parts in parallel, or resume), never for a
    single PUT of a larger one (SINGLE_PUT_TOO_LARGE)."""
    if requested is UploadType.SINGLE and file_size_bytes > rules.single_put_max_bytes:
        raise BusinessRuleViolation(
            f"One PUT carries at most {rules.single_put_max_bytes} bytes; upload this file "
            "in parts (upload_type multipart).",
            detail_ru=f"Одним PUT загружается не больше {rules.single_put_max_bytes} байт: "
            "загрузите этот файл по частям (upload_type multipart).",
            code="SINGLE_PUT_TOO_LARGE",
            pointer=f"{_ATTRIBUTES}/upload_type",
        )
    if requested is not UploadType.MULTIPART and file_size_bytes <= rules.single_put_max_bytes:
        return UploadPlan(UploadType.SINGLE)
    part_size = rules.part_size_bytes
    if -(-file_size_bytes // part_size) > MAX_PARTS:
        part_size = -(-file_size_bytes // MAX_PARTS // _MIB) * _MIB + _MIB
    return UploadPlan(UploadType.MULTIPART, part_size, -(-file_size_bytes // part_size))


def check_upload_request(file_size_bytes: int, content_type: str, rules: BuildRules) -> None:
    if content_type not in rules.allowed_content_types:
        allowed = ", ".join(sorted(rules.allowed_content_types))
        raise BusinessRuleViolation(
            f"A build is uploaded as {allowed}, not {content_type!r}.",
            detail_ru=f"Билд загружается как {allowed}, а не {content_type!r}.",
            code="UNSUPPORTED_BUILD_TYPE",
            pointer=f"{_ATTRIBUTES}/content_type",
        )
    if file_size_bytes > rules.max_file_bytes:
        raise PayloadTooLarge(
            f"A build file is at most {rules.max_file_bytes} bytes; this one is {file_size_bytes}.",
            detail_ru=f"Файл билда — не больше {rules.max_file_bytes} байт, а этот — "
            f"{file_size_bytes}.",
            pointer=f"{_ATTRIBUTES}/file_size_bytes",  # code FILE_TOO_LARGE (the class's)
        )


def require_targeted(version: GameVersion, platform: Platform) -> None:
    """A version that declared its platforms takes builds for those only."""
    if version.platforms and platform.value not in version.platforms:
        targets = ", ".join(version.platforms)
        raise BusinessRuleViolation(
            f"This version targets {targets}, not {platform.value}.",
            detail_ru=f"Эта версия выпускается для {targets}, а не для {platform.value}.",
            code="PLATFORM_NOT_TARGETED",
            pointer=f"{_ATTRIBUTES}/platform",
        )


def check_file_name(file_name: str) -> str:
    """A plain file name (the last segment of the object key): no path, no control character."""
    if (
        file_name in {".", ".."}
        or "/" in file_name
        or "\\" in file_name
        or any(ord(char) < 32 or ord(char) == 127 for char in file_name)
    ):
        raise ValidationFailed(
            "file_name is a plain file name: no '/', '\\', control characters, '.' or '..'.",
            detail_ru="file_name — просто имя файла: без «/», «\\», управляющих символов, "
            "«.» и «..».",
            code="INVALID_FILE_NAME",
            pointer=f"{_ATTRIBUTES}/file_name",
        )
    return file_name


def build_key(version: GameVersion, platform: Platform, file_name: str) -> str:
    """Seed 001 §4.2.2: ``<developer_id>/<game_id>/<version_id>/<platform>/<file_name>``."""
    return f"{version.developer_id}/{version.game_id}/{version.id}/{platform.value}/{file_name}"


@dataclass(frozen=True)
class GameBuild:
    id: uuid.UUID
    version_id: uuid.UUID
    game_id: uuid.UUID
    developer_id: uuid.UUID
    platform: Platform
    file_name: str
    file_size_bytes: int
    content_type: str
    s3_path: str
    upload_type: UploadType
    status: BuildStatus
    created_at: datetime
    updated_at: datetime
    #: The S3 multipart upload's id (multipart only).
    upload_id: str | None = None
    part_size_bytes: int | None = None
    part_count: int | None = None
    file_hash_sha256: str | None = None
    failure_reason: FailureReason | None = None
    failure_detail: str | None = None
    completed_at: datetime | None = None
    verified_at: datetime | None = None

    def expected_part_size(self, part_number: int) -> int:
        if self.part_size_bytes is None or self.part_count is None:
            raise ValueError("a single-PUT build has no parts")
        if part_number < self.part_count:
            return self.part_size_bytes
        return self.file_size_bytes - self.part_size_bytes * (self.part_count - 1)


def new_build(
    version: GameVersion,
    platform: Platform,
    file_name: str,
    file_size_bytes: int,
    content_type: str,
    plan: UploadPlan,
    upload_id: str | None,
    now: datetime,
    build_id: uuid.UUID | None = None,
) -> GameBuild:
    return GameBuild(
        id=build_id or uuid.uuid4(),
        version_id=version.id,
        game_id=version.game_id,
        developer_id=version.developer_id,
        platform=platform,
        file_name=file_name,
        file_size_bytes=file_size_bytes,
        content_type=content_type,
        s3_path=build_key(version, platform, file_name),
        upload_type=plan.upload_type,
        status=BuildStatus.UPLOADING,
        created_at=now,
        updated_at=now,
        upload_id=upload_id,
        part_size_bytes=plan.part_size_bytes,
        part_count=plan.part_count,
    )


def require_replaceable(current: GameBuild) -> None:
    """A platform's build being verified is not replaced under the worker's feet."""
    if current.status is BuildStatus.PROCESSING:
        raise Conflict(
            f"The {current.platform.value} build is being verified; replace it once it is "
            "verified or failed.",
            detail_ru=f"Билд для {current.platform.value} сейчас проверяется: заменить его "
            "можно после проверки.",
            code="BUILD_PROCESSING",
        )


def require_multipart(build: GameBuild) -> None:
    if build.upload_type is not UploadType.MULTIPART or build.status is not BuildStatus.UPLOADING:
        raise BusinessRuleViolation(
            "Parts belong to a multipart upload still in progress.",
            code="BUILD_NOT_MULTIPART_UPLOADING",
        )


def check_part_numbers(build: GameBuild, part_numbers: Sequence[int]) -> None:
    count = build.part_count or 0
    for index, number in enumerate(part_numbers):
        if not 1 <= number <= count:
            raise ValidationFailed(
                f"Part numbers of this upload are 1 to {count}; {number} is not one.",
                detail_ru=f"Номера частей этой загрузки — от 1 до {count}; {number} не из них.",
                code="INVALID_PART_NUMBER",
                pointer=f"{_ATTRIBUTES}/part_numbers/{index}",
            )


def missing_parts(build: GameBuild, stored: Iterable[tuple[int, int]]) -> list[int]:
    """Part numbers not stored with their expected size (``stored``: number, size)."""
    sizes = dict(stored)
    return [
        number
        for number in range(1, (build.part_count or 0) + 1)
        if sizes.get(number) != build.expected_part_size(number)
    ]


def parts_missing_error(missing: Sequence[int]) -> BusinessRuleViolation:
    numbers = ", ".join(str(number) for number in missing)
    return BusinessRuleViolation(
        f"Parts {numbers} are not stored (or not with their size); upload them, then complete.",
        detail_ru=f"Части {numbers} не загружены (или их размер не тот): загрузите их и "
        "завершите загрузку снова.",
        code="BUILD_PARTS_MISSING",
    )


def complete_build(build: GameBuild, s3_path: str, sha256: str, now: datetime) -> GameBuild:
    """The build handed to the worker (``processing``). A repeated completion of a build
    already processing or verified with the same hash is the build unchanged."""
    if s3_path != build.s3_path:
        raise BusinessRuleViolation(
            f"This build is stored at {build.s3_path!r}, not {s3_path!r}.",
            detail_ru=f"Этот билд хранится по пути {build.s3_path!r}, а не {s3_path!r}.",
            code="BUILD_PATH_MISMATCH",
            pointer=f"{_ATTRIBUTES}/s3_path",
        )
    if build.status in {BuildStatus.PROCESSING, BuildStatus.VERIFIED}:
        if build.file_hash_sha256 == sha256:
            return build
        raise Conflict(
            "This build was already completed with another SHA-256.",
            detail_ru="Загрузка этого билда уже завершена с другим SHA-256.",
            code="BUILD_ALREADY_COMPLETED",
            pointer=f"{_ATTRIBUTES}/file_hash_sha256",
        )
    if build.status is not BuildStatus.UPLOADING:
        raise BusinessRuleViolation(
            f"A {build.status.value} build cannot be completed; request a new upload URL.",
            detail_ru=f"Билд в статусе «{build.status.value}» нельзя завершить: запросите новую "
            "ссылку для загрузки.",
            code="BUILD_NOT_UPLOADING",
        )
    return replace(
        build,
        status=BuildStatus.PROCESSING,
        file_hash_sha256=sha256,
        completed_at=now,
        updated_at=now,
    )


def abort_build(build: GameBuild, now: datetime) -> GameBuild:
    require_replaceable(build)
    if build.status is BuildStatus.ABORTED:
        return build
    return replace(build, status=BuildStatus.ABORTED, updated_at=now)


_FAILURE_TEXTS = {
    FailureReason.OBJECT_MISSING: "no object is stored at the build's path",
    FailureReason.SIZE_MISMATCH: "the stored file has {stored} bytes, {declared} were declared",
    FailureReason.HASH_MISMATCH: "the stored file's SHA-256 is {stored}, {declared} was declared",
}


def verify_build(
    build: GameBuild, stored_size: int | None, stored_sha256: str | None, now: datetime
) -> GameBuild:
    """What the worker found: ``verified``, or ``failed`` with the first mismatch."""
    if stored_size is None:
        reason, stored, declared = FailureReason.OBJECT_MISSING, "", ""
    elif stored_size != build.file_size_bytes:
        reason, stored, declared = (
            FailureReason.SIZE_MISMATCH,
            str(stored_size),
            str(build.file_size_bytes),
        )
    elif stored_sha256 != build.file_hash_sha256:
        reason, stored, declared = (
            FailureReason.HASH_MISMATCH,
            str(stored_sha256),
            str(build.file_hash_sha256),
        )
    else:
        return replace(build, status=BuildStatus.VERIFIED, verified_at=now, updated_at=now)
    detail = _FAILURE_TEXTS[reason].format(stored=stored, declared=declared)
    return replace(
        build,
        status=BuildStatus.FAILED,
        failure_reason=reason,
        failure_detail=detail,
        updated_at=now,
    )


# --- what a version's builds make of it ---------------------------------------------------------


def target_platforms(version: GameVersion, builds: Iterable[GameBuild]) -> tuple[str, ...]:
    """The platforms the version declared, else those it has (live) builds for."""
    if version.platforms:
        return version.platforms
    return tuple(sorted({b.platform.value for b in builds if b.status is not BuildStatus.ABORTED}))


def missing_platforms(version: GameVersion, builds: Sequence[GameBuild]) -> list[str]:
    """Target platforms without a verified build (all of them when there is no build)."""
    verified = {b.platform.value for b in builds if b.status is BuildStatus.VERIFIED}
    return [p for p in target_platforms(version, builds) if p not in verified]


def builds_status(
    version: GameVersion, builds: Sequence[GameBuild]
) -> tuple[VersionStatus, str | None]:
    """The status the builds give the version, and the reason when it is failed_processing."""
    live = [b for b in builds if b.status is not BuildStatus.ABORTED]
    failed = [b for b in live if b.status is BuildStatus.FAILED]
    if failed:
        reason = "; ".join(
            f"{b.failure_reason.value if b.failure_reason else 'failed'} ({b.platform.value}): "
            f"{b.failure_detail}"
            for b in sorted(failed, key=lambda b: b.platform.value)
        )
        return VersionStatus.FAILED_PROCESSING, reason
    if any(b.status is BuildStatus.PROCESSING for b in live):
        return VersionStatus.PROCESSING, None
    if not live or missing_platforms(version, live):
        return VersionStatus.UPLOADING, None
    return VersionStatus.READY_FOR_REVIEW, None


def settle_version(
    version: GameVersion, builds: Sequence[GameBuild], now: datetime
) -> GameVersion | None:
    """The version in the status its builds give it, or None when that changes nothing (or
    the version has left the build stages: review and releases move it from there)."""
    if version.status not in BUILDS_OPEN:
        return None
    target, reason = builds_status(version, builds)
    if target is version.status:
        if reason == version.status_reason:
            return None
        return replace(version, status_reason=reason, updated_at=now)
    return move_version(version, target, now, reason)
