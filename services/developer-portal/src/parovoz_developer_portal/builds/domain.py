"""Game versions and their builds: the version's state machine (seed 001 ``GameVersion.status``).

One machine for the whole life of a version, whichever context moves it: builds (upload and
verification), review (moderation), releases (live, deprecated, rollback). Each context calls
:func:`move_version`; an illegal move raises ``VERSION_STATE_CONFLICT`` (422) instead of being
ignored.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed


class VersionStatus(StrEnum):
    UPLOADING = "uploading"  # created; builds are being uploaded
    PROCESSING = "processing"  # a build's upload is complete; the worker verifies it
    FAILED_PROCESSING = "failed_processing"  # a build failed verification (reason kept)
    READY_FOR_REVIEW = "ready_for_review"  # every build verified
    IN_REVIEW = "in_review"  # submitted to moderation
    APPROVED = "approved"  # moderation approved: publishable
    REJECTED = "rejected"  # moderation rejected (reason kept); a new version is needed
    LIVE = "live"  # the version players get
    DEPRECATED = "deprecated"  # was live; a rollback can make it live again


_MOVES: dict[VersionStatus, frozenset[VersionStatus]] = {
    # To ready/failed when the build that kept it uploading is aborted (the others verified, or
    # one of them failed verification).
    VersionStatus.UPLOADING: frozenset(
        {
            VersionStatus.PROCESSING,
            VersionStatus.READY_FOR_REVIEW,
            VersionStatus.FAILED_PROCESSING,
        }
    ),
    VersionStatus.PROCESSING: frozenset(
        {
            VersionStatus.PROCESSING,
            VersionStatus.READY_FOR_REVIEW,
            VersionStatus.FAILED_PROCESSING,
            VersionStatus.UPLOADING,
        }
    ),
    # A failed build is replaced by a new upload of its platform (or aborted, the others being
    # verified).
    VersionStatus.FAILED_PROCESSING: frozenset(
        {VersionStatus.UPLOADING, VersionStatus.PROCESSING, VersionStatus.READY_FOR_REVIEW}
    ),
    # Another build may still be added before the version is submitted.
    VersionStatus.READY_FOR_REVIEW: frozenset(
        {VersionStatus.UPLOADING, VersionStatus.PROCESSING, VersionStatus.IN_REVIEW}
    ),
    VersionStatus.IN_REVIEW: frozenset({VersionStatus.APPROVED, VersionStatus.REJECTED}),
    VersionStatus.APPROVED: frozenset({VersionStatus.LIVE}),
    VersionStatus.REJECTED: frozenset(),
    VersionStatus.LIVE: frozenset({VersionStatus.DEPRECATED}),
    VersionStatus.DEPRECATED: frozenset({VersionStatus.LIVE}),
}

#: Statuses in which builds may still be uploaded, replaced or aborted.
BUILDS_OPEN = frozenset(
    {
        VersionStatus.UPLOADING,
        VersionStatus.PROCESSING,
        VersionStatus.FAILED_PROCESSING,
        VersionStatus.READY_FOR_REVIEW,
    }
)


def can_move(current: VersionStatus, target: VersionStatus) -> bool:
    return target in _MOVES[current]


def version_state_conflict(current: VersionStatus, target: VersionStatus) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        f"A version in status '{current}' cannot become '{target}'.",
        detail_ru=f"Версия в статусе «{current}» не может перейти в «{target}».",
        code="VERSION_STATE_CONFLICT",
    )


@dataclass(frozen=True)
class GameVersion:
    id: uuid.UUID
    game_id: uuid.UUID
    developer_id: uuid.UUID
    version_name: str
    changelog: dict[str, str]
    status: VersionStatus
    created_at: datetime
    updated_at: datetime
    created_by_user_id: uuid.UUID
    #: Why the version is failed_processing or rejected (shown to the developer); else None.
    status_reason: str | None = None
    #: The platforms the version targets, as the developer declared them; empty = the
    #: platforms it has builds for (:func:`target_platforms`).
    platforms: tuple[str, ...] = ()


def move_version(
    version: GameVersion, target: VersionStatus, now: datetime, reason: str | None = None
) -> GameVersion:
    """The version in ``target`` status, or VERSION_STATE_CONFLICT when the move is illegal."""
    if not can_move(version.status, target):
        raise version_state_conflict(version.status, target)
    return replace(version, status=target, updated_at=now, status_reason=reason)


# --- version creation ---------------------------------------------------------------------------


class Platform(StrEnum):
    WINDOWS_X64 = "windows_x64"
    LINUX_X64 = "linux_x64"
    MACOS_ARM64 = "macos_arm64"
    MACOS_X64 = "macos_x64"


#: A changelog's language tag: ``ru-RU``, ``en-US``, ``de`` ...
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
MAX_CHANGELOG_LOCALES = 20
_ATTRIBUTES = "/data/attributes"


def check_changelog(changelog: dict[str, str]) -> None:
    if len(changelog) > MAX_CHANGELOG_LOCALES:
        raise ValidationFailed(
            f"A changelog has at most {MAX_CHANGELOG_LOCALES} languages.",
            detail_ru=f"Список изменений — не больше чем на {MAX_CHANGELOG_LOCALES} языках.",
            code="TOO_MANY_LOCALES",
            pointer=f"{_ATTRIBUTES}/changelog",
        )
    for locale in changelog:
        if not _LOCALE.fullmatch(locale):
            raise ValidationFailed(
                f"{locale!r} is not a language tag such as ru-RU or en-US.",
                detail_ru=f"{locale!r} — не код языка вида ru-RU или en-US.",
                code="INVALID_LOCALE",
                pointer=f"{_ATTRIBUTES}/changelog",
            )


def check_platforms(platforms: Sequence[Platform]) -> tuple[str, ...]:
    """The declared target platforms, each once (a repeated one is refused)."""
    seen: list[str] = []
    for index, platform in enumerate(platforms):
        if platform.value in seen:
            raise ValidationFailed(
                f"Platform {platform.value} is listed twice.",
                detail_ru=f"Платформа {platform.value} указана дважды.",
                code="DUPLICATE_PLATFORM",
                pointer=f"{_ATTRIBUTES}/platforms/{index}",
            )
        seen.append(platform.value)
    return tuple(seen)


def new_version(
    game_id: uuid.UUID,
    developer_id: uuid.UUID,
    game_archived: bool,
    version_name: str,
    changelog: dict[str, str],
    platforms: Sequence[Platform],
    created_by: uuid.UUID,
    now: datetime,
) -> GameVersion:
    """A new version of a game, ``uploading`` until its builds are uploaded."""
    if game_archived:
        raise BusinessRuleViolation(
            "An archived game takes no new versions.",
            detail_ru="Игра в архиве: новые версии к ней не создаются.",
            code="GAME_ARCHIVED",
        )
    check_changelog(changelog)
    return GameVersion(
        id=uuid.uuid4(),
        game_id=game_id,
        developer_id=developer_id,
        version_name=version_name,
        changelog=dict(changelog),
        status=VersionStatus.UPLOADING,
        created_at=now,
        updated_at=now,
        created_by_user_id=created_by,
        platforms=check_platforms(platforms),
    )


def require_builds_open(version: GameVersion) -> None:
    if version.status not in BUILDS_OPEN:
        raise BusinessRuleViolation(
            f"A version in status '{version.status}' takes no build changes.",
            detail_ru=f"В версии в статусе «{version.status}» билды больше не меняются.",
            code="VERSION_BUILDS_CLOSED",
        )
