"""The kept renderings of games and texts are byte for byte what the response models render,
and a changed game or text renders anew (never a stale rendering of an equal-looking value)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

from parovoz_developer_portal.games.domain import (
    AgeRating,
    Game,
    GameStatus,
    Platform,
    ProductType,
    SystemRequirements,
    write_metadata,
)
from parovoz_developer_portal.games.metadata_schemas import (
    MetadataDocumentOut,
    metadata_document_json,
    metadata_resource,
)
from parovoz_developer_portal.games.schemas import (
    GameListDocument,
    game_list_json,
    game_resource,
)

PREFIX = "/api/v1/developer"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def a_game(**changes: object) -> Game:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "developer_id": uuid.uuid4(),
        "title": 'Сибирский экспресс «Тайга» "Ночь"',
        "product_type": ProductType.DLC,
        "parent_game_id": uuid.uuid4(),
        "status": GameStatus.PUBLISHED,
        "created_by_user_id": uuid.uuid4(),
        "created_at": NOW,
        "updated_at": NOW,
        "published_at": NOW,
        "age_rating": AgeRating("12+"),
        "regions": ("RU", "KZ"),
        "release_date": date(2027, 1, 31),
    }
    values.update(changes)
    return Game(**values)  # type: ignore[arg-type]


def test_a_page_renders_as_the_list_document() -> None:
    games = [a_game(), a_game(title="Второй", status=GameStatus.DRAFT, age_rating=None)]
    links = {"self": f"{PREFIX}/games?page%5Bsize%5D=2", "next": f"{PREFIX}/games?x=ы"}
    expected = GameListDocument(
        data=[game_resource(game, PREFIX) for game in games], links=links
    ).model_dump_json()
    assert game_list_json(games, links, PREFIX) == expected
    assert game_list_json([], {"self": "s", "next": None}, PREFIX) == (
        GameListDocument(data=[], links={"self": "s", "next": None}).model_dump_json()
    )


def test_a_changed_game_renders_anew() -> None:
    game = a_game()
    before = game_list_json([game], {"self": "s", "next": None}, PREFIX)
    renamed = dataclasses.replace(game, title="Новое имя", updated_at=NOW + timedelta(seconds=1))
    after = game_list_json([renamed], {"self": "s", "next": None}, PREFIX)
    assert "Новое имя" in after and "Новое имя" not in before


def test_texts_render_as_the_metadata_document() -> None:
    locale = write_metadata(
        a_game(),
        "ru-RU",
        title="Поезд в тайгу",
        short_description="Коротко",
        full_description=None,
        tags=["Поезда"],
        genres=["Adventure"],
        system_requirements={Platform.WINDOWS_X64: SystemRequirements("Windows 10", None)},
        by=uuid.uuid4(),
        now=NOW,
    )
    expected = MetadataDocumentOut(data=metadata_resource(locale, PREFIX)).model_dump_json()
    assert metadata_document_json(locale, PREFIX) == expected
    changed = dataclasses.replace(locale, title="Другое")
    assert "Другое" in metadata_document_json(changed, PREFIX)
