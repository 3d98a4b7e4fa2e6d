"""Games (and DLC, software) in a developer's catalogue."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum, StrEnum

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed
from parovoz_kit.keyset import keyset_cursor, keyset_position

from parovoz_developer_portal.accounts.domain import DeveloperAccount, DeveloperStatus


class ProductType(StrEnum):
    GAME = "game"
    DLC = "dlc"
    SOFTWARE = "software"


class AgeRating(StrEnum):
    """The Russian age rating scale (436-FZ)."""

    ZERO = "0+"
    SIX = "6+"
    TWELVE = "12+"
    SIXTEEN = "16+"
    EIGHTEEN = "18+"


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
    #: Game-level store attributes (``PATCH /games/{id}``); unset on a new draft.
    age_rating: AgeRating | None = None
    regions: tuple[str, ...] = ()
    release_date: date | None = None


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


# --- changes to a game's store attributes -------------------------------------------------------
def require_changeable(game: Game) -> None:
    """An archived game is final: its metadata and attributes no longer change."""
    if game.status is GameStatus.ARCHIVED:
        raise BusinessRuleViolation(
            f"Game {game.id} is archived: it can no longer be changed.",
            detail_ru=f"Игра {game.id} в архиве: изменить её больше нельзя.",
            code="GAME_ARCHIVED",
        )


class Unchanged(Enum):
    """A field of ``PATCH /games/{id}`` the client did not send: it keeps its value."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


def _regions(regions: tuple[str, ...], known: frozenset[str]) -> tuple[str, ...]:
    """Known ISO 3166-1 alpha-2 codes, each once, sorted (the order carries no meaning)."""
    for index, region in enumerate(regions):
        if region not in known:
            raise ValidationFailed(
                f"{region!r} is not an ISO 3166-1 alpha-2 country code (e.g. KZ).",
                detail_ru=f"{region!r} — не код страны ISO 3166-1 alpha-2 (например, KZ).",
                code="INVALID_REGION",
                pointer=f"/data/attributes/regions/{index}",
            )
    return tuple(sorted(set(regions)))


def change_attributes(
    game: Game,
    *,
    title: str | Unchanged = UNCHANGED,
    age_rating: AgeRating | Unchanged | None = UNCHANGED,
    regions: tuple[str, ...] | Unchanged = UNCHANGED,
    release_date: date | Unchanged | None = UNCHANGED,
    known_regions: frozenset[str],
    now: datetime,
) -> Game:
    """The game with the sent attributes (an ``UNCHANGED`` one keeps its value); ``updated_at``
    moves only when something changed."""
    require_changeable(game)
    changed = replace(
        game,
        title=game.title if isinstance(title, Unchanged) else title,
        age_rating=game.age_rating if isinstance(age_rating, Unchanged) else age_rating,
        regions=(
            game.regions if isinstance(regions, Unchanged) else _regions(regions, known_regions)
        ),
        release_date=(game.release_date if isinstance(release_date, Unchanged) else release_date),
    )
    return game if changed == game else replace(changed, updated_at=now)


def unpublish_game(game: Game, now: datetime) -> Game:
    """Take a published game off the store (GAME_STATE_CONFLICT from any other status)."""
    return move_game(game, GameStatus.UNPUBLISHED, now)


def archive_game(game: Game, now: datetime) -> Game:
    """Archive a game from any status but archived; final."""
    return move_game(game, GameStatus.ARCHIVED, now)


def leaves_the_store(before: Game) -> bool:
    """Whether taking ``before`` off (unpublish, archive) removes it from the store: only a
    published game is on sale, so only its move is announced as ``unpublished``."""
    return before.status is GameStatus.PUBLISHED


# --- localized metadata -----------------------------------------------------------------------
class Platform(StrEnum):
    """Platforms a game states system requirements (and ships builds) for, in store order."""

    WINDOWS_X64 = "windows_x64"
    LINUX_X64 = "linux_x64"
    MACOS_ARM64 = "macos_arm64"
    MACOS_X64 = "macos_x64"


#: The locale publication needs (PRODUCT.md); every other locale is optional.
REQUIRED_LOCALE = "ru-RU"
#: BCP 47 language tag, the subset a store uses: language, optional script, optional region
#: (``ru-RU``, ``en-US``, ``zh-Hant-TW``, ``es-419``, ``kk``).
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")
#: The longest such tag (``zh-Hant-TW`` is 10 characters; the column is 16).
LANGUAGE_CODE_LIMIT = 16


def language_code(value: str) -> str:
    """The tag in its canonical case (``EN-us`` -> ``en-US``), or 400 INVALID_LANGUAGE_CODE."""
    parts = value.split("-")
    canonical = "-".join(
        [parts[0].lower()]
        + [part.title() if len(part) == 4 else part.upper() for part in parts[1:]]
    )
    if len(value) > LANGUAGE_CODE_LIMIT or not _LANGUAGE_TAG.fullmatch(canonical):
        raise ValidationFailed(
            f"{value!r} is not a language code: a BCP 47 tag such as ru-RU or en-US.",
            detail_ru=f"{value!r} — не код языка: нужен тег BCP 47, например ru-RU или en-US.",
            code="INVALID_LANGUAGE_CODE",
            parameter="language_code",
        )
    return canonical


