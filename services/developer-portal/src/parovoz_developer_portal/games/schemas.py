"""Request and response bodies of `/games` (JSON:API-style documents, seed 001).

String bounds are the columns' (games.title 255; game_metadata: title 255, short description
1000, full description 20000, tags and genres 64 each, system requirements 4000 a text)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from parovoz_kit.errors import ValidationFailed
from parovoz_kit.http.fields import CalendarDate, CountryCode, RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from parovoz_developer_portal.fields import Name
from parovoz_developer_portal.games.domain import (
    AgeRating,
    Game,
    GameFilter,
    GameStatus,
    LocalizedMetadata,
    Platform,
    ProductType,
    SystemRequirements,
)
from parovoz_developer_portal.games.service import GameView
from parovoz_developer_portal.schemas import Document, Resource

MAX_TAGS = 20
MAX_GENRES = 10
MAX_REGIONS = 250
WORD_COLUMN = 64
SHORT_DESCRIPTION_COLUMN = 1000
FULL_DESCRIPTION_COLUMN = 20000
REQUIREMENTS_LIMIT = 4000
REASON_LIMIT = 1000


def _trimmed(value: str) -> str:
    return value.strip()


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise PydanticCustomError(
            "string_too_short",
            "String should have at least {min_length} character",
            {"min_length": 1},
        )
    return value


#: A tag or a genre: 1 to 64 characters, spaces around removed.
Word = Annotated[str, Text(WORD_COLUMN, min_length=1), AfterValidator(_not_blank)]
ShortDescription = Annotated[str, Text(SHORT_DESCRIPTION_COLUMN), AfterValidator(_trimmed)]
FullDescription = Annotated[str, Text(FULL_DESCRIPTION_COLUMN), AfterValidator(_trimmed)]
Requirements = Annotated[str, Text(REQUIREMENTS_LIMIT, min_length=1), AfterValidator(_not_blank)]
Reason = Annotated[str, Text(REASON_LIMIT, min_length=1), AfterValidator(_not_blank)]

PRODUCT_CREATION_EXAMPLE = {
    "data": {
        "type": "productCreation",
        "attributes": {"title": "Моя Новая Супер Игра", "product_type": "game"},
    }
}
METADATA_EXAMPLE = {
    "data": {
        "type": "gameMetadata",
        "attributes": {
            "title": "Моя Новая Супер Игра",
            "short_description": "Поезда, тайга и загадки.",
            "full_description": "Долгое описание для страницы игры.",
            "tags": ["Приключения", "Одиночная игра"],
            "genres": ["Adventure"],
            "system_requirements": {
                "windows_x64": {
                    "minimum": "Windows 10, 8 ГБ ОЗУ, GTX 1060",
                    "recommended": "Windows 11, 16 ГБ ОЗУ, RTX 3060",
                }
            },
        },
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


class PlatformRequirementsInput(RequestModel):
    minimum: Requirements = Field(description=f"Required. 1-{REQUIREMENTS_LIMIT} characters.")
    recommended: Requirements | None = Field(
        default=None, description=f"Optional. 1-{REQUIREMENTS_LIMIT} characters."
    )


class SystemRequirementsInput(RequestModel):
    windows_x64: PlatformRequirementsInput | None = Field(default=None, description="Windows x64.")
    linux_x64: PlatformRequirementsInput | None = Field(default=None, description="Linux x64.")
    macos_arm64: PlatformRequirementsInput | None = Field(
        default=None, description="macOS on Apple silicon."
    )
    macos_x64: PlatformRequirementsInput | None = Field(default=None, description="macOS x64.")

    def to_domain(self) -> dict[Platform, SystemRequirements]:
        stated: dict[Platform, SystemRequirements] = {}
        for platform in Platform:
            needs: PlatformRequirementsInput | None = getattr(self, platform.value)
            if needs is not None:
                stated[platform] = SystemRequirements(needs.minimum, needs.recommended)
        return stated


class MetadataAttributesInput(RequestModel):
    title: Name = Field(description="Required. The title in this language, 1-255 characters.")
    short_description: ShortDescription | None = Field(
        default=None, description=f"Optional. At most {SHORT_DESCRIPTION_COLUMN} characters."
    )
    full_description: FullDescription | None = Field(
        default=None, description=f"Optional. At most {FULL_DESCRIPTION_COLUMN} characters."
    )
    tags: list[Word] = Field(
        default_factory=list,
        max_length=MAX_TAGS,
        description=(
            f"Optional. At most {MAX_TAGS} tags of 1-{WORD_COLUMN} characters; a repeated one "
            "(in any case) is kept once."
        ),
    )
    genres: list[Word] = Field(
        default_factory=list,
        max_length=MAX_GENRES,
        description=f"Optional. At most {MAX_GENRES} genres of 1-{WORD_COLUMN} characters.",
    )
    system_requirements: SystemRequirementsInput | None = Field(
        default=None,
        description=(
            "Optional. Per platform (`windows_x64`, `linux_x64`, `macos_arm64`, `macos_x64`): "
            "`minimum` (required) and `recommended`; the platforms named here are the game's "
            "platforms in `developer.game.metadata.updated.v1`."
        ),
    )


class MetadataData(RequestModel):
    type: Literal["gameMetadata"] = Field(description="Always `gameMetadata`.")
    attributes: MetadataAttributesInput = Field(description="The texts in this language.")


class MetadataDocument(RequestModel):
    """A game's store texts in one language (replaces what that language had)."""

    model_config = ConfigDict(json_schema_extra={"examples": [METADATA_EXAMPLE]})

    data: MetadataData = Field(description="The texts.")


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


