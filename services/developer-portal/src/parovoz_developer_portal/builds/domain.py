"""Game versions and their builds: the version's state machine (seed 001 ``GameVersion.status``).

One machine for the whole life of a version, whichever context moves it: builds (upload and
verification), review (moderation), releases (live, deprecated, rollback). Each context calls
:func:`move_version`; an illegal move raises ``VERSION_STATE_CONFLICT`` (422) instead of being
ignored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation


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
    VersionStatus.UPLOADING: frozenset({VersionStatus.PROCESSING}),
    VersionStatus.PROCESSING: frozenset(
        {
            VersionStatus.PROCESSING,
            VersionStatus.READY_FOR_REVIEW,
            VersionStatus.FAILED_PROCESSING,
            VersionStatus.UPLOADING,
        }
    ),
    # A failed build is replaced by a new upload of its platform.
    VersionStatus.FAILED_PROCESSING: frozenset({VersionStatus.UPLOADING, VersionStatus.PROCESSING}),
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


def move_version(
    version: GameVersion, target: VersionStatus, now: datetime, reason: str | None = None
) -> GameVersion:
    """The version in ``target`` status, or VERSION_STATE_CONFLICT when the move is illegal."""
    if not can_move(version.status, target):
        raise version_state_conflict(version.status, target)
    return replace(version, status=target, updated_at=now, status_reason=reason)
