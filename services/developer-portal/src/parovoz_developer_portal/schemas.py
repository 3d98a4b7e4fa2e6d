"""JSON:API-style request and response bodies (seed 001)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from fastapi import Response
from parovoz_kit.http.fields import CountryCode, RequestModel
from pydantic import BaseModel, ConfigDict, Field

from parovoz_developer_portal.accounts.domain import DeveloperAccount, LegalEntityType
from parovoz_developer_portal.fields import (
    Email,
    LegalEntityInput,
    Name,
    TaxId,
)
from parovoz_developer_portal.team.domain import TeamRole

AttributesT = TypeVar("AttributesT")

ACCOUNT_CREATION_EXAMPLE = {
    "data": {
        "type": "developerAccountCreation",
        "attributes": {
            "company_name": "Моя Игровая Студия",
            "legal_entity_type": "ООО",
            "tax_id": "7707083893",
            "contact_email": "dev@example.com",
            "country_code": "RU",
        },
    }
}


# --- requests ---------------------------------------------------------------------------------
class AccountCreationAttributes(RequestModel):
    company_name: Name = Field(
        description="Legal name of the company or the person: 1-255 characters, required.",
        examples=["Моя Игровая Студия"],
    )
    display_name: Name | None = Field(
        default=None,
        description="Name shown in the store, 1-255 characters; the company name when left out.",
    )
    legal_entity_type: LegalEntityInput = Field(
        description=(
            "Legal form, required: `llc` (ООО), `joint_stock_company` (АО, ПАО), "
            "`sole_proprietor` (ИП), `self_employed` (самозанятый), `foreign_company`. Seed "
            "001's Russian spellings «ООО», «АО», «ПАО», «ИП», «Самозанятый» are accepted too; "
            "the answer always gives the English value (`llc`, ...)."
        ),
        examples=["ООО"],
    )
    tax_id: TaxId = Field(
        description=(
            "ИНН, required: 10 digits for an organisation (ООО, АО), 12 for an individual (ИП, "
            "самозанятый), with valid check digits; a foreign company's own tax number "
            "(5-32 characters)."
        ),
        examples=["7707083893"],
    )
    contact_email: Email = Field(
        description="Where the platform writes to the developer, required (max 255 characters).",
        examples=["dev@example.com"],
    )
    country_code: CountryCode = Field(
        description=(
            "Country of registration, ISO 3166-1 alpha-2 in capitals, required: RU for a Russian "
            "legal entity, any other for a foreign company."
        ),
        examples=["RU"],
    )


class AccountCreationData(RequestModel):
    type: Literal["developerAccountCreation"] = Field(
        description="Always `developerAccountCreation`."
    )
    attributes: AccountCreationAttributes = Field(description="The account to open.")


class AccountCreationDocument(RequestModel):
    """Seed 001 §3.1.1: open a developer account."""

    model_config = ConfigDict(json_schema_extra={"examples": [ACCOUNT_CREATION_EXAMPLE]})

    data: AccountCreationData = Field(description="The account to open.")


# --- responses --------------------------------------------------------------------------------
class Resource(BaseModel, Generic[AttributesT]):
    type: str = Field(description="Resource type (JSON:API).")
    id: uuid.UUID = Field(description="Resource id (UUID).")
    attributes: AttributesT = Field(description="The resource's fields.")
    links: dict[str, str] = Field(description="`self`: where the resource is read.")


class Document(BaseModel, Generic[AttributesT]):
    data: Resource[AttributesT] = Field(description="The resource.")


def created(document: Document[Any]) -> Response:
    """201 Created with the document, ``Location`` naming where the new resource is read."""
    return Response(
        document.model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"Location": document.data.links["self"]},
    )


class AccountAttributes(BaseModel):
    company_name: str = Field(description="Legal name of the company or the person.")
    display_name: str = Field(description="Name shown in the store.")
    legal_entity_type: LegalEntityType = Field(
        description="Legal form, always in the English form (`llc` for ООО, ...)."
    )
    tax_id: str = Field(description="ИНН (or a foreign company's tax number).")
    contact_email: str = Field(description="Where the platform writes to the developer.")
    country_code: str = Field(description="Country of registration, ISO 3166-1 alpha-2.")
    status: str = Field(
        description="`pending_verification` (new), `active` (verified) or `suspended`."
    )
    publishing_track: str = Field(
        description="`greenlight` (a new account's games go through greenlight) or `direct`."
    )
    verified: bool = Field(description="Whether the platform has verified the legal entity.")
    owner_user_id: uuid.UUID = Field(
        description="The account's owner: who opened it, or whom ownership was transferred to."
    )
    my_role: TeamRole = Field(
        description="The caller's role: owner, admin, editor, finance or viewer."
    )
    created_at: datetime = Field(description="When the account was opened (ISO 8601, UTC).")
    updated_at: datetime = Field(description="When it last changed (ISO 8601, UTC).")


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
