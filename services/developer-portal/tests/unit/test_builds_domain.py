"""Versions and build files as plain Python: upload planning (single PUT up to 5 GiB, parts
above, S3's 10,000-part limit), the checks of an upload request, completion, verification and
what a version's builds make of its status."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_developer_portal.builds.domain import (
    GameVersion,
    Platform,
    VersionStatus,
    move_version,
    new_version,
    require_builds_open,
)
from parovoz_developer_portal.builds.rules import BuildRules
from parovoz_developer_portal.builds.uploads import (
    MAX_PARTS,
    BuildStatus,
    FailureReason,
    GameBuild,
    UploadType,
    abort_build,
    build_key,
    builds_status,
    check_file_name,
    check_part_numbers,
    check_upload_request,
    complete_build,
    missing_parts,
    missing_platforms,
    new_build,
    plan_upload,
    require_targeted,
    settle_version,
    verify_build,
)
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_kit.errors import (
    BusinessRuleViolation,
    Conflict,
    ParovozError,
    PayloadTooLarge,
    ValidationFailed,
)

MIB = 1024**2
GIB = 1024**3
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
RULES = DeveloperPortalSettings(environment="test").build_rules()
SHA = "a" * 64


def version(**changes: object) -> GameVersion:
    made = new_version(
        uuid.uuid4(), uuid.uuid4(), False, "1.0.0", {"ru-RU": "Первая"}, [], uuid.uuid4(), NOW
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def build(
    of: GameVersion,
    platform: Platform = Platform.WINDOWS_X64,
    size: int = 10 * MIB,
    **changes: object,
) -> GameBuild:
    made = new_build(
        of, platform, "game.zip", size, "application/zip", plan_upload(size, RULES), None, NOW
    )
    return replace(made, **changes)  # type: ignore[arg-type]


# --- planning ------------------------------------------------------------------------------------
def test_the_rules_are_the_product_numbers() -> None:
    assert RULES.single_put_max_bytes == 5 * GIB
    assert RULES.part_size_bytes == 64 * MIB
    assert RULES.max_file_bytes == 100 * 1000**3
    assert RULES.upload_url_ttl_seconds == 3600


def test_up_to_5_gib_is_one_put_above_it_parts_of_64_mib() -> None:
    assert plan_upload(1, RULES).upload_type is UploadType.SINGLE
    at_edge = plan_upload(RULES.single_put_max_bytes, RULES)
    assert at_edge.upload_type is UploadType.SINGLE
    assert at_edge.part_count is None and at_edge.part_size_bytes is None
    above = plan_upload(RULES.single_put_max_bytes + 1, RULES)
    assert above.upload_type is UploadType.MULTIPART
    assert above.part_size_bytes == RULES.part_size_bytes
    # 5 GiB is 80 parts of 64 MiB exactly; one byte more needs an 81st.
    assert above.part_count == RULES.single_put_max_bytes // RULES.part_size_bytes + 1


@pytest.mark.parametrize("size", [100 * 1000**3, 100 * GIB - 1, 5 * GIB + 64 * MIB])
def test_parts_cover_the_file_exactly(size: int) -> None:
    plan = plan_upload(size, RULES)
    assert plan.part_size_bytes is not None and plan.part_count is not None
    assert plan.part_count <= MAX_PARTS
    assert (
        (plan.part_count - 1) * plan.part_size_bytes
        < size
        <= plan.part_count * plan.part_size_bytes
    )
    made = build(version(), size=size)
    sizes = [made.expected_part_size(n) for n in range(1, plan.part_count + 1)]
    assert sum(sizes) == size and all(s > 0 for s in sizes)


def test_100_gb_in_64_mib_parts() -> None:
    plan = plan_upload(100 * 1000**3, RULES)
    assert plan.part_size_bytes == 64 * MIB
    assert plan.part_count == -(-100 * 1000**3 // (64 * MIB))  # 1491


def test_parts_grow_when_a_file_would_need_more_than_10000() -> None:
    rules = replace(RULES, part_size_bytes=5 * MIB, max_file_bytes=200 * GIB)
    plan = plan_upload(100 * GIB, rules)
    assert plan.part_count is not None and plan.part_size_bytes is not None
    assert plan.part_count <= MAX_PARTS
    assert plan.part_size_bytes % MIB == 0 and plan.part_size_bytes > 5 * MIB
    assert plan.part_count * plan.part_size_bytes >= 100 * GIB


# --- the upload request -------------------------------------------------------------------------
def test_only_zip_and_octet_stream_up_to_the_limit() -> None:
    check_upload_request(RULES.max_file_bytes, "application/zip", RULES)
    check_upload_request(1, "application/octet-stream", RULES)
    with pytest.raises(BusinessRuleViolation) as wrong_type:
        check_upload_request(1, "image/png", RULES)
    assert wrong_type.value.code == "UNSUPPORTED_BUILD_TYPE"
    with pytest.raises(PayloadTooLarge) as too_large:
        check_upload_request(RULES.max_file_bytes + 1, "application/zip", RULES)
    assert too_large.value.code == "FILE_TOO_LARGE"
    assert too_large.value.http_status == 413


@pytest.mark.parametrize("name", ["../x.zip", "a/b.zip", "a\\b.zip", "..", ".", "a\nb.zip"])
def test_a_file_name_is_not_a_path(name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_file_name(name)
    assert refused.value.code == "INVALID_FILE_NAME"


def test_the_key_follows_seed_001() -> None:
    v = version()
    key = build_key(v, Platform.LINUX_X64, "game.zip")
    assert key == f"{v.developer_id}/{v.game_id}/{v.id}/linux_x64/game.zip"


def test_part_numbers_are_within_the_upload() -> None:
    made = build(version(), size=6 * GIB)
    assert made.part_count is not None
    check_part_numbers(made, [1, made.part_count])
    for wrong in (0, made.part_count + 1):
        with pytest.raises(ValidationFailed):
            check_part_numbers(made, [wrong])


def test_missing_parts_are_the_absent_and_the_wrong_sized() -> None:
    made = build(version(), size=6 * GIB)
    assert made.part_count is not None
    stored = [(n, made.expected_part_size(n)) for n in range(1, made.part_count + 1)]
    assert missing_parts(made, stored) == []
    assert missing_parts(made, stored[2:]) == [1, 2]
    assert missing_parts(made, [*stored[:-1], (made.part_count, 1)]) == [made.part_count]


# --- completion, verification, abort -----------------------------------------------------------
def test_completion_checks_the_path_and_is_idempotent() -> None:
    made = build(version())
    with pytest.raises(BusinessRuleViolation) as elsewhere:
        complete_build(made, "other/key.zip", SHA, NOW)
    assert elsewhere.value.code == "BUILD_PATH_MISMATCH"
    done = complete_build(made, made.s3_path, SHA, NOW)
    assert done.status is BuildStatus.PROCESSING and done.file_hash_sha256 == SHA
    assert complete_build(done, done.s3_path, SHA, NOW) is done
    with pytest.raises(Conflict):
        complete_build(done, done.s3_path, "b" * 64, NOW)
    with pytest.raises(BusinessRuleViolation) as aborted:
        complete_build(replace(made, status=BuildStatus.ABORTED), made.s3_path, SHA, NOW)
    assert aborted.value.code == "BUILD_NOT_UPLOADING"


def test_verification_compares_size_then_hash() -> None:
    made = build(version(), size=100)
    done = complete_build(made, made.s3_path, SHA, NOW)
    assert verify_build(done, 100, SHA, NOW).status is BuildStatus.VERIFIED
    missing = verify_build(done, None, None, NOW)
    assert (missing.status, missing.failure_reason) == (
        BuildStatus.FAILED,
        FailureReason.OBJECT_MISSING,
    )
    short = verify_build(done, 99, None, NOW)
    assert short.failure_reason is FailureReason.SIZE_MISMATCH
    assert short.failure_detail is not None and "99" in short.failure_detail
    other = verify_build(done, 100, "c" * 64, NOW)
    assert other.failure_reason is FailureReason.HASH_MISMATCH


def test_a_build_being_verified_is_not_aborted() -> None:
    made = build(version())
    with pytest.raises(Conflict) as refused:
        abort_build(complete_build(made, made.s3_path, SHA, NOW), NOW)
    assert refused.value.code == "BUILD_PROCESSING"
    assert abort_build(made, NOW).status is BuildStatus.ABORTED


# --- the version's status -----------------------------------------------------------------------
def test_builds_decide_the_version_status() -> None:
    v = version(platforms=("windows_x64", "linux_x64"))
    win = build(v, Platform.WINDOWS_X64, status=BuildStatus.VERIFIED)
    lin = build(v, Platform.LINUX_X64, status=BuildStatus.PROCESSING)
    assert builds_status(v, [])[0] is VersionStatus.UPLOADING
    assert builds_status(v, [win, lin])[0] is VersionStatus.PROCESSING
    # One target platform still without a build: uploading.
    assert builds_status(v, [win])[0] is VersionStatus.UPLOADING
    assert missing_platforms(v, [win]) == ["linux_x64"]
    ready = replace(lin, status=BuildStatus.VERIFIED)
    assert builds_status(v, [win, ready]) == (VersionStatus.READY_FOR_REVIEW, None)
    failed = verify_build(replace(lin, file_hash_sha256=SHA), 1, None, NOW)
    status, reason = builds_status(v, [win, failed])
    assert status is VersionStatus.FAILED_PROCESSING
    assert reason is not None and "size_mismatch" in reason and "linux_x64" in reason


def test_without_declared_platforms_the_builds_are_the_targets() -> None:
    v = version()
    win = build(v, Platform.WINDOWS_X64, status=BuildStatus.VERIFIED)
    gone = build(v, Platform.LINUX_X64, status=BuildStatus.ABORTED)
    assert builds_status(v, [win, gone])[0] is VersionStatus.READY_FOR_REVIEW
    assert missing_platforms(v, [gone]) == []


def test_settling_moves_the_version_along_its_machine() -> None:
    v = version()
    processing = build(v, status=BuildStatus.PROCESSING)
    moved = settle_version(v, [processing], NOW + timedelta(seconds=1))
    assert moved is not None and moved.status is VersionStatus.PROCESSING
    assert settle_version(moved, [processing], NOW) is None  # nothing changes
    verified = settle_version(moved, [replace(processing, status=BuildStatus.VERIFIED)], NOW)
    assert verified is not None and verified.status is VersionStatus.READY_FOR_REVIEW
    # A version in review is review's business: builds leave it alone.
    assert settle_version(replace(v, status=VersionStatus.IN_REVIEW), [], NOW) is None


def test_aborting_the_last_unfinished_build_can_make_a_version_ready_or_failed() -> None:
    v = version(status=VersionStatus.UPLOADING)
    assert (
        move_version(v, VersionStatus.READY_FOR_REVIEW, NOW).status
        is VersionStatus.READY_FOR_REVIEW
    )
    failed = replace(v, status=VersionStatus.FAILED_PROCESSING)
    assert (
        move_version(failed, VersionStatus.READY_FOR_REVIEW, NOW).status
        is VersionStatus.READY_FOR_REVIEW
    )
    with pytest.raises(ParovozError):
        move_version(v, VersionStatus.IN_REVIEW, NOW)


def test_versions_past_their_build_stages_take_no_builds() -> None:
    require_builds_open(version())
    with pytest.raises(BusinessRuleViolation) as closed:
        require_builds_open(version(status=VersionStatus.IN_REVIEW))
    assert closed.value.code == "VERSION_BUILDS_CLOSED"


def test_a_new_version_checks_its_game_changelog_and_platforms() -> None:
    with pytest.raises(BusinessRuleViolation) as archived:
        new_version(uuid.uuid4(), uuid.uuid4(), True, "1", {}, [], uuid.uuid4(), NOW)
    assert archived.value.code == "GAME_ARCHIVED"
    with pytest.raises(ValidationFailed) as locale:
        new_version(uuid.uuid4(), uuid.uuid4(), False, "1", {"russian": "x"}, [], uuid.uuid4(), NOW)
    assert locale.value.code == "INVALID_LOCALE"
    twice = [Platform.LINUX_X64, Platform.LINUX_X64]
    with pytest.raises(ValidationFailed) as duplicate:
        new_version(uuid.uuid4(), uuid.uuid4(), False, "1", {}, twice, uuid.uuid4(), NOW)
    assert duplicate.value.code == "DUPLICATE_PLATFORM"
    made = new_version(
        uuid.uuid4(), uuid.uuid4(), False, "1", {}, [Platform.MACOS_ARM64], uuid.uuid4(), NOW
    )
    assert made.status is VersionStatus.UPLOADING and made.platforms == ("macos_arm64",)


def test_rules_type_is_built_in_settings() -> None:
    assert isinstance(RULES, BuildRules)
    assert RULES.allowed_content_types == {"application/zip", "application/octet-stream"}


def test_a_client_may_ask_for_parts_but_not_for_one_huge_put() -> None:
    small = plan_upload(200 * MIB, RULES, UploadType.MULTIPART)
    assert (small.upload_type, small.part_size_bytes, small.part_count) == (
        UploadType.MULTIPART,
        64 * MIB,
        4,
    )
    assert plan_upload(200 * MIB, RULES, UploadType.SINGLE).upload_type is UploadType.SINGLE
    with pytest.raises(BusinessRuleViolation) as refused:
        plan_upload(RULES.single_put_max_bytes + 1, RULES, UploadType.SINGLE)
    assert refused.value.code == "SINGLE_PUT_TOO_LARGE"


def test_a_version_with_declared_platforms_takes_builds_for_those_only() -> None:
    require_targeted(version(), Platform.MACOS_X64)  # none declared: any platform
    declared = version(platforms=("windows_x64",))
    require_targeted(declared, Platform.WINDOWS_X64)
    with pytest.raises(BusinessRuleViolation) as refused:
        require_targeted(declared, Platform.LINUX_X64)
    assert refused.value.code == "PLATFORM_NOT_TARGETED"
