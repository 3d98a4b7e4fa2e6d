"""Games as plain Python: every move of the game's state machine (allowed and refused), store
attributes, localized metadata rules, the announced store state and the list's cursor."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from parovoz_developer_portal.games.domain import (
    AgeRating,
    Game,
    GameStatus,
    Platform,
    Position,
    ProductType,
    SystemRequirements,
    archive_game,
    change_attributes,
    language_code,
    leaves_the_store,
    move_game,
    require_removable,
    store_metadata,
    unpublish_game,
    write_metadata,
)
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
REGIONS = frozenset({"RU", "KZ", "BY", "AM"})
S = GameStatus

#: The game's life as PRODUCT.md and the issue describe it, written out move by move.
ALLOWED = {
    (S.DRAFT, S.IN_REVIEW),
    (S.DRAFT, S.PUBLISHED),
    (S.DRAFT, S.ARCHIVED),
    (S.IN_REVIEW, S.DRAFT),
    (S.IN_REVIEW, S.REJECTED),
    (S.IN_REVIEW, S.PUBLISHED),
    (S.IN_REVIEW, S.ARCHIVED),
    (S.REJECTED, S.IN_REVIEW),
    (S.REJECTED, S.ARCHIVED),
    (S.PUBLISHED, S.UNPUBLISHED),
    (S.PUBLISHED, S.ARCHIVED),
    (S.UNPUBLISHED, S.PUBLISHED),
    (S.UNPUBLISHED, S.IN_REVIEW),
    (S.UNPUBLISHED, S.ARCHIVED),
}
EVERY_MOVE = [(current, target) for current in S for target in S]


def a_game(status: GameStatus = S.DRAFT, **changes: object) -> Game:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "developer_id": uuid.uuid4(),
        "title": "Сибирский экспресс",
        "product_type": ProductType.GAME,
        "parent_game_id": None,
        "status": status,
        "created_by_user_id": uuid.uuid4(),
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(changes)
    return Game(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("current", "target"), EVERY_MOVE)
def test_every_move_of_the_state_machine(current: GameStatus, target: GameStatus) -> None:
    game = a_game(current)
    if (current, target) in ALLOWED:
        moved = move_game(game, target, LATER)
        assert (moved.status, moved.updated_at) == (target, LATER)
        assert moved.published_at == (LATER if target is S.PUBLISHED else None)
    else:
        with pytest.raises(BusinessRuleViolation) as refused:
            move_game(game, target, LATER)
        assert refused.value.code == "GAME_STATE_CONFLICT"


def test_archived_is_final() -> None:
    assert all((S.ARCHIVED, target) not in ALLOWED for target in S)


def test_a_republished_game_gets_a_new_publication_time() -> None:
    first = move_game(a_game(S.UNPUBLISHED, published_at=NOW), S.PUBLISHED, LATER)
    assert first.published_at == LATER


@pytest.mark.parametrize("status", list(S))
def test_unpublish_archive_and_the_store(status: GameStatus) -> None:
    game = a_game(status)
    assert leaves_the_store(game) is (status is S.PUBLISHED)
    if status is S.PUBLISHED:
        assert unpublish_game(game, LATER).status is S.UNPUBLISHED
    else:
        with pytest.raises(BusinessRuleViolation):
            unpublish_game(game, LATER)
    if status is S.ARCHIVED:
        with pytest.raises(BusinessRuleViolation):
            archive_game(game, LATER)
    else:
        assert archive_game(game, LATER).status is S.ARCHIVED


# --- store attributes -------------------------------------------------------------------------
def test_sent_attributes_change_and_the_others_stay() -> None:
    game = a_game(age_rating=AgeRating.SIX, release_date=date(2027, 1, 1))
    changed = change_attributes(game, regions=("RU", "KZ", "RU"), known_regions=REGIONS, now=LATER)
    assert changed.regions == ("KZ", "RU")
    assert (changed.age_rating, changed.release_date) == (AgeRating.SIX, date(2027, 1, 1))
    assert changed.updated_at == LATER
    cleared = change_attributes(
        changed, age_rating=None, release_date=None, known_regions=REGIONS, now=LATER
    )
    assert (cleared.age_rating, cleared.release_date, cleared.regions) == (None, None, ("KZ", "RU"))


def test_the_same_attributes_are_no_change() -> None:
    game = a_game(age_rating=AgeRating.TWELVE, regions=("KZ", "RU"))
    same = change_attributes(
        game, age_rating=AgeRating.TWELVE, regions=("RU", "KZ"), known_regions=REGIONS, now=LATER
    )
    assert same == game and same.updated_at == NOW


def test_an_unknown_region_is_refused_with_its_pointer() -> None:
    with pytest.raises(ValidationFailed) as refused:
        change_attributes(a_game(), regions=("RU", "XX"), known_regions=REGIONS, now=LATER)
    assert refused.value.code == "INVALID_REGION"
    assert refused.value.pointer == "/data/attributes/regions/1"


def test_an_archived_game_does_not_change() -> None:
    archived = a_game(S.ARCHIVED)
    with pytest.raises(BusinessRuleViolation) as refused:
        change_attributes(archived, title="Новое", known_regions=REGIONS, now=LATER)
    assert refused.value.code == "GAME_ARCHIVED"
    with pytest.raises(BusinessRuleViolation):
        write_metadata(archived, "ru-RU", **_texts())  # type: ignore[arg-type]
    with pytest.raises(BusinessRuleViolation):
        require_removable(archived, "en-US")


# --- localized metadata -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("ru-RU", "ru-RU"),
        ("en-us", "en-US"),
        ("EN-US", "en-US"),
        ("kk", "kk"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
    ],
)
def test_language_codes_are_kept_canonical(written: str, canonical: str) -> None:
    assert language_code(written) == canonical


@pytest.mark.parametrize(
    "written", ["", "russian", "ru_RU", "r-RU", "ru-", "ru-RUS", "1ru", "ru-RU-x", "ru-" + "A" * 20]
)
def test_malformed_language_codes_are_refused(written: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        language_code(written)
    assert (refused.value.code, refused.value.parameter) == (
        "INVALID_LANGUAGE_CODE",
        "language_code",
    )


def _texts(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Поезд в тайгу",
        "short_description": None,
        "full_description": None,
        "tags": ["Поезда", "ПОЕЗДА", "Тайга", "поезда"],
        "genres": ["Adventure", "adventure"],
        "system_requirements": {
            Platform.MACOS_X64: SystemRequirements("macOS 13"),
            Platform.WINDOWS_X64: SystemRequirements("Windows 10", "Windows 11"),
        },
        "by": uuid.uuid4(),
        "now": LATER,
    }
    values.update(changes)
    return values


def test_texts_keep_each_tag_once_and_platforms_in_store_order() -> None:
    game = a_game()
    locale = write_metadata(game, "ru-RU", **_texts())  # type: ignore[arg-type]
    assert locale.tags == ("Поезда", "Тайга")
    assert locale.genres == ("Adventure",)
    assert [platform for platform, _ in locale.system_requirements] == [
        Platform.WINDOWS_X64,
        Platform.MACOS_X64,
    ]
    again = write_metadata(game, "ru-RU", **_texts(now=LATER + timedelta(days=1)))  # type: ignore[arg-type]
    assert again.content() == locale.content() and again != locale


@pytest.mark.parametrize("status", list(S))
def test_ru_texts_stay_with_a_published_game(status: GameStatus) -> None:
    game = a_game(status)
    if status is S.ARCHIVED:
        return  # covered above: nothing changes
    require_removable(game, "en-US")
    if status is S.PUBLISHED:
        with pytest.raises(BusinessRuleViolation) as refused:
            require_removable(game, "ru-RU")
        assert refused.value.code == "REQUIRED_LOCALE_IN_USE"
    else:
        require_removable(game, "ru-RU")


def test_the_announced_state_takes_the_ru_title_and_every_stated_platform() -> None:
    game = a_game(age_rating=AgeRating.SIXTEEN, regions=("RU",), release_date=date(2027, 3, 1))
    english = write_metadata(
        game,
        "en-US",
        **_texts(  # type: ignore[arg-type]
            title="Train to the taiga",
            system_requirements={Platform.LINUX_X64: SystemRequirements("Ubuntu")},
        ),
    )
    assert store_metadata(game, [english]).title == "Сибирский экспресс"
    russian = write_metadata(game, "ru-RU", **_texts())  # type: ignore[arg-type]
    state = store_metadata(game, [english, russian])
    assert state.title == "Поезд в тайгу"
    assert state.platforms == (Platform.WINDOWS_X64, Platform.LINUX_X64, Platform.MACOS_X64)
    assert (state.age_rating, state.regions, state.release_date) == (
        AgeRating.SIXTEEN,
        ("RU",),
        date(2027, 3, 1),
    )
    assert store_metadata(game, []).platforms == ()


# --- the list's cursor --------------------------------------------------------------------------
def test_a_cursor_names_the_position_it_was_made_from() -> None:
    game = a_game()
    position = Position.after(game)
    assert Position.of_cursor(position.cursor()) == position


@pytest.mark.parametrize(
    "cursor",
    ["", "!!!", "bm90IGpzb24", "WzEsIDJd", "WyIyMDI2LTEyLTA3VDEyOjAwOjAwIiwgIngiXQ", "e30"],
)
def test_a_cursor_not_made_here_is_refused(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        Position.of_cursor(cursor)
    assert (refused.value.code, refused.value.parameter) == ("INVALID_PAGE_CURSOR", "page[cursor]")
