"""review's rules: who may submit (per publishing track), where a submission and a decision take
the game, which moderation decisions apply, and greenlight decisions arriving out of order."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_developer_portal.accounts.domain import DeveloperStatus, PublishingTrack
from parovoz_developer_portal.builds.domain import GameVersion, VersionStatus
from parovoz_developer_portal.games.domain import Game, GameStatus, ProductType
from parovoz_developer_portal.review.domain import (
    GreenlightDecision,
    ModerationDecision,
    Outcome,
    decide,
    game_status_on_decision,
    game_status_on_submit,
    latest_decision,
    require_may_submit,
    submit,
    version_status_on_decision,
    why_decision_ignored,
)
from parovoz_kit.errors import BusinessRuleViolation

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def a_game(status: GameStatus = GameStatus.DRAFT) -> Game:
    return Game(
        id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        title="Паровоз",
        product_type=ProductType.GAME,
        parent_game_id=None,
        status=status,
        created_by_user_id=uuid.uuid4(),
        created_at=NOW,
        updated_at=NOW,
    )


def a_version(game: Game, status: VersionStatus = VersionStatus.IN_REVIEW) -> GameVersion:
    return GameVersion(
        id=uuid.uuid4(),
        game_id=game.id,
        developer_id=game.developer_id,
        version_name="1.0.0",
        changelog={},
        status=status,
        created_at=NOW,
        updated_at=NOW,
        created_by_user_id=uuid.uuid4(),
    )


def a_decision(game: Game, version: GameVersion, outcome: Outcome) -> ModerationDecision:
    return ModerationDecision(
        outcome=outcome,
        game_id=game.id,
        version_id=version.id,
        moderator_id=uuid.uuid4(),
        note="Нет возрастного рейтинга" if outcome is Outcome.REJECTED else None,
        decided_at=NOW,
    )


@pytest.mark.parametrize("status", [DeveloperStatus.ACTIVE, DeveloperStatus.PENDING_VERIFICATION])
def test_the_direct_track_needs_no_greenlight_approval(status: DeveloperStatus) -> None:
    require_may_submit(status, PublishingTrack.DIRECT, a_game(), greenlight_approved=False)


def test_the_greenlight_track_needs_an_approved_submission_for_the_game() -> None:
    game = a_game()
    with pytest.raises(BusinessRuleViolation) as refusal:
        require_may_submit(
            DeveloperStatus.ACTIVE, PublishingTrack.GREENLIGHT, game, greenlight_approved=False
        )
    assert refusal.value.code == "GREENLIGHT_APPROVAL_REQUIRED"
    assert str(game.id) in refusal.value.detail
    require_may_submit(
        DeveloperStatus.ACTIVE, PublishingTrack.GREENLIGHT, game, greenlight_approved=True
    )


@pytest.mark.parametrize("track", list(PublishingTrack))
def test_a_suspended_account_submits_nothing(track: PublishingTrack) -> None:
    with pytest.raises(BusinessRuleViolation) as refusal:
        require_may_submit(DeveloperStatus.SUSPENDED, track, a_game(), greenlight_approved=True)
    assert refusal.value.code == "ACCOUNT_SUSPENDED"


@pytest.mark.parametrize(
    ("status", "target"),
    [
        (GameStatus.DRAFT, GameStatus.IN_REVIEW),
        (GameStatus.REJECTED, GameStatus.IN_REVIEW),
        (GameStatus.UNPUBLISHED, GameStatus.IN_REVIEW),
        (GameStatus.PUBLISHED, None),
        (GameStatus.IN_REVIEW, None),
    ],
)
def test_a_submission_moves_the_game(status: GameStatus, target: GameStatus | None) -> None:
    assert game_status_on_submit(a_game(status)) == target


def test_an_archived_game_is_not_submitted() -> None:
    with pytest.raises(BusinessRuleViolation) as refusal:
        game_status_on_submit(a_game(GameStatus.ARCHIVED))
    assert refusal.value.code == "GAME_STATE_CONFLICT"


@pytest.mark.parametrize(
    ("status", "outcome", "target"),
    [
        (GameStatus.IN_REVIEW, Outcome.APPROVED, GameStatus.DRAFT),
        (GameStatus.IN_REVIEW, Outcome.REJECTED, GameStatus.REJECTED),
        (GameStatus.PUBLISHED, Outcome.APPROVED, None),
        (GameStatus.PUBLISHED, Outcome.REJECTED, None),
    ],
)
def test_a_decision_moves_the_game_unless_published(
    status: GameStatus, outcome: Outcome, target: GameStatus | None
) -> None:
    assert game_status_on_decision(a_game(status), outcome) == target


def test_a_decision_moves_the_version() -> None:
    assert version_status_on_decision(Outcome.APPROVED) is VersionStatus.APPROVED
    assert version_status_on_decision(Outcome.REJECTED) is VersionStatus.REJECTED


def test_a_decision_on_the_pending_submission_applies_and_is_kept() -> None:
    game = a_game(GameStatus.IN_REVIEW)
    version = a_version(game)
    submission = submit(game, version, uuid.uuid4(), None, NOW - timedelta(hours=2))
    decision = a_decision(game, version, Outcome.REJECTED)
    assert why_decision_ignored(decision, game, version, submission) is None
    decided = decide(submission, decision)
    assert not decided.pending
    assert (decided.outcome, decided.note, decided.moderator_id, decided.decided_at) == (
        Outcome.REJECTED,
        decision.note,
        decision.moderator_id,
        decision.decided_at,
    )


def test_decisions_that_do_not_apply_are_ignored() -> None:
    game = a_game(GameStatus.IN_REVIEW)
    version = a_version(game)
    submission = submit(game, version, uuid.uuid4(), None, NOW)
    decision = a_decision(game, version, Outcome.APPROVED)
    other_game = a_game(GameStatus.IN_REVIEW)
    assert why_decision_ignored(decision, None, version, submission) == "unknown game"
    assert why_decision_ignored(decision, game, None, submission)
    assert why_decision_ignored(decision, other_game, version, submission)
    for status in VersionStatus:
        if status is not VersionStatus.IN_REVIEW:
            moved = replace(version, status=status)
            assert why_decision_ignored(decision, game, moved, submission)
    assert why_decision_ignored(decision, game, version, None)
    already = decide(submission, decision)
    assert why_decision_ignored(decision, game, version, already)


def test_a_late_older_greenlight_decision_does_not_replace_a_newer_one() -> None:
    approved = GreenlightDecision(
        submission_id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        approved=True,
        decided_at=NOW,
    )
    older = replace(approved, approved=False, decided_at=NOW - timedelta(days=1))
    newer = replace(approved, approved=False, decided_at=NOW + timedelta(days=1))
    assert latest_decision(None, approved)
    assert not latest_decision(approved, older)
    assert latest_decision(approved, newer)


@pytest.mark.parametrize(
    ("outcome", "others", "target"),
    [
        # another version still in review keeps the game in review
        (Outcome.APPROVED, [VersionStatus.IN_REVIEW], None),
        (Outcome.REJECTED, [VersionStatus.IN_REVIEW], None),
        # rejected while another version is approved: ready to publish that one
        (Outcome.REJECTED, [VersionStatus.APPROVED, VersionStatus.REJECTED], GameStatus.DRAFT),
        (Outcome.REJECTED, [VersionStatus.REJECTED, VersionStatus.UPLOADING], GameStatus.REJECTED),
        (Outcome.APPROVED, [VersionStatus.REJECTED], GameStatus.DRAFT),
    ],
)
def test_a_decision_weighs_the_games_other_versions(
    outcome: Outcome, others: list[VersionStatus], target: GameStatus | None
) -> None:
    assert game_status_on_decision(a_game(GameStatus.IN_REVIEW), outcome, others) == target
