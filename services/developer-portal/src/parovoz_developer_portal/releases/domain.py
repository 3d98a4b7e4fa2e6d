"""Publication, releases and rollback: what a game needs before it goes live (PRODUCT.md,
Developer portal), which version becomes live and which one steps down, and the history of it.

Plain Python: the use cases gather the facts (versions, metadata, screenshots, price) and ask
these rules; a refusal lists every missing need at once, so the developer fixes them together.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, NotFound, ParovozError

from parovoz_developer_portal.builds.domain import GameVersion, VersionStatus
from parovoz_developer_portal.games.domain import Game, GameStatus, game_state_conflict
from parovoz_developer_portal.releases.rules import PublicationRules

_VERSION_POINTER = "/data/attributes/version_id"


class ReleaseKind(StrEnum):
    PUBLICATION = "publication"
    ROLLBACK = "rollback"


@dataclass(frozen=True)
class Release:
    """One change of a game's live version: a publication or a rollback."""

    id: uuid.UUID
    game_id: uuid.UUID
    developer_id: uuid.UUID
    kind: ReleaseKind
    #: The version live before (None on a game's first publication).
    from_version_id: uuid.UUID | None
    to_version_id: uuid.UUID
    by_user_id: uuid.UUID
    released_at: datetime
    api_key_id: uuid.UUID | None = None
    reason: str | None = None


@dataclass(frozen=True)
class PublicationFacts:
    """What the use case found about the game before publishing it."""

    #: The version to publish: the one asked for, else the newest approved one (None if none).
    version: GameVersion | None
    #: Platforms with a verified build of that version.
    verified_platforms: frozenset[str]
    #: The game has metadata in the required locale.
    has_required_metadata: bool
    screenshots: int
    #: The game has a price list (a price, or free).
    priced: bool
    #: The game's status: an unpublished game may go back on sale with its live version.
    game_status: GameStatus | None = None

    @property
    def publishable(self) -> frozenset[VersionStatus]:
        """Statuses a version may be published from: approved, or (re-publication of an
        unpublished game) the version still live."""
        if self.game_status is GameStatus.UNPUBLISHED:
            return frozenset({VersionStatus.APPROVED, VersionStatus.LIVE})
        return frozenset({VersionStatus.APPROVED})


class PublicationBlocked(BusinessRuleViolation):
    """The game is not ready to publish. Raised as ``PublicationBlocked.of_reasons(needs)``:
    the kit answers one error object per missing need."""

    @property
    def needs(self) -> tuple[ParovozError, ...]:
        return self.reasons


def version_not_found(version_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Version {version_id} was not found.",
        detail_ru=f"Версия {version_id} не найдена.",
        code="RESOURCE_NOT_FOUND",
        pointer=_VERSION_POINTER,
    )


def version_to_publish(
    versions: Sequence[GameVersion], version_id: uuid.UUID | None, game: Game | None = None
) -> GameVersion | None:
    """The version asked for (a version of another game, or none, is NOT_FOUND), else the
    newest approved version of the game, else (an unpublished game going back on sale) the
    version still live."""
    if version_id is not None:
        for version in versions:
            if version.id == version_id:
                return version
        raise version_not_found(version_id)
    approved = [v for v in versions if v.status is VersionStatus.APPROVED]
    if approved:
        return max(approved, key=lambda v: v.created_at)
    if game is not None and game.status is GameStatus.UNPUBLISHED:
        return live_version(versions)
    return None


