"""developer-portal's request field types, built on the kit's strict ones
(``parovoz_kit.http.fields``): every string bounded by the column it is stored in, no NUL, no
number taken for a string; seed 001's spellings accepted beside ours where the seed differs."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Path
from parovoz_kit.http.fields import Text
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from parovoz_developer_portal.accounts.domain import LegalEntityType

#: The path parameters naming a game (or DLC, software) and one of its versions.
GameId = Annotated[uuid.UUID, Path(description="The game's (product's) id (UUID).")]
VersionId = Annotated[uuid.UUID, Path(description="The version's id (UUID).")]

#: developer_accounts.company_name / display_name and games.title are VARCHAR(255).
NAME_COLUMN = 255
#: developer_accounts.tax_id is VARCHAR(32).
TAX_ID_COLUMN = 32
#: developer_accounts.contact_email is VARCHAR(255).
EMAIL_COLUMN = 255


def left_out_not_null(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of an optional field that is left out rather than sent as null:
    the document shows its type only (null is still taken, as if left out)."""
    variants = [v for v in schema.pop("anyOf", []) if v.get("type") != "null"]
    if len(variants) == 1:
        for key, value in variants[0].items():
            schema.setdefault(key, value)  # the field's own description wins
    elif variants:
        schema["anyOf"] = variants


def _trimmed(value: str) -> str:
    """Surrounding spaces are not part of a name; a name of spaces only is no name."""
    value = value.strip()
    if not value:
        raise PydanticCustomError(
            "string_too_short",
            "String should have at least {min_length} character",
            {"min_length": 1},
        )
    return value


def _email(value: str) -> str:
    _, address = validate_email(value)
    return address


#: A name or a title: 1 to 255 characters (its column), spaces around it removed.
Name = Annotated[str, Text(NAME_COLUMN, min_length=1), AfterValidator(_trimmed)]
#: ИНН as typed: 5 to 32 characters (its column), spaces around it removed; the check digits
#: are the domain's.
TaxId = Annotated[str, Text(TAX_ID_COLUMN, min_length=5), AfterValidator(_trimmed)]
#: An e-mail address, at most 255 characters (its column).
Email = Annotated[
    str,
    Text(EMAIL_COLUMN, min_length=3),
    AfterValidator(_email),
    WithJsonSchema(
        {"type": "string", "format": "email", "minLength": 3, "maxLength": EMAIL_COLUMN}
    ),
]

#: Seed 001 writes the legal form as Russians do; each names one of our values.
LEGAL_ENTITY_ALIASES: dict[str, LegalEntityType] = {
    "ООО": LegalEntityType.LLC,
    "АО": LegalEntityType.JOINT_STOCK_COMPANY,
    "ПАО": LegalEntityType.JOINT_STOCK_COMPANY,
    "ИП": LegalEntityType.SOLE_PROPRIETOR,
    "Самозанятый": LegalEntityType.SELF_EMPLOYED,
}
_ALIASES_FOLDED = {alias.casefold(): entity for alias, entity in LEGAL_ENTITY_ALIASES.items()}


def _legal_entity(value: Any) -> Any:
    if isinstance(value, str):
        return _ALIASES_FOLDED.get(value.casefold(), value)
    return value


LEGAL_ENTITY_VALUES = [entity.value for entity in LegalEntityType] + list(LEGAL_ENTITY_ALIASES)

#: ``llc``, ``joint_stock_company``, ``sole_proprietor``, ``self_employed``,
#: ``foreign_company``, or seed 001's «ООО», «АО», «ПАО», «ИП», «Самозанятый»; answered as ours.
LegalEntityInput = Annotated[
    LegalEntityType,
    BeforeValidator(_legal_entity),
    WithJsonSchema({"type": "string", "enum": LEGAL_ENTITY_VALUES}),
]
