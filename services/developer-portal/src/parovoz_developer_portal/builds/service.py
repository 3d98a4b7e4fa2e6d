"""builds: use cases of versions (create, read) and what review and releases ask of them.

Tenant isolation: a version is reached through its game (``game_for_actor``: another account's
game is RESOURCE_NOT_FOUND before any role check), and a version of another game, or a build of
another version, is RESOURCE_NOT_FOUND too. The uploads of build files are ``upload_service``;
their verification ``verification``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from parovoz_kit.errors import BusinessRuleViolation, NotFound

from parovoz_developer_portal.builds.domain import (
    GameVersion,
    Platform,
    VersionStatus,
    move_version,
    new_version,
)
from parovoz_developer_portal.builds.ports import BuildsUnitOfWork
from parovoz_developer_portal.builds.uploads import (
    BuildStatus,
    GameBuild,
    missing_platforms,
    target_platforms,
)
from parovoz_developer_portal.games.domain import GameStatus
from parovoz_developer_portal.games.service import game_for_actor
from parovoz_developer_portal.team.domain import Actor, Permission


@dataclass(frozen=True)
class VersionView:
    """A version with its builds (aborted ones left out), as the API shows it."""

    version: GameVersion
    builds: tuple[GameBuild, ...]

    @property
    def platforms(self) -> tuple[str, ...]:
        return target_platforms(self.version, self.builds)


def version_not_found(version_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Version {version_id} was not found.",
        detail_ru=f"Версия {version_id} не найдена.",
        code="RESOURCE_NOT_FOUND",
    )


def build_not_found(build_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Build {build_id} was not found.",
        detail_ru=f"Билд {build_id} не найден.",
        code="RESOURCE_NOT_FOUND",
    )


async def create_version(
    uow: BuildsUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    version_name: str,
    changelog: dict[str, str],
    platforms: Sequence[Platform],
    now: datetime,
) -> VersionView:
    game = await game_for_actor(uow, actor, game_id, Permission.MANAGE_GAMES)
    version = new_version(
        game.id,
        game.developer_id,
        game.status is GameStatus.ARCHIVED,
        version_name,
        changelog,
        platforms,
        actor.user_id,
        now,
    )
    await uow.builds.add_version(version)  # a duplicate name raises Conflict
    await uow.commit()
    return VersionView(version, ())


async def version_for_actor(
    uow: BuildsUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    permission: Permission = Permission.VIEW,
) -> GameVersion:
    """A version of one of the actor's account's games, if the role allows ``permission``."""
    await game_for_actor(uow, actor, game_id, permission)
    version = await uow.builds.version(version_id)
    if version is None or version.game_id != game_id:
        raise version_not_found(version_id)
    return version


async def locked_version_for_actor(
    uow: BuildsUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    permission: Permission,
) -> GameVersion:
    """As :func:`version_for_actor`, locked until commit (its builds change one at a time)."""
    await version_for_actor(uow, actor, game_id, version_id, permission)
    version = await uow.builds.version_for_update(version_id)
    if version is None:
        raise version_not_found(version_id)
    return version


async def build_of_version(
    uow: BuildsUnitOfWork, version: GameVersion, build_id: uuid.UUID
) -> GameBuild:
    build = await uow.builds.build(build_id)
    if build is None or build.version_id != version.id:
        raise build_not_found(build_id)
    return build


async def view_of(uow: BuildsUnitOfWork, version: GameVersion) -> VersionView:
    builds = await uow.builds.builds_of_version(version.id)
    return VersionView(version, tuple(b for b in builds if b.status is not BuildStatus.ABORTED))


async def version_view(
    uow: BuildsUnitOfWork, actor: Actor, game_id: uuid.UUID, version_id: uuid.UUID
) -> VersionView:
    return await view_of(uow, await version_for_actor(uow, actor, game_id, version_id))


async def version_views(
    uow: BuildsUnitOfWork, actor: Actor, game_id: uuid.UUID
) -> list[VersionView]:
    """The game's versions, newest first, each with its builds."""
    await game_for_actor(uow, actor, game_id, Permission.VIEW)
    return [await view_of(uow, version) for version in await uow.builds.versions_of_game(game_id)]


# --- for review and releases ---------------------------------------------------------------


async def save_version_status(
    uow: BuildsUnitOfWork,
    version: GameVersion,
    target: VersionStatus,
    now: datetime,
    reason: str | None = None,
) -> GameVersion:
    """Move the version (VERSION_STATE_CONFLICT when illegal) and store it; the caller emits
    its event and commits."""
    moved = move_version(version, target, now, reason)
    await uow.builds.save_version(moved)
    return moved


async def versions_of_game(uow: BuildsUnitOfWork, game_id: uuid.UUID) -> list[GameVersion]:
    """Newest first."""
    return await uow.builds.versions_of_game(game_id)


async def verified_platforms(uow: BuildsUnitOfWork, version_id: uuid.UUID) -> list[str]:
    builds = await uow.builds.builds_of_version(version_id)
    return sorted({b.platform.value for b in builds if b.status is BuildStatus.VERIFIED})


class BuildsIncomplete(BusinessRuleViolation):
    """BUILDS_INCOMPLETE: ``missing`` names each target platform without a verified build
    (empty: the version has no build at all)."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        if self.missing:
            names = ", ".join(self.missing)
            detail = f"No verified build for the target platforms: {names}."
            detail_ru = f"Нет проверенного билда для целевых платформ: {names}."
        else:
            detail = "The version has no build: upload one for each platform it targets."
            detail_ru = "У версии нет ни одного билда: загрузите билд для каждой платформы."
        super().__init__(detail, detail_ru=detail_ru, code="BUILDS_INCOMPLETE")
        # One error object per missing platform in the answer (the kit renders ``reasons``).
        self.reasons = tuple(
            BusinessRuleViolation(
                f"No verified build for the target platform {platform}.",
                detail_ru=f"Нет проверенного билда для целевой платформы {platform}.",
                code="BUILDS_INCOMPLETE",
            )
            for platform in self.missing
        )


async def require_complete_builds(uow: BuildsUnitOfWork, version: GameVersion) -> None:
    """422 BUILDS_INCOMPLETE unless every target platform has a verified build (and there is
    at least one)."""
    builds = [
        b
        for b in await uow.builds.builds_of_version(version.id)
        if b.status is not BuildStatus.ABORTED
    ]
    missing = missing_platforms(version, builds)
    if missing or not builds:
        raise BuildsIncomplete(missing)