def missing_needs(facts: PublicationFacts, rules: PublicationRules) -> list[BusinessRuleViolation]:
    """Every need of PRODUCT.md's publication list the game lacks, one error each."""
    needs: list[BusinessRuleViolation] = []
    version = facts.version
    if version is None:
        needs.append(
            BusinessRuleViolation(
                "The game has no version approved by moderation.",
                detail_ru="У игры нет версии, одобренной модерацией.",
                code="NO_APPROVED_VERSION",
                pointer=_VERSION_POINTER,
            )
        )
    elif version.status not in facts.publishable:
        needs.append(
            BusinessRuleViolation(
                f"Version {version.version_name} is '{version.status}', not approved by "
                "moderation.",
                detail_ru=(
                    f"Версия {version.version_name} в статусе «{version.status}», а не одобрена "
                    "модерацией."
                ),
                code="NO_APPROVED_VERSION",
                pointer=_VERSION_POINTER,
            )
        )
    elif not facts.verified_platforms:
        needs.append(
            BusinessRuleViolation(
                f"Version {version.version_name} has no verified build.",
                detail_ru=f"У версии {version.version_name} нет проверенного билда.",
                code="NO_VERIFIED_BUILD",
                pointer=_VERSION_POINTER,
            )
        )
    if not facts.has_required_metadata:
        needs.append(
            BusinessRuleViolation(
                f"The game has no metadata in {rules.required_locale}.",
                detail_ru=f"У игры нет описания на языке {rules.required_locale}.",
                code="METADATA_LOCALE_MISSING",
            )
        )
    if facts.screenshots < rules.min_screenshots:
        needs.append(
            BusinessRuleViolation(
                f"The game has {facts.screenshots} screenshot(s); publication needs at least "
                f"{rules.min_screenshots}.",
                detail_ru=(
                    f"Скриншотов у игры: {facts.screenshots}; для публикации нужно не меньше "
                    f"{rules.min_screenshots}."
                ),
                code="NOT_ENOUGH_SCREENSHOTS",
            )
        )
    if not facts.priced:
        needs.append(
            BusinessRuleViolation(
                "The game has no price: set one, or mark it free.",
                detail_ru="У игры нет цены: задайте её или отметьте игру бесплатной.",
                code="PRICE_MISSING",
            )
        )
    return needs


def require_publishable(facts: PublicationFacts, rules: PublicationRules) -> GameVersion:
    """The version to publish, or PublicationBlocked listing every missing need."""
    needs = missing_needs(facts, rules)
    if needs or facts.version is None:
        raise PublicationBlocked.of_reasons(needs)
    return facts.version


def live_version(versions: Sequence[GameVersion]) -> GameVersion | None:
    return next((v for v in versions if v.status is VersionStatus.LIVE), None)


def game_status_on_publication(game: Game) -> GameStatus | None:
    """A game not yet on sale becomes ``published``; a published one stays so (a new version
    replaces the live one). An archived or rejected game is not published."""
    if game.status is GameStatus.PUBLISHED:
        return None
    if game.status in (GameStatus.DRAFT, GameStatus.IN_REVIEW, GameStatus.UNPUBLISHED):
        return GameStatus.PUBLISHED
    raise game_state_conflict(game.status, GameStatus.PUBLISHED)


def require_rollback(
    game: Game, target: GameVersion | None, target_id: uuid.UUID, current: GameVersion | None
) -> tuple[GameVersion, GameVersion]:
    """(the version to make live again, the live one to step down). The game must be on sale
    with a live version; the target must be one of its versions that was live before
    (``deprecated``)."""
    if target is None or target.game_id != game.id:
        raise version_not_found(target_id)
    if game.status is not GameStatus.PUBLISHED or current is None:
        raise BusinessRuleViolation(
            "Only a published game with a live version can be rolled back.",
            detail_ru="Откатить можно только опубликованную игру с активной версией.",
            code="GAME_NOT_PUBLISHED",
        )
    if target.status is not VersionStatus.DEPRECATED:
        raise BusinessRuleViolation(
            f"Version {target.version_name} is '{target.status}': a rollback returns to an "
            "earlier version that was live (deprecated).",
            detail_ru=(
                f"Версия {target.version_name} в статусе «{target.status}»: откатить можно "
                "только на прежнюю активную версию (deprecated)."
            ),
            code="ROLLBACK_TARGET_INVALID",
            pointer=_VERSION_POINTER,
        )
    return target, current


def rollback_reason(reason: str | None) -> str | None:
    """The reason as written, without surrounding spaces; a blank one is no reason."""
    return (reason or "").strip() or None


def first_published_at(history: Sequence[Release], now: datetime) -> datetime:
    """When the game was first published: its earliest publication, or ``now`` on the first."""
    earlier = [r.released_at for r in history if r.kind is ReleaseKind.PUBLICATION]
    return min(earlier) if earlier else now


def release(
    game: Game,
    kind: ReleaseKind,
    previous: GameVersion | None,
    to: GameVersion,
    by_user_id: uuid.UUID,
    api_key_id: uuid.UUID | None,
    reason: str | None,
    now: datetime,
) -> Release:
    return Release(
        id=uuid.uuid4(),
        game_id=game.id,
        developer_id=game.developer_id,
        kind=kind,
        from_version_id=previous.id if previous else None,
        to_version_id=to.id,
        by_user_id=by_user_id,
        released_at=now,
        api_key_id=api_key_id,
        reason=reason,
    )
