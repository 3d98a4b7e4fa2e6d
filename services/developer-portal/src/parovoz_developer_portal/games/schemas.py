"""Request and response bodies of `/games` (JSON:API-style documents, seed 001); the store
texts' are in ``metadata_schemas.py``. String bounds are the columns' (games.title 255)."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from parovoz_kit.errors import ValidationFailed
from parovoz_kit.http.fields import CalendarDate, CountryCode, RequestModel, Text
from parovoz_kit.http.filters import listed
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from parovoz_developer_portal.fields import Name
from parovoz_developer_portal.games.domain import (
    AgeRating,
    Game,
    GameFilter,
    GameStatus,
    ProductType,
)
from parovoz_developer_portal.games.service import GameView
from parovoz_developer_portal.schemas import Document, Resource

MAX_REGIONS = 250
REASON_LIMIT = 1000


def trimmed(value: str) -> str:
    """Spaces around a text are not part of it."""
    return value.strip()


def not_blank(value: str) -> str:
    """Spaces around removed; nothing left is too short."""
    value = value.strip()
    if not value:
        raise PydanticCustomError(
            "string_too_short",
            "String should have at least {min_length} character",
            {"min_length": 1},
        )
    return value


Reason = Annotated[str, Text(REASON_LIMIT, min_length=1), AfterValidator(not_blank)]

PRODUCT_CREATION_EXAMPLE = {
    "data": {
        "type": "productCreation",
        "attributes": {"title": "Моя Новая Супер Игра", "product_type": "game"},
    }
}
GAME_CHANGE_EXAMPLE = {
    "data": {
        "type": "game",
        "attributes": {
            "age_rating": "12+",
            "regions": ["RU", "KZ", "BY"],
            "release_date": "2027-03-01",
        },
    }
}

UNPUBLICATION_EXAMPLE = {
    "data": {
        "type": "gameUnpublication",
        "attributes": {"reason": "Готовим большое обновление"},
    }
}


# --- requests -----------------------------------------------------------------------------------
class ProductCreationAttributes(RequestModel):
    title: Name = Field(
        description=(
            "Title of the product, 1-255 characters, required; unique among the developer's "
            "products (409 `RESOURCE_ALREADY_EXISTS` otherwise)."
        ),
        examples=["Моя Новая Супер Игра"],
    )
    product_type: ProductType = Field(
        default=ProductType.GAME,
        description="`game` (the default), `dlc` (needs `parent_game_id`) or `software`.",
    )
    parent_game_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "For a DLC only, and required for one: the id of one of the developer's games it "
            "extends."
        ),
    )


class ProductCreationData(RequestModel):
    type: Literal["productCreation"] = Field(description="Always `productCreation`.")
    attributes: ProductCreationAttributes = Field(description="The product to create.")


class ProductCreationDocument(RequestModel):
    """Seed 001 §3.1.2: create a product (a draft)."""

    model_config = ConfigDict(json_schema_extra={"examples": [PRODUCT_CREATION_EXAMPLE]})

    data: ProductCreationData = Field(description="The product to create.")


class GameChangeAttributes(RequestModel):
    title: Name | None = Field(
        default=None,
        description=(
            "Optional. The product's title, 1-255 characters, unique in the account (409 "
            "`RESOURCE_ALREADY_EXISTS`); never null."
        ),
    )
    age_rating: AgeRating | None = Field(
        default=None, description="Optional. `0+`, `6+`, `12+`, `16+` or `18+`; null clears it."
    )
    regions: list[CountryCode] | None = Field(
        default=None,
        max_length=MAX_REGIONS,
        description=(
            "Optional. Where the game may be sold, ISO 3166-1 alpha-2 codes (each kept once, "
            "sorted); `[]` for none; never null."
        ),
    )
    release_date: CalendarDate | None = Field(
        default=None, description="Optional. Calendar date (ISO 8601); null clears it."
    )

    def changes(self) -> dict[str, Any]:
        """The attributes sent (the others stay as they are); a null title or list of regions
        is refused (they are never cleared with null)."""
        sent = {name: getattr(self, name) for name in self.model_fields_set}
        for name in ("title", "regions"):
            if name in sent and sent[name] is None:
                raise ValidationFailed(
                    f"{name} cannot be null.",
                    detail_ru=f"{name} не может быть null.",
                    pointer=f"/data/attributes/{name}",
                )
        return sent


class GameChangeData(RequestModel):
    type: Literal["game"] = Field(description="Always `game`.")
    id: uuid.UUID | None = Field(default=None, description="Optional; the game's id if sent.")
    attributes: GameChangeAttributes = Field(
        description="Only the attributes sent change; the others keep their values."
    )


class GameChangeDocument(RequestModel):
    """Change a game's title or store attributes."""

    model_config = ConfigDict(json_schema_extra={"examples": [GAME_CHANGE_EXAMPLE]})

    data: GameChangeData = Field(description="What changes.")