@dataclass(frozen=True)
class SystemRequirements:
    minimum: str
    recommended: str | None = None


@dataclass(frozen=True)
class LocalizedMetadata:
    """A game's store texts in one language."""

    game_id: uuid.UUID
    language_code: str
    title: str
    short_description: str | None
    full_description: str | None
    tags: tuple[str, ...]
    genres: tuple[str, ...]
    #: Per platform, in :class:`Platform` order.
    system_requirements: tuple[tuple[Platform, SystemRequirements], ...]
    updated_at: datetime
    updated_by_user_id: uuid.UUID

    def content(self) -> tuple[object, ...]:
        """What the developer wrote (not who or when): equal contents are no change."""
        return (
            self.title,
            self.short_description,
            self.full_description,
            self.tags,
            self.genres,
            self.system_requirements,
        )


def _distinct(words: Iterable[str]) -> tuple[str, ...]:
    """Each tag or genre once (compared case-insensitively; the first spelling is kept)."""
    seen: set[str] = set()
    kept: list[str] = []
    for word in words:
        if word.casefold() not in seen:
            seen.add(word.casefold())
            kept.append(word)
    return tuple(kept)


def write_metadata(
    game: Game,
    language: str,
    *,
    title: str,
    short_description: str | None,
    full_description: str | None,
    tags: Sequence[str],
    genres: Sequence[str],
    system_requirements: Mapping[Platform, SystemRequirements],
    by: uuid.UUID,
    now: datetime,
) -> LocalizedMetadata:
    """The game's texts in ``language`` (a canonical tag), replacing any it had."""
    require_changeable(game)
    return LocalizedMetadata(
        game_id=game.id,
        language_code=language,
        title=title,
        short_description=short_description,
        full_description=full_description,
        tags=_distinct(tags),
        genres=_distinct(genres),
        system_requirements=tuple(
            (platform, system_requirements[platform])
            for platform in Platform
            if platform in system_requirements
        ),
        updated_at=now,
        updated_by_user_id=by,
    )


def require_removable(game: Game, language: str) -> None:
    """A locale may go, except the ru-RU texts of a game on the store (publication needs
    them)."""
    require_changeable(game)
    if language == REQUIRED_LOCALE and game.status is GameStatus.PUBLISHED:
        raise BusinessRuleViolation(
            f"A published game keeps its {REQUIRED_LOCALE} metadata; unpublish it first.",
            detail_ru=(
                f"У опубликованной игры должны остаться метаданные {REQUIRED_LOCALE}: сначала "
                "снимите её с публикации."
            ),
            code="REQUIRED_LOCALE_IN_USE",
        )


@dataclass(frozen=True)
class StoreMetadata:
    """What ``developer.game.metadata.updated.v1`` carries: the full current state."""

    title: str
    age_rating: AgeRating | None
    regions: tuple[str, ...]
    platforms: tuple[Platform, ...]
    release_date: date | None


def store_metadata(game: Game, locales: Iterable[LocalizedMetadata]) -> StoreMetadata:
    """The ru-RU title if the game has ru-RU texts (else its own title); the platforms any
    locale states system requirements for."""
    title = game.title
    stated: set[Platform] = set()
    for locale in locales:
        if locale.language_code == REQUIRED_LOCALE:
            title = locale.title
        stated.update(platform for platform, _ in locale.system_requirements)
    return StoreMetadata(
        title=title,
        age_rating=game.age_rating,
        regions=game.regions,
        platforms=tuple(platform for platform in Platform if platform in stated),
        release_date=game.release_date,
    )


# --- the list of an account's games -----------------------------------------------------------
@dataclass(frozen=True)
class GameFilter:
    """``GET /games`` filters; an empty set means any."""

    statuses: frozenset[GameStatus] = frozenset()
    product_types: frozenset[ProductType] = frozenset()
    #: Part of the title or of a localized title, compared case-insensitively.
    text: str | None = None


@dataclass(frozen=True)
class Position:
    """Where a page starts: after the game created at ``created_at`` with id ``game_id``
    (newest first; the keyset order keeps pages stable while games are added)."""

    created_at: datetime
    game_id: uuid.UUID

    @classmethod
    def after(cls, game: Game) -> Position:
        return cls(game.created_at, game.id)

    def cursor(self) -> str:
        return keyset_cursor(self.created_at, self.game_id)

    @classmethod
    def of_cursor(cls, cursor: str) -> Position:
        """The position an opaque cursor of a previous page names, or 400
        INVALID_PAGE_CURSOR."""
        return cls(*keyset_position(cursor))
