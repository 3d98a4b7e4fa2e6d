"""Request and response bodies of `/plans/{plan_id}/catalog` (JSON:API-style documents)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from parovoz_kit.http.fields import RequestModel
from pydantic import BaseModel, ConfigDict, Field

from parovoz_subscription.plans.domain import CatalogEntry, CatalogMode

CATALOG_ENTRY_EXAMPLE: dict[str, Any] = {
    "data": {"type": "planCatalogEntry", "attributes": {"mode": "included"}}
}


# --- requests -----------------------------------------------------------------------------------
class CatalogEntryAttributes(RequestModel):
    mode: CatalogMode = Field(
        description="`included` (in the plan; cancels an announced removal) or `excluded` "
        "(never in the plan, not even as a new release)."
    )


class CatalogEntryData(RequestModel):
    type: Literal["planCatalogEntry"] = Field(description="Always `planCatalogEntry`.")
    attributes: CatalogEntryAttributes = Field(description="Include or exclude the game.")


class CatalogEntryDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CATALOG_ENTRY_EXAMPLE]})

    data: CatalogEntryData = Field(description="Include or exclude the game.")


# --- responses ----------------------------------------------------------------------------------
class CatalogEntryResponseAttributes(BaseModel):
    game_id: uuid.UUID = Field(description="The game.")
    mode: CatalogMode = Field(description="`included` or `excluded`.")
    status: Literal["included", "leaving", "removed", "excluded"] = Field(
        description="`included`; `leaving` (a removal is announced: in the plan until "
        "`available_until`); `removed` (the removal took effect); `excluded`."
    )
    available_until: datetime | None = Field(
        description="When the game leaves the plan (an announced removal); null otherwise."
    )
    removal_announced_at: datetime | None = Field(
        description="When the removal was announced; null without one."
    )
    updated_at: datetime = Field(description="When the entry last changed.")


class CatalogEntryResource(BaseModel):
    type: Literal["planCatalogEntry"] = Field(description="Always `planCatalogEntry`.")
    id: uuid.UUID = Field(description="The game's id.")
    attributes: CatalogEntryResponseAttributes = Field(description="The entry.")
    links: dict[str, str] = Field(description="`self`.")


class CatalogEntryResponse(BaseModel):
    data: CatalogEntryResource = Field(description="The catalog entry.")


class CatalogListDocument(BaseModel):
    data: list[CatalogEntryResource] = Field(description="Games named in the plan's catalog.")
    links: dict[str, str] = Field(description="`self`, `plan`.")


def catalog_resource(entry: CatalogEntry, prefix: str, now: datetime) -> CatalogEntryResource:
    status: Literal["included", "leaving", "removed", "excluded"]
    if entry.mode is CatalogMode.EXCLUDED:
        status = "excluded"
    elif entry.removed_by(now):
        status = "removed"
    elif entry.removal_effective_at is not None:
        status = "leaving"
    else:
        status = "included"
    return CatalogEntryResource(
        type="planCatalogEntry",
        id=entry.game_id,
        attributes=CatalogEntryResponseAttributes(
            game_id=entry.game_id,
            mode=entry.mode,
            status=status,
            available_until=entry.removal_effective_at,
            removal_announced_at=entry.removal_announced_at,
            updated_at=entry.updated_at,
        ),
        links={"self": f"{prefix}/plans/{entry.plan_id}/catalog/{entry.game_id}"},
    )