class UnpublicationAttributes(RequestModel):
    reason: Reason | None = Field(
        default=None, description=f"Optional. Why, 1-{REASON_LIMIT} characters."
    )


class UnpublicationData(RequestModel):
    type: Literal["gameUnpublication"] = Field(description="Always `gameUnpublication`.")
    attributes: UnpublicationAttributes = Field(description="Why.")


class UnpublicationDocument(RequestModel):
    """Optional body of `unpublish`."""

    model_config = ConfigDict(json_schema_extra={"examples": [UNPUBLICATION_EXAMPLE]})

    data: UnpublicationData = Field(description="The unpublication.")


# --- responses ----------------------------------------------------------------------------------
class GameAttributes(BaseModel):
    title: str = Field(description="Title of the product.")
    product_type: ProductType = Field(description="`game`, `dlc` or `software`.")
    parent_game_id: uuid.UUID | None = Field(
        description="The game a DLC extends; null for a game or software."
    )
    status: str = Field(
        description=(
            "`draft` (new), `in_review`, `rejected`, `published`, `unpublished` or `archived`."
        )
    )
    developer_id: uuid.UUID = Field(description="The developer account the product belongs to.")
    age_rating: AgeRating | None = Field(description="Age rating; null until set.")
    regions: list[str] = Field(description="Where it may be sold (ISO 3166-1 alpha-2), sorted.")
    release_date: date | None = Field(description="Release date; null until announced.")
    created_at: datetime = Field(description="When it was created (ISO 8601, UTC).")
    updated_at: datetime = Field(description="When it last changed (ISO 8601, UTC).")
    published_at: datetime | None = Field(
        description="When it was first published; null until then."
    )


class GameDetailAttributes(GameAttributes):
    locales: list[str] = Field(description="Languages the game has store texts in, sorted.")


class GameListDocument(BaseModel):
    data: list[Resource[GameAttributes]] = Field(description="The games, newest first.")
    links: dict[str, str | None] = Field(
        description="`self`; `next`: the next page (null on the last)."
    )


def _attributes(game: Game) -> dict[str, Any]:
    return {
        "title": game.title,
        "product_type": game.product_type,
        "parent_game_id": game.parent_game_id,
        "status": game.status.value,
        "developer_id": game.developer_id,
        "age_rating": game.age_rating,
        "regions": list(game.regions),
        "release_date": game.release_date,
        "created_at": game.created_at,
        "updated_at": game.updated_at,
        "published_at": game.published_at,
    }


def game_links(game_id: uuid.UUID, prefix: str) -> dict[str, str]:
    url = f"{prefix}/games/{game_id}"
    return {
        "self": url,
        "metadata": f"{url}/metadata",
        "prices": f"{url}/prices",
        "media": f"{url}/media",
        "versions": f"{url}/versions",
        "releases": f"{url}/releases",
    }


def game_resource(game: Game, prefix: str) -> Resource[GameAttributes]:
    return Resource(
        type="game",
        id=game.id,
        attributes=GameAttributes(**_attributes(game)),
        links={"self": f"{prefix}/games/{game.id}"},
    )


@functools.lru_cache(maxsize=8192)
def game_resource_json(game: Game, prefix: str) -> str:
    """``game_resource(game, prefix)`` as JSON. A ``Game`` is immutable and compared by all its
    fields, so the same game renders the same bytes: kept (a page of 16 games renders ten times
    faster than through the models each time)."""
    return game_resource(game, prefix).model_dump_json()


def game_list_json(games: Iterable[Game], links: dict[str, str | None], prefix: str) -> str:
    """The JSON of ``GameListDocument(data=[game_resource(...)...], links=links)``, from the
    kept renderings of its games (a unit test holds the two equal)."""
    data = ",".join(game_resource_json(game, prefix) for game in games)
    rendered_links = json.dumps(links, ensure_ascii=False, separators=(",", ":"))
    return f'{{"data":[{data}],"links":{rendered_links}}}'


def game_document(view: GameView, prefix: str) -> Document[GameDetailAttributes]:
    return Document(
        data=Resource(
            type="game",
            id=view.game.id,
            attributes=GameDetailAttributes(**_attributes(view.game), locales=list(view.locales)),
            links=game_links(view.game.id, prefix),
        )
    )


# --- query parameters of GET /games ---------------------------------------------------------------
FILTER_LIMIT = 200
TEXT_FILTER_LIMIT = 255
FilterValues = Annotated[str, Text(FILTER_LIMIT)]
TextFilter = Annotated[str, Text(TEXT_FILTER_LIMIT, min_length=1), AfterValidator(not_blank)]


def game_filter(statuses: str | None, types: str | None, text: str | None) -> GameFilter:
    return GameFilter(
        statuses=frozenset(listed(GameStatus, statuses, "filter[status]")),
        product_types=frozenset(listed(ProductType, types, "filter[type]")),
        text=text,
    )
