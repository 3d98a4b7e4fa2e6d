"""Review: a version sent to moderation, the moderator's decision, and the greenlight clearance
an account on the ``greenlight`` track needs before it may submit (PRODUCT.md, Developer portal).

Plain Python: the use cases (``service.py``) load the game, the version and the account, ask
these rules what may happen, and store the answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation

from parovoz_developer_portal.accounts.domain import DeveloperStatus, PublishingTrack
from parovoz_developer_portal.builds.domain import GameVersion, VersionStatus
from parovoz_developer_portal.games.domain import Game, GameStatus, game_state_conflict


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Submission:
    """One sending of a version to moderation and, once made, the decision on it."""

    id: uuid.UUID
    game_id: uuid.UUID
    version_id: uuid.UUID
    developer_id: uuid.UUID
    submitted_by_user_id: uuid.UUID
    submitted_at: datetime
    #: The API key the submission came through, if any (``submitted_by_user_id`` is then the
    #: key's creator).
    api_key_id: uuid.UUID | None = None
    outcome: Outcome | None = None
    #: The moderator's comment (approved) or reason (rejected), as the Admin Service sent it.
    note: str | None = None
    moderator_id: uuid.UUID | None = None
    decided_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.outcome is None


@dataclass(frozen=True)
class ModerationDecision:
    """What the Admin Service decided about a version (``admin.game.moderation.*.v1``)."""

    outcome: Outcome
    game_id: uuid.UUID
    version_id: uuid.UUID
    moderator_id: uuid.UUID | None
    note: str | None
    decided_at: datetime


@dataclass(frozen=True)
class GreenlightDecision:
    """greenlight's decision on one of its submissions, linked to a developer-portal game
    (``greenlight.submission.approved/rejected.v1``): the read model of the clearance."""

    submission_id: uuid.UUID
    game_id: uuid.UUID
    developer_id: uuid.UUID
    approved: bool
    decided_at: datetime


def greenlight_approval_required(game_id: uuid.UUID) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        f"This account is on the greenlight track: game {game_id} needs a greenlight "
        "submission approved by the community before it can be submitted for review.",
        detail_ru=(
            f"Аккаунт на треке Greenlight: игру {game_id} можно отправить на модерацию только "
            "после одобрения заявки Greenlight, связанной с ней."
        ),
        code="GREENLIGHT_APPROVAL_REQUIRED",
    )


def require_may_submit(
    status: DeveloperStatus, track: PublishingTrack, game: Game, greenlight_approved: bool
) -> None:
    """A suspended account submits nothing; the ``greenlight`` track needs an approved
    greenlight submission for this very game; the ``direct`` track needs none."""
    if status is DeveloperStatus.SUSPENDED:
        raise BusinessRuleViolation(
            "A suspended developer account cannot submit versions for review.",
            code="ACCOUNT_SUSPENDED",
        )
    if track is PublishingTrack.GREENLIGHT and not greenlight_approved:
        raise greenlight_approval_required(game.id)


def game_status_on_submit(game: Game) -> GameStatus | None:
    """Where a submission takes the game: a draft, rejected or unpublished game goes in review;
    a published one stays published (its next version is reviewed while it sells), and one
    already in review stays there. An archived game takes no new version."""
    if game.status in (GameStatus.DRAFT, GameStatus.REJECTED, GameStatus.UNPUBLISHED):
        return GameStatus.IN_REVIEW
    if game.status in (GameStatus.PUBLISHED, GameStatus.IN_REVIEW):
        return None
    raise game_state_conflict(game.status, GameStatus.IN_REVIEW)


def submit(
    game: Game,
    version: GameVersion,
    submitted_by: uuid.UUID,
    api_key_id: uuid.UUID | None,
    now: datetime,
) -> Submission:
    return Submission(
        id=uuid.uuid4(),
        game_id=game.id,
        version_id=version.id,
        developer_id=game.developer_id,
        submitted_by_user_id=submitted_by,
        submitted_at=now,
        api_key_id=api_key_id,
    )


def why_decision_ignored(
    decision: ModerationDecision,
    game: Game | None,
    version: GameVersion | None,
    submission: Submission | None,
) -> str | None:
    """Why a moderation decision changes nothing (unknown game, a version of another game, a
    version no longer in review, no pending submission), or None when it applies."""
    if game is None:
        return "unknown game"
    if version is None or version.game_id != game.id:
        return "the version is not one of this game's"
    if version.status is not VersionStatus.IN_REVIEW:
        return f"the version is {version.status.value}, not in review"
    if submission is None or not submission.pending:
        return "no pending submission of this version"
    return None


def decide(submission: Submission, decision: ModerationDecision) -> Submission:
    return replace(
        submission,
        outcome=decision.outcome,
        note=decision.note,
        moderator_id=decision.moderator_id,
        decided_at=decision.decided_at,
    )


def version_status_on_decision(outcome: Outcome) -> VersionStatus:
    return VersionStatus.APPROVED if outcome is Outcome.APPROVED else VersionStatus.REJECTED


def game_status_on_decision(
    game: Game, outcome: Outcome, others: Sequence[VersionStatus] = ()
) -> GameStatus | None:
    """A game in review follows the decision on its version, given the statuses of its other
    versions: while another version is still in review it stays ``in_review``; approved (or
    rejected while another version is approved), a never-published (or unpublished) game is
    back to ``draft``, ready to publish; rejected with nothing else to publish, it is
    ``rejected``. A game out of review (published, archived) does not move."""
    if game.status is not GameStatus.IN_REVIEW or VersionStatus.IN_REVIEW in others:
        return None
    if outcome is Outcome.APPROVED or VersionStatus.APPROVED in others:
        return GameStatus.DRAFT
    return GameStatus.REJECTED


def latest_decision(current: GreenlightDecision | None, new: GreenlightDecision) -> bool:
    """Whether ``new`` replaces what is known of its submission (a late, older decision does
    not)."""
    return current is None or new.decided_at >= current.decided_at
