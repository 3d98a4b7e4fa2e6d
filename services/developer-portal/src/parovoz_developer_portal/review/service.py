"""review: use cases, one function per action, over the unit of work.

- :func:`submit_version_for_review`: a studio sends a ready version to moderation;
- :func:`record_moderation_decision`: the Admin Service's answer (``admin.events.v1``) moves the
  version and the game, after every reference was checked;
- :func:`record_greenlight_decision`: greenlight's decisions, the clearance the ``greenlight``
  track needs;
- :func:`review_history`: the submissions of a version and the decisions on them.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Protocol

from parovoz_events.developer import GameSubmitted

from parovoz_developer_portal.builds import service as builds
from parovoz_developer_portal.builds.domain import GameVersion, VersionStatus
from parovoz_developer_portal.builds.ports import BuildsUnitOfWork
from parovoz_developer_portal.games.domain import Game
from parovoz_developer_portal.games.service import change_game_status, game_for_actor
from parovoz_developer_portal.review.domain import (
    GreenlightDecision,
    ModerationDecision,
    Outcome,
    Submission,
    decide,
    game_status_on_decision,
    game_status_on_submit,
    latest_decision,
    require_may_submit,
    submit,
    version_status_on_decision,
    why_decision_ignored,
)
from parovoz_developer_portal.team.domain import Actor, Permission

log = logging.getLogger(__name__)


class ReviewStore(Protocol):
    async def lock_game(self, game_id: uuid.UUID) -> None:
        """Serialize review and release steps of one game until commit."""
        ...

    async def add(self, submission: Submission) -> None: ...
    async def pending(self, version_id: uuid.UUID) -> Submission | None: ...
    async def save_decision(self, submission: Submission) -> None: ...
    async def of_version(self, version_id: uuid.UUID) -> list[Submission]:
        """Oldest first."""
        ...

    async def greenlight_decision(self, submission_id: uuid.UUID) -> GreenlightDecision | None: ...
    async def save_greenlight_decision(self, decision: GreenlightDecision) -> None: ...
    async def greenlight_approved(self, developer_id: uuid.UUID, game_id: uuid.UUID) -> bool: ...


class ReviewUnitOfWork(BuildsUnitOfWork, Protocol):
    reviews: ReviewStore


async def submit_version_for_review(
    uow: ReviewUnitOfWork,
    actor: Actor,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    now: datetime,
) -> GameVersion:
    """Send a ``ready_for_review`` version with every build verified to moderation: the version
    goes ``in_review``, a draft/rejected/unpublished game too (a published one stays published),
    and ``developer.game.submitted.v1`` tells the Admin Service. An account on the greenlight
    track needs greenlight's approval of a submission linked to this game."""
    await uow.reviews.lock_game(game_id)
    game = await game_for_actor(uow, actor, game_id, Permission.MANAGE_GAMES)
    version = await builds.locked_version_for_actor(
        uow, actor, game_id, version_id, Permission.MANAGE_GAMES
    )
    account = await uow.accounts.get(game.developer_id)
    if account is None:  # a game always has its account; never answer 500 for it
        raise RuntimeError(f"game {game.id} has no developer account")
    approved = await uow.reviews.greenlight_approved(game.developer_id, game.id)
    require_may_submit(account.status, account.publishing_track, game, approved)
    await builds.require_complete_builds(uow, version)
    target = game_status_on_submit(game)
    version = await builds.save_version_status(uow, version, VersionStatus.IN_REVIEW, now)
    if target is not None:
        await change_game_status(uow, game, target, now)
    submission = submit(game, version, actor.user_id, actor.api_key_id, now)
    await uow.reviews.add(submission)
    uow.emit(
        GameSubmitted(
            developer_id=game.developer_id,
            game_id=game.id,
            version_id=version.id,
            version_name=version.version_name,
            submitted_at=now,
            submitted_by_user_id=actor.user_id,
        )
    )
    await uow.commit()
    return version


async def review_history(
    uow: ReviewUnitOfWork, actor: Actor, game_id: uuid.UUID, version_id: uuid.UUID
) -> tuple[GameVersion, list[Submission]]:
    """The version and each of its submissions with the decision on it, oldest first."""
    await game_for_actor(uow, actor, game_id, Permission.VIEW)
    version = await builds.version_for_actor(uow, actor, game_id, version_id, Permission.VIEW)
    return version, await uow.reviews.of_version(version.id)


async def record_moderation_decision(
    uow: ReviewUnitOfWork, decision: ModerationDecision, now: datetime
) -> bool:
    """Apply the Admin Service's decision: the version ``approved`` or ``rejected`` (with the
    reason), the game following (see ``game_status_on_decision``), the decision kept on the
    submission. A decision naming an unknown game, a version of another game or a version not
    in review changes nothing (logged); the caller commits. Whether it applied."""
    await uow.reviews.lock_game(decision.game_id)
    game: Game | None = await uow.games.get(decision.game_id)
    version: GameVersion | None = None
    versions: list[GameVersion] = []
    if game is not None:
        versions = await builds.versions_of_game(uow, game.id)
        version = next((v for v in versions if v.id == decision.version_id), None)
    submission = await uow.reviews.pending(decision.version_id) if version else None
    ignored = why_decision_ignored(decision, game, version, submission)
    if ignored is not None or game is None or version is None or submission is None:
        log.warning(
            "moderation decision ignored: %s",
            ignored,
            extra={"game_id": str(decision.game_id), "version_id": str(decision.version_id)},
        )
        return False
    reason = decision.note if decision.outcome is Outcome.REJECTED else None
    await builds.save_version_status(
        uow, version, version_status_on_decision(decision.outcome), now, reason=reason
    )
    others = [v.status for v in versions if v.id != version.id]
    target = game_status_on_decision(game, decision.outcome, others)
    if target is not None:
        await change_game_status(uow, game, target, now)
    await uow.reviews.save_decision(decide(submission, decision))
    log.info(
        "moderation decision applied",
        extra={
            "game_id": str(game.id),
            "version_id": str(version.id),
            "outcome": decision.outcome.value,
        },
    )
    return True


async def record_greenlight_decision(uow: ReviewUnitOfWork, decision: GreenlightDecision) -> bool:
    """Keep greenlight's newest decision on the submission (an older one arriving late is
    ignored); the caller commits. Whether it changed what is known."""
    current = await uow.reviews.greenlight_decision(decision.submission_id)
    if not latest_decision(current, decision):
        return False
    await uow.reviews.save_greenlight_decision(decision)
    return True
