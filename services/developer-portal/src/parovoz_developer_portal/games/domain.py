"""Games (and DLC, software) in a developer's catalogue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_developer_portal.accounts.domain import DeveloperAccount, DeveloperStatus


class ProductType(StrEnum):
    GAME = "game"
    DLC = "dlc"
    SOFTWARE = "software"


class GameStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    REJECTED = "rejected"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    ARCHIVED = "archived"


#: The game's state machine. A game's status follows its versions: the first submission puts a
#: draft in review; approval of a never-published game brings it back to ``draft`` (ready to
#: publish, the approved version shown); rejection makes it ``rejected`` until a new version is
#: submitted. Once published it stays ``published`` while later versions are reviewed, released
#: or rolled back; unpublish and archive take it off the store (archive is final).
_GAME_MOVES: dict[GameStatus, frozenset[GameStatus]] = {
    GameStatus.DRAFT: frozenset({GameStatus.IN_REVIEW, GameStatus.PUBLISHED, GameStatus.ARCHIVED}),
    GameStatus.IN_REVIEW: frozenset(
        {GameStatus.DRAFT, GameStatus.REJECTED, GameStatus.PUBLISHED, GameStatus.ARCHIVED}
    ),
    GameStatus.REJECTED: frozenset({GameStatus.IN_REVIEW, GameStatus.ARCHIVED}),
    GameStatus.PUBLISHED: frozenset({GameStatus.UNPUBLISHED, GameStatus.ARCHIVED}),
    GameStatus.UNPUBLISHED: frozenset(
        {GameStatus.PUBLISHED, GameStatus.IN_REVIEW, GameStatus.ARCHIVED}
    ),
    GameStatus.ARCHIVED: frozenset(),
}


def can_move_game(current: GameStatus, target: GameStatus) -> bool:
    return target in _GAME_MOVES[current]


def game_state_conflict(current: GameStatus, target: GameStatus) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        f"A game in status '{current}' cannot become '{target}'.",
        detail_ru=f"Игра в статусе «{current}» не может перейти в «{target}».",
        code="GAME_STATE_CONFLICT",
    )


@dataclass(frozen=True)
class Game:
    id: uuid.UUID
    developer_id: uuid.UUID
    title: str
    product_type: ProductType
    parent_game_id: uuid.UUID | None
    status: GameStatus
    created_by_user_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None


def require_parent_only_for_dlc(product_type: ProductType, has_parent: bool) -> None:
    """A DLC names the game it extends, nothing else does: checked before the parent is looked
    up, so the answer never depends on whether the id names someone's game."""
    if (product_type is ProductType.DLC) != has_parent:
        raise ValidationFailed(
            "parent_game_id is required for a DLC and only for a DLC.",
            code="DLC_PARENT_REQUIRED",
            pointer="/data/attributes/parent_game_id",
        )


def invalid_parent_game() -> BusinessRuleViolation:
    """The one answer for a parent that is not one of this developer's games: unknown ids,
    other developers' games and DLC look the same, so no tenant learns which game ids exist."""
    return BusinessRuleViolation(
        "A DLC extends one of this developer's games.",
        code="INVALID_PARENT_GAME",
        pointer="/data/attributes/parent_game_id",
    )


def draft_game(
    account: DeveloperAccount,
    title: str,
    product_type: ProductType,
    parent: Game | None,
    created_by: uuid.UUID,
    now: datetime,
) -> Game:
    """A new product starts as a draft of an account that is not suspended."""
    if account.status is DeveloperStatus.SUSPENDED:
        raise BusinessRuleViolation(
            "A suspended developer account cannot create games.", code="ACCOUNT_SUSPENDED"
        )
    require_parent_only_for_dlc(product_type, parent is not None)
    if parent is not None and (
        parent.developer_id != account.id or parent.product_type is not ProductType.GAME
    ):
        raise invalid_parent_game()
    return Game(
        id=uuid.uuid4(),
        developer_id=account.id,
        title=title,
        product_type=product_type,
        parent_game_id=parent.id if parent else None,
        status=GameStatus.DRAFT,
        created_by_user_id=created_by,
        created_at=now,
        updated_at=now,
    )


def move_game(game: Game, target: GameStatus, now: datetime) -> Game:
    """The game in ``target`` status, or GAME_STATE_CONFLICT when the move is illegal.
    ``published_at`` is set on every publication (the first one is kept by releases)."""
    if not can_move_game(game.status, target):
        raise game_state_conflict(game.status, target)
    published_at = now if target is GameStatus.PUBLISHED else game.published_at
    return replace(game, status=target, updated_at=now, published_at=published_at)
