"""JSON:API-style request and response bodies (seed 001)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from parovoz_developer_portal.domain.accounts import DeveloperAccount, LegalEntityType
from parovoz_developer_portal.domain.games import Game, ProductType
from parovoz_developer_portal.domain.team import TeamRole

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
TaxId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=32)]

AttributesT = TypeVar("AttributesT")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests ---------------------------------------------------------------------------------
class AccountCreationAttributes(_Strict):
    company_name: Name = Field(examples=["Моя Игровая Студия"])
    display_name: Name | None = Field(default=None, description="Name shown in the store.")
    legal_entity_type: LegalEntityType = Field(examples=["llc"])
    tax_id: TaxId = Field(description="ИНН: 10 digits (organisation) or 12 (individual).")
    contact_email: EmailStr
    country_code: CountryCode = Field(examples=["RU"])


class AccountCreationData(_Strict):
    type: Literal["developerAccountCreation"]
    attributes: AccountCreationAttributes


class AccountCreationDocument(_Strict):
    data: AccountCreationData


class ProductCreationAttributes(_Strict):
    title: Name = Field(examples=["Моя Новая Супер Игра"])
    product_type: ProductType = ProductType.GAME
    parent_game_id: uuid.UUID | None = Field(default=None, description="For a DLC only.")


class ProductCreationData(_Strict):
    type: Literal["productCreation"]
    attributes: ProductCreationAttributes


class ProductCreationDocument(_Strict):
    data: ProductCreationData


# --- responses --------------------------------------------------------------------------------
class Resource(BaseModel, Generic[AttributesT]):
    type: str
    id: uuid.UUID
    attributes: AttributesT
    links: dict[str, str]


class Document(BaseModel, Generic[AttributesT]):
    data: Resource[AttributesT]


class AccountAttributes(BaseModel):
    company_name: str
    display_name: str
    legal_entity_type: LegalEntityType
    tax_id: str
    contact_email: str
    country_code: str
    status: str
    publishing_track: str
    verified: bool
    owner_user_id: uuid.UUID
    my_role: TeamRole
    created_at: datetime
    updated_at: datetime


class GameAttributes(BaseModel):
    title: str
    product_type: ProductType
    parent_game_id: uuid.UUID | None
    status: str
    developer_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


def account_document(
    account: DeveloperAccount, role: TeamRole, prefix: str
) -> Document[AccountAttributes]:
    attributes = AccountAttributes(
        company_name=account.company_name,
        display_name=account.display_name,
        legal_entity_type=account.legal_entity_type,
        tax_id=account.tax_id,
        contact_email=account.contact_email,
        country_code=account.country_code,
        status=account.status.value,
        publishing_track=account.publishing_track.value,
        verified=account.verified,
        owner_user_id=account.owner_user_id,
        my_role=role,
        created_at=account.created_at,
        updated_at=account.updated_at,
    )
    return Document(
        data=Resource(
            type="developerAccount",
            id=account.id,
            attributes=attributes,
            links={"self": f"{prefix}/accounts/me"},
        )
    )


def game_document(game: Game, prefix: str) -> Document[GameAttributes]:
    attributes = GameAttributes(
        title=game.title,
        product_type=game.product_type,
        parent_game_id=game.parent_game_id,
        status=game.status.value,
        developer_id=game.developer_id,
        created_at=game.created_at,
        updated_at=game.updated_at,
        published_at=game.published_at,
    )
    return Document(
        data=Resource(
            type="game",
            id=game.id,
            attributes=attributes,
            links={"self": f"{prefix}/games/{game.id}"},
        )
    )