class PlatformRequirements(BaseModel):
    minimum: str = Field(description="Minimum system requirements.")
    recommended: str | None = Field(description="Recommended ones; null if not given.")


class MetadataAttributes(BaseModel):
    language_code: str = Field(description="BCP 47 language tag, e.g. `ru-RU`.")
    title: str = Field(description="Title in this language.")
    short_description: str | None = Field(description="Short description; null if none.")
    full_description: str | None = Field(description="Full description; null if none.")
    tags: list[str] = Field(description="Tags.")
    genres: list[str] = Field(description="Genres.")
    system_requirements: dict[Platform, PlatformRequirements] = Field(
        description="Per platform stated."
    )
    updated_at: datetime = Field(description="When these texts last changed.")
    updated_by_user_id: uuid.UUID = Field(description="Who changed them last.")


class MetadataResource(BaseModel):
    type: str = Field(description="Always `gameMetadata`.")
    id: str = Field(description="The language code.")
    attributes: MetadataAttributes = Field(description="The texts.")
    links: dict[str, str] = Field(description="`self`, `game`.")


class MetadataDocumentOut(BaseModel):
    data: MetadataResource = Field(description="The texts in one language.")


class MetadataListDocument(BaseModel):
    data: list[MetadataResource] = Field(description="Every language, sorted by code.")
    links: dict[str, str] = Field(description="`self`, `game`.")


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


def game_document(view: GameView, prefix: str) -> Document[GameDetailAttributes]:
    return Document(
        data=Resource(
            type="game",
            id=view.game.id,
            attributes=GameDetailAttributes(**_attributes(view.game), locales=list(view.locales)),
            links=game_links(view.game.id, prefix),
        )
    )


def metadata_resource(locale: LocalizedMetadata, prefix: str) -> MetadataResource:
    game_url = f"{prefix}/games/{locale.game_id}"
    return MetadataResource(
        type="gameMetadata",
        id=locale.language_code,
        attributes=MetadataAttributes(
            language_code=locale.language_code,
            title=locale.title,
            short_description=locale.short_description,
            full_description=locale.full_description,
            tags=list(locale.tags),
            genres=list(locale.genres),
            system_requirements={
                platform: PlatformRequirements(minimum=needs.minimum, recommended=needs.recommended)
                for platform, needs in locale.system_requirements
            },
            updated_at=locale.updated_at,
            updated_by_user_id=locale.updated_by_user_id,
        ),
        links={"self": f"{game_url}/metadata/{locale.language_code}", "game": game_url},
    )


# --- query parameters of GET /games ---------------------------------------------------------------
FILTER_LIMIT = 200
CURSOR_LIMIT = 200
TEXT_FILTER_LIMIT = 255
FilterValues = Annotated[str, Text(FILTER_LIMIT)]
TextFilter = Annotated[str, Text(TEXT_FILTER_LIMIT, min_length=1), AfterValidator(_not_blank)]
Cursor = Annotated[str, Text(CURSOR_LIMIT, min_length=1)]


_Choice = TypeVar("_Choice", GameStatus, ProductType)


def _listed(raw: str | None, kind: type[_Choice], parameter: str) -> frozenset[_Choice]:
    """``a,b``: each a value of ``kind``; 400 with the parameter otherwise."""
    if raw is None:
        return frozenset()
    chosen: set[_Choice] = set()
    for value in raw.split(","):
        try:
            chosen.add(kind(value.strip()))
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise ValidationFailed(
                f"{parameter} takes {allowed} (comma-separated), not {value!r}.",
                detail_ru=f"{parameter} принимает {allowed} (через запятую), а не {value!r}.",
                code="INVALID_FILTER",
                parameter=parameter,
            ) from None
    return frozenset(chosen)


def game_filter(statuses: str | None, types: str | None, text: str | None) -> GameFilter:
    return GameFilter(
        statuses=_listed(statuses, GameStatus, "filter[status]"),
        product_types=_listed(types, ProductType, "filter[type]"),
        text=text,
    )
