"""Request and response bodies of `/games/{id}/metadata[/{language}]`: a game's store texts
in one language (bounds are game_metadata's columns: title 255, short description 1000, full
description 20000, tags and genres 64 each, system requirements 4000 a text)."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Annotated, Literal

from parovoz_kit.http.fields import RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from parovoz_developer_portal.fields import Name
from parovoz_developer_portal.games.domain import LocalizedMetadata, Platform, SystemRequirements
from parovoz_developer_portal.games.schemas import not_blank, trimmed

MAX_TAGS = 20
MAX_GENRES = 10
WORD_COLUMN = 64
SHORT_DESCRIPTION_COLUMN = 1000
FULL_DESCRIPTION_COLUMN = 20000
REQUIREMENTS_LIMIT = 4000

#: A tag or a genre: 1 to 64 characters, spaces around removed.
Word = Annotated[str, Text(WORD_COLUMN, min_length=1), AfterValidator(not_blank)]
ShortDescription = Annotated[str, Text(SHORT_DESCRIPTION_COLUMN), AfterValidator(trimmed)]
FullDescription = Annotated[str, Text(FULL_DESCRIPTION_COLUMN), AfterValidator(trimmed)]
Requirements = Annotated[str, Text(REQUIREMENTS_LIMIT, min_length=1), AfterValidator(not_blank)]

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


@functools.lru_cache(maxsize=4096)
def metadata_document_json(locale: LocalizedMetadata, prefix: str) -> str:
    """``MetadataDocumentOut(data=metadata_resource(locale, prefix))`` as JSON; texts are
    immutable and compared by all their fields, so the same texts render the same bytes: kept."""
    return MetadataDocumentOut(data=metadata_resource(locale, prefix)).model_dump_json()


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
